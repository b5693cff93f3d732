package command

// GeoCommands are the rows of this family (being written).
var GeoCommands = []*Spec{}
