package ledger

import (
	"errors"
	"slices"
	"testing"

	"github.com/taonet/tao/protocols"
)

// chainWithSnapshots commits 12 blocks with transfers on a dev chain with
// snapshots every 5 blocks.
func chainWithSnapshots(t *testing.T) *Ledger {
	l := openMem(t, testGenesis(4))
	for i := range uint64(12) {
		step(t, l, transfer(t, byte(1+i%3), i/3, 4, 1+i))
	}
	return l
}

func TestSnapshotRoundTrip(t *testing.T) {
	l := chainWithSnapshots(t)
	hs, err := l.Snapshots()
	if err != nil || !slices.Equal(hs, []uint64{5, 10}) {
		t.Fatalf("Snapshots = %v, %v; want [5 10] (older pruned)", hs, err)
	}
	snap, err := l.ExportSnapshot(10)
	if err != nil {
		t.Fatal(err)
	}
	hdr, _, err := l.Block(10)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Verify(&hdr.Header); err != nil {
		t.Fatal(err)
	}

	r, err := Restore(NewMemStore(), testGenesis(4), snap, &hdr.Header, []byte("cert10"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Height() != 10 || r.StateRoot() != Root(hdr.Header.StateRoot) {
		t.Fatalf("restored at %d root %s", r.Height(), r.StateRoot())
	}
	id, _ := hdr.ID()
	if r.LastBlockID() != id {
		t.Fatal("restored tip is not block 10")
	}
	for seed := byte(1); seed <= 4; seed++ {
		if n1, _ := r.Nonce(acct(seed)); balance(t, r, seed) == 0 || n1 != mustNonce(seed, 10) {
			t.Fatalf("account %d differs after restore", seed)
		}
	}
	// The restored ledger replays blocks 11 and 12 to the same root.
	for h := uint64(11); h <= 12; h++ {
		b, cert, err := l.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CommitBlock(b, cert); err != nil {
			t.Fatalf("replay %d: %v", h, err)
		}
	}
	if r.StateRoot() != l.StateRoot() {
		t.Fatal("restored ledger diverged")
	}
	// It serves the snapshot it was restored from.
	if hs, _ := r.Snapshots(); !slices.Contains(hs, 10) {
		t.Fatalf("restored ledger keeps snapshots %v", hs)
	}
	if _, _, err := r.Block(9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("block below the snapshot: %v", err)
	}
}

// mustNonce returns account seed's nonce at height h of the chain built by
// chainWithSnapshots: txs i = 0..h-1, account 1+i%3 at nonce i/3.
func mustNonce(seed byte, h uint64) uint64 {
	var n uint64
	for i := range h {
		if byte(1+i%3) == seed {
			n++
		}
	}
	return n
}

func TestSnapshotTampered(t *testing.T) {
	l := chainWithSnapshots(t)
	hdr, _, _ := l.Block(10)
	other, _, _ := l.Block(5)
	tests := []struct {
		name   string
		f      func(s *Snapshot)
		header *protocols.Header
	}{
		{"value", func(s *Snapshot) { s.Entries[0].Value = append([]byte(nil), 0x01) }, &hdr.Header},
		{"dropped-entry", func(s *Snapshot) { s.Entries = s.Entries[1:] }, &hdr.Header},
		{"reordered", func(s *Snapshot) { s.Entries[0], s.Entries[1] = s.Entries[1], s.Entries[0] }, &hdr.Header},
		{"digest-of-forgery", func(s *Snapshot) {
			s.Entries[0].Value = []byte{0x01}
			d := newDigester()
			for _, kv := range s.Entries {
				d.add(kv.Key, kv.Value)
			}
			s.Digest = d.sum() // consistent with the entries, not with the header
		}, &hdr.Header},
		{"prev-root", func(s *Snapshot) { s.PrevRoot[0] ^= 1 }, &hdr.Header},
		{"other-header", func(s *Snapshot) {}, &other.Header},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := l.ExportSnapshot(10)
			if err != nil {
				t.Fatal(err)
			}
			tt.f(snap)
			if err := snap.Verify(tt.header); !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("Verify: got %v, want ErrBadSnapshot", err)
			}
			s := NewMemStore()
			if _, err := Restore(s, testGenesis(4), snap, tt.header, nil); !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("Restore: got %v, want ErrBadSnapshot", err)
			}
			if err := (&Ledger{store: s}).mustBeEmpty(); err != nil {
				t.Fatal("a refused snapshot left data in the store")
			}
		})
	}
	if _, err := l.ExportSnapshot(3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ExportSnapshot(3): %v", err)
	}
}

func TestRestoreRefusesUsedStore(t *testing.T) {
	l := chainWithSnapshots(t)
	snap, _ := l.ExportSnapshot(10)
	hdr, _, _ := l.Block(10)
	if _, err := Restore(l.store, testGenesis(4), snap, &hdr.Header, nil); err == nil {
		t.Fatal("restored into a used store")
	}
}
