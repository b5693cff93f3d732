package command

// HashCommands are the rows of this family (being written).
var HashCommands = []*Spec{}
