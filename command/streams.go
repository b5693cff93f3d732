package command

// StreamCommands are the rows of this family (being written).
var StreamCommands = []*Spec{}
