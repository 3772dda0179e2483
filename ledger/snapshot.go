package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/protocols"
)

// Snapshot tuning.
const (
	// snapshotChunkSize bounds one stored chunk of a snapshot (and so one
	// message of the future sync/snapshot protocol).
	snapshotChunkSize = 1 << 20
	// keepSnapshots is how many snapshots a ledger keeps.
	keepSnapshots = 2
	// restoreBatch bounds the entries of one write while restoring.
	restoreBatch = 4096
)

// Snapshot is the full state at a snapshot height, with the inputs of that
// height's state root, so that a node that trusts the header at Height
// (through its commit certificate) can check the state without replaying
// blocks:
//
//	StateDigest(Entries) == Digest
//	ChainRoot(PrevRoot, WriteSetCID, &Digest) == header.StateRoot
type Snapshot struct {
	Height      uint64
	PrevRoot    Root
	WriteSetCID cid.Cid
	Digest      Root
	Entries     []KV // every state entry, in key order
}

// snapshotMeta is the stored head of a snapshot; its entries are in Chunks
// chunks under chunkKey.
type snapshotMeta struct {
	_           struct{} `cbor:",toarray"`
	Height      uint64
	PrevRoot    Root
	WriteSetCID []byte
	Digest      Root
	Chunks      uint32
	Entries     uint64
}

// Verify checks s against a trusted header of the same height.
func (s *Snapshot) Verify(trusted *protocols.Header) error {
	if s.Height != trusted.Height {
		return fmt.Errorf("%w: snapshot is at height %d, header at %d", ErrBadSnapshot, s.Height, trusted.Height)
	}
	d := newDigester()
	for i, kv := range s.Entries {
		if len(kv.Value) == 0 {
			return fmt.Errorf("%w: entry %d has an empty value", ErrBadSnapshot, i)
		}
		if i > 0 && bytes.Compare(s.Entries[i-1].Key, kv.Key) >= 0 {
			return fmt.Errorf("%w: entry %d is out of key order", ErrBadSnapshot, i)
		}
		d.add(kv.Key, kv.Value)
	}
	if d.sum() != s.Digest {
		return fmt.Errorf("%w: its entries hash to %s, not its digest %s", ErrBadSnapshot, d.sum(), s.Digest)
	}
	root := ChainRoot(s.PrevRoot, s.WriteSetCID, &s.Digest)
	if !bytes.Equal(root[:], trusted.StateRoot) {
		return fmt.Errorf("%w: it gives state root %s, the header has %x", ErrBadSnapshot, root, trusted.StateRoot)
	}
	return nil
}

