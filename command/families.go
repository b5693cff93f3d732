package command

// DataCommands lists the row groups of every data-command family in this package; the
// server adds its own groups and builds the one Table from them.
func DataCommands() [][]*Spec {
	return [][]*Spec{
		StringCommands, BitmapCommands, LCSCommands, KeyCommands, ExpireCommands,
		ListCommands, HashCommands, SetCommands, ZSetCommands, GeoCommands, SortCommands,
		StreamCommands, HyperLogLogCommands, DumpCommands,
	}
}
