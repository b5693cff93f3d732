package command

// SetCommands are the rows of this family (being written).
var SetCommands = []*Spec{}
