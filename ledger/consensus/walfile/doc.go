// Package walfile keeps a consensus core's persistent state on disk: the
// write-ahead log (WAL, length-prefixed CRC-32C frames in an append-only
// file, fsynced per Append, torn tails cut off on Open) and the sign guard
// (Guard, one frame replaced atomically per Save).
//
//	wal, _ := walfile.Open(filepath.Join(dir, "consensus.wal"))
//	guard, _ := walfile.OpenGuard(filepath.Join(dir, "sign-guard"))
//	last, _ := guard.Load()
//	c, _ := consensus.New(cfg, consensus.State{Height: h, Validators: vs, LastSigned: last})
//	recs, _ := wal.Records(h)
//	consensus.Replay(c, recs)
package walfile
