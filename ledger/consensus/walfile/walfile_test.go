package walfile

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

func testRecords(t testing.TB) []consensus.Record {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	v := &protocols.Vote{ChainID: "dev", Type: protocols.Prevote, Height: 2, Round: 1}
	if err := v.Sign(key); err != nil {
		t.Fatal(err)
	}
	return []consensus.Record{
		{Height: 1, Timeout: &consensus.Timeout{Height: 1, Round: 0, Step: consensus.StepPropose}},
		{Height: 2, Vote: v},
		{Height: 2, Value: &consensus.ProposedValue{Height: 2, Round: 1, Value: []byte("block")}},
	}
}

func TestWALAppendPruneReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := testRecords(t)
	if err := w.Append(recs[:1]); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(recs[1:]); err != nil {
		t.Fatal(err)
	}
	got, err := w.Records(2)
	if err != nil || len(got) != 2 || got[0].Vote == nil || got[1].Value == nil {
		t.Fatalf("Records(2): %d records, %v", len(got), err)
	}
	if err := w.Prune(2); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Records(1); len(got) != 0 {
		t.Fatal("pruned record still there")
	}
	if err := w.Append(recs[:1]); err != nil { // appends after a prune go to the new file
		t.Fatal(err)
	}
	w.Close()
	w.Close()
	w, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got, _ := w.Records(2); len(got) != 2 {
		t.Fatalf("after reopen: %d records of height 2", len(got))
	}
	if got, _ := w.Records(1); len(got) != 1 {
		t.Fatalf("after reopen: %d records of height 1", len(got))
	}
}

// TestWALPruneAll: a prune above every record empties the file in place;
// later appends and a reopen see only them.
func TestWALPruneAll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := testRecords(t)
	if err := w.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Prune(3); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("after pruning everything: %v, %v bytes", err, fi.Size())
	}
	next := consensus.Record{Height: 3, Timeout: &consensus.Timeout{Height: 3, Round: 0, Step: consensus.StepPropose}}
	if err := w.Append([]consensus.Record{next}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if w, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for h, want := range map[uint64]int{1: 0, 2: 0, 3: 1} {
		if got, err := w.Records(h); err != nil || len(got) != want {
			t.Fatalf("Records(%d): %d records, %v; want %d", h, len(got), err, want)
		}
	}
	if err := w.Prune(3); err != nil { // nothing below 3: kept
		t.Fatal(err)
	}
	if got, _ := w.Records(3); len(got) != 1 {
		t.Fatalf("Prune(3) dropped height 3: %d records", len(got))
	}
}

func TestWALTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := testRecords(t)
	if err := w.Append(recs); err != nil {
		t.Fatal(err)
	}
	w.Close()
	full, _ := os.ReadFile(path)
	for _, cut := range []int{1, 5, 9, 20} {
		if err := os.WriteFile(path, full[:len(full)-cut], 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := w.Records(2)
		if len(got) != 1 {
			t.Fatalf("cut %d bytes: %d records of height 2, want the 1 intact", cut, len(got))
		}
		if err := w.Append(recs[2:]); err != nil { // the torn frame was cut off: appends follow good data
			t.Fatal(err)
		}
		if got, _ := w.Records(2); len(got) != 2 {
			t.Fatalf("cut %d: append after repair: %d records", cut, len(got))
		}
		w.Close()
	}
	// A flipped bit fails the checksum: the log ends before that frame.
	bad := bytes.Clone(full)
	bad[len(bad)-3] ^= 1
	recsGot, good, err := ReadRecords(bytes.NewReader(bad))
	if err != nil || len(recsGot) != 2 || good >= int64(len(bad)) {
		t.Fatalf("bit flip: %d records, good %d, %v", len(recsGot), good, err)
	}
}

func TestGuard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "guard")
	g, err := OpenGuard(path)
	if err != nil {
		t.Fatal(err)
	}
	s := consensus.SignState{Height: 3, Round: 1, Step: consensus.StepPrevote, ValueID: protocols.ValueID([]byte("v"))}
	if err := g.Save(s); err != nil {
		t.Fatal(err)
	}
	g2, err := OpenGuard(path)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := g2.Load()
	if last.String() != s.String() {
		t.Fatalf("reloaded %s, saved %s", last, s)
	}
	conflict := s
	conflict.ValueID = nil
	if err := g2.Save(conflict); !errors.Is(err, consensus.ErrDoubleSign) {
		t.Fatalf("conflicting save after restart: %v", err)
	}
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 1
	os.WriteFile(path, b, 0o600)
	if _, err := OpenGuard(path); !errors.Is(err, ErrGuardCorrupt) {
		t.Fatalf("damaged guard: %v", err)
	}
}

func FuzzReadRecords(f *testing.F) {
	var b []byte
	for _, r := range testRecords(f) {
		p, err := consensus.EncodeRecord(&r)
		if err != nil {
			f.Fatal(err)
		}
		b = appendFrame(b, p)
		f.Add(bytes.Clone(b))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, good, err := ReadRecords(bytes.NewReader(b))
		if good < 0 || good > int64(len(b)) {
			t.Fatalf("good offset %d of %d bytes", good, len(b))
		}
		if err != nil {
			return
		}
		// The good prefix re-encodes to itself.
		var again []byte
		for i := range recs {
			p, err := consensus.EncodeRecord(&recs[i])
			if err != nil {
				t.Fatalf("record %d does not re-encode: %v", i, err)
			}
			again = appendFrame(again, p)
		}
		if !bytes.Equal(again, b[:good]) {
			t.Fatal("records do not re-encode to the good prefix")
		}
	})
}
