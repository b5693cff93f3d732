package command

// HyperLogLogCommands are the rows of this family (being written).
var HyperLogLogCommands = []*Spec{}
