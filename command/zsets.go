package command

// ZSetCommands are the rows of this family (being written).
var ZSetCommands = []*Spec{}
