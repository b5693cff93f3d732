package command

// SortCommands are the rows of this family (being written).
var SortCommands = []*Spec{}
