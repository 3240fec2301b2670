"""The build engine: the order of the stages and the incremental rebuilds."""
