package ledger

// CommitBytes returns the stored commit certificate of the block at
// height, as the replica stored it (protocols.EncodeCommit); nil if the
// block was committed without one (or is not stored). Block sync serves it
// beside BlockBytes without decoding either.
func (l *Ledger) CommitBytes(height uint64) ([]byte, error) {
	return l.store.Get(heightKey(nsCert, height))
}
