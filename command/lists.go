package command

// ListCommands are the rows of this family (being written).
var ListCommands = []*Spec{}