// writeSnapshot stores the current state as the snapshot at height (the
// tip), checking it against the digest executed for that height, and
// prunes old snapshots. The caller holds commitMu (or is Open), so the
// state does not change meanwhile.
func (l *Ledger) writeSnapshot(height uint64) error {
	var hr heightRecord
	hb, err := l.store.Get(heightKey(nsHeight, height))
	if err != nil {
		return err
	}
	if err := protocols.Unmarshal(hb, &hr, maxRecordSize); err != nil || len(hr.Digest) != len(Root{}) {
		return fmt.Errorf("%w: height record %d", ErrCorrupt, height)
	}
	meta := snapshotMeta{Height: height, PrevRoot: hr.PrevRoot, WriteSetCID: hr.WriteSetCID}
	copy(meta.Digest[:], hr.Digest)
	d := newDigester()
	var chunk []KV
	size := 0
	flush := func() error {
		b, err := protocols.Marshal(chunk)
		if err != nil {
			return err
		}
		if err := l.store.Write([]KV{{Key: chunkKey(height, meta.Chunks), Value: b}}); err != nil {
			return err
		}
		meta.Chunks++
		chunk, size = nil, 0
		return nil
	}
	err = stateView{l.store}.Iterate(nil, func(k, v []byte) error {
		d.add(k, v)
		meta.Entries++
		chunk = append(chunk, KV{Key: k, Value: v})
		size += len(k) + len(v) + 16
		if size >= snapshotChunkSize {
			return flush()
		}
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("write snapshot %d: %w", height, err)
	}
	if d.sum() != meta.Digest {
		return fmt.Errorf("%w: state at height %d hashes to %s, but its block gave %s", ErrCorrupt, height, d.sum(), meta.Digest)
	}
	mb, err := protocols.Marshal(&meta)
	if err != nil {
		return err
	}
	if err := l.store.Write([]KV{{Key: heightKey(nsSnapMeta, height), Value: mb}}); err != nil {
		return err
	}
	return l.pruneSnapshots()
}

// Snapshots returns the heights of the stored snapshots, oldest first.
func (l *Ledger) Snapshots() ([]uint64, error) {
	var hs []uint64
	err := l.store.Iterate([]byte{nsSnapMeta}, func(k, _ []byte) error {
		if len(k) == 9 {
			hs = append(hs, binary.BigEndian.Uint64(k[1:]))
		}
		return nil
	})
	return hs, err
}

func (l *Ledger) pruneSnapshots() error {
	hs, err := l.Snapshots()
	if err != nil || len(hs) <= keepSnapshots {
		return err
	}
	for _, h := range hs[:len(hs)-keepSnapshots] {
		// The head goes first: a snapshot without a head is never served.
		del := []KV{{Key: heightKey(nsSnapMeta, h)}}
		err := l.store.Iterate(heightKey(nsSnapChunk, h), func(k, _ []byte) error {
			del = append(del, KV{Key: k})
			return nil
		})
		if err != nil {
			return err
		}
		if err := l.store.Write(del); err != nil {
			return err
		}
	}
	return nil
}

// ExportSnapshot returns the stored snapshot at height (see Snapshots).
func (l *Ledger) ExportSnapshot(height uint64) (*Snapshot, error) {
	mb, err := l.store.Get(heightKey(nsSnapMeta, height))
	if err != nil {
		return nil, err
	}
	if mb == nil {
		return nil, fmt.Errorf("%w: no snapshot at height %d (have %v)", ErrNotFound, height, must(l.Snapshots()))
	}
	var meta snapshotMeta
	if err := protocols.Unmarshal(mb, &meta, maxRecordSize); err != nil {
		return nil, fmt.Errorf("%w: snapshot %d: %v", ErrCorrupt, height, err)
	}
	wsCID, err := cid.Cast(meta.WriteSetCID)
	if err != nil {
		return nil, fmt.Errorf("%w: snapshot %d: %v", ErrCorrupt, height, err)
	}
	s := &Snapshot{Height: height, PrevRoot: meta.PrevRoot, WriteSetCID: wsCID, Digest: meta.Digest,
		Entries: make([]KV, 0, meta.Entries)}
	for i := range meta.Chunks {
		cb, err := l.store.Get(chunkKey(height, i))
		if err != nil {
			return nil, err
		}
		var kvs []KV
		if err := protocols.Unmarshal(cb, &kvs, 2*snapshotChunkSize+maxRecordSize); err != nil {
			return nil, fmt.Errorf("%w: snapshot %d chunk %d: %v", ErrCorrupt, height, i, err)
		}
		s.Entries = append(s.Entries, kvs...)
	}
	return s, nil
}

func must(hs []uint64, _ error) []uint64 { return hs }

// Restore initializes the empty store s from a snapshot, checked against
// trusted (the header at the snapshot's height, whose commit certificate
// cert the caller has verified), and opens the ledger there. Blocks below
// the snapshot are not in the store.
func Restore(s Store, g *Genesis, snap *Snapshot, trusted *protocols.Header, cert []byte, opts ...Option) (*Ledger, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if trusted.ChainID != g.ChainID {
		return nil, fmt.Errorf("%w: header of chain %q, genesis of %q", ErrBadSnapshot, trusted.ChainID, g.ChainID)
	}
	if err := snap.Verify(trusted); err != nil {
		return nil, err
	}
	id, err := trusted.ID()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSnapshot, err)
	}
	gid, err := g.Hash()
	if err != nil {
		return nil, err
	}
	probe := &Ledger{store: s}
	if err := probe.mustBeEmpty(); err != nil {
		return nil, fmt.Errorf("restore into a used store: %w", err)
	}
	for i := 0; i < len(snap.Entries); i += restoreBatch {
		batch := make([]KV, 0, restoreBatch)
		for _, kv := range snap.Entries[i:min(i+restoreBatch, len(snap.Entries))] {
			batch = append(batch, KV{Key: storeKey(kv.Key), Value: kv.Value})
		}
		if err := s.Write(batch); err != nil {
			return nil, fmt.Errorf("restore snapshot %d: %w", snap.Height, err)
		}
	}
	hr, err := protocols.Marshal(&heightRecord{PrevRoot: snap.PrevRoot, WriteSetCID: snap.WriteSetCID.Bytes(), Digest: snap.Digest[:], Root: Root(trusted.StateRoot)})
	if err != nil {
		return nil, err
	}
	tb, err := protocols.Marshal(&Tip{Height: trusted.Height, BlockID: id.Bytes(), Time: trusted.Time, Root: Root(trusted.StateRoot)})
	if err != nil {
		return nil, err
	}
	schema, _ := protocols.Marshal(uint64(SchemaVersion))
	// The schema key goes last: a store without it is an unfinished
	// restore, which Open refuses.
	final := []KV{{Key: heightKey(nsHeight, snap.Height), Value: hr}, {Key: keyTip, Value: tb}, {Key: keyGenesis, Value: gid.Bytes()}, {Key: keySchema, Value: schema}}
	if len(cert) > 0 {
		final = append(final, KV{Key: heightKey(nsCert, snap.Height), Value: cert})
	}
	if err := s.Write(final); err != nil {
		return nil, fmt.Errorf("restore snapshot %d: %w", snap.Height, err)
	}
	l, err := Open(s, g, opts...)
	if err != nil {
		return nil, err
	}
	l.commitMu.Lock()
	defer l.commitMu.Unlock()
	if err := l.writeSnapshot(snap.Height); err != nil {
		l.log.Warn("restored snapshot not kept for serving", "height", snap.Height, "err", err)
	}
	return l, nil
}
