package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// testBadgerOptions keeps badger light in tests: small tables and logs, few
// memtables, no compactor goroutines beyond the minimum.
func testBadgerOptions(dir string) badger.Options {
	return BadgerOptions(dir, nil).
		WithSyncWrites(false).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithValueLogFileSize(16 << 20).
		WithBlockCacheSize(1 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4)
}

func openBadger(t testing.TB, dir string) *BadgerStore {
	t.Helper()
	s, err := OpenBadger(testBadgerOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBadgerStoreKV(t *testing.T) {
	for name, s := range map[string]Store{"mem": NewMemStore(), "badger": openBadger(t, t.TempDir())} {
		t.Run(name, func(t *testing.T) {
			defer s.Close()
			err := s.Write([]KV{{Key: []byte("a1"), Value: []byte("x")}, {Key: []byte("a0"), Value: []byte("y")}, {Key: []byte("b"), Value: []byte("z")}})
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := s.Get([]byte("a1")); string(v) != "x" {
				t.Fatalf("Get = %q", v)
			}
			if v, err := s.Get([]byte("nope")); v != nil || err != nil {
				t.Fatalf("absent key: %q, %v", v, err)
			}
			var keys string
			s.Iterate([]byte("a"), func(k, v []byte) error { keys += string(k) + ","; return nil })
			if keys != "a0,a1," {
				t.Fatalf("Iterate order %q", keys)
			}
			if err := s.Write([]KV{{Key: []byte("a0")}}); err != nil {
				t.Fatal(err)
			}
			if v, _ := s.Get([]byte("a0")); v != nil {
				t.Fatal("delete did not delete")
			}
			stop := errors.New("stop")
			if err := s.Iterate(nil, func(k, v []byte) error { return stop }); err != stop {
				t.Fatalf("Iterate error %v", err)
			}
			s.Close()
			if _, err := s.Get([]byte("a1")); !errors.Is(err, ErrClosed) {
				t.Fatalf("Get after Close: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		})
	}
}

// TestBadgerReopen commits blocks, closes, reopens and checks that every
// committed block is there, then keeps going.
func TestBadgerReopen(t *testing.T) {
	dir := t.TempDir()
	g := testGenesis(3)
	l, err := Open(openBadger(t, dir), g)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range uint64(7) {
		tx := transfer(t, 1, i, 2, 1000+i)
		id, _ := tx.ID()
		ids = append(ids, id.String())
		step(t, l, tx)
	}
	height, root, last := l.Height(), l.StateRoot(), l.LastBlockID()
	bal := balance(t, l, 2)
	snaps, _ := l.Snapshots()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	l, err = Open(openBadger(t, dir), g)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Height() != height || l.StateRoot() != root || l.LastBlockID() != last || balance(t, l, 2) != bal {
		t.Fatalf("after reopen: height %d root %s, want %d %s", l.Height(), l.StateRoot(), height, root)
	}
	if got, _ := l.Snapshots(); len(got) != len(snaps) {
		t.Fatalf("snapshots %v, want %v", got, snaps)
	}
	for h := uint64(1); h <= height; h++ {
		b, cert, err := l.Block(h)
		if err != nil || b.Header.Height != h || string(cert) != "cert" {
			t.Fatalf("Block(%d): %v", h, err)
		}
	}
	tx, _ := protocols.DecodeTx(mustEncode(t, transfer(t, 1, 3, 2, 1003)))
	id, _ := tx.ID()
	if st, _ := l.TxStatus(id); st.State != TxCommitted || st.Height != 4 {
		t.Fatalf("TxStatus after reopen: %+v", st)
	}
	step(t, l, transfer(t, 1, 7, 2, 1))
	if l.Height() != height+1 {
		t.Fatal("no progress after reopen")
	}
	checkSupply(t, l)
}

func mustEncode(t testing.TB, tx *protocols.Tx) []byte {
	b, err := protocols.EncodeTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenRefusesForeignStores(t *testing.T) {
	s := NewMemStore()
	g := testGenesis(1)
	if _, err := Open(s, g); err != nil {
		t.Fatal(err)
	}
	other := testGenesis(2)
	if _, err := Open(s, other); !errors.Is(err, ErrGenesisMismatch) {
		t.Fatalf("other genesis: %v", err)
	}
	v, _ := protocols.Marshal(uint64(SchemaVersion + 1))
	s.Write([]KV{{Key: keySchema, Value: v}})
	_, err := Open(s, g)
	if !errors.Is(err, ErrSchemaVersion) {
		t.Fatalf("newer schema: %v", err)
	}
	t.Log(err)

	half := NewMemStore()
	half.Write([]KV{{Key: storeKey(accountKey(acct(1))), Value: []byte{1}}})
	if _, err := Open(half, g); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("store with data and no schema: %v", err)
	}
}

func TestGenesisState(t *testing.T) {
	l := openMem(t, testGenesis(3))
	if l.Height() != 0 {
		t.Fatal("height")
	}
	gid, _ := testGenesis(3).Hash()
	if l.LastBlockID() != gid || l.GenesisID() != gid {
		t.Fatal("height 0's block ID is not the genesis hash")
	}
	issued, burned, _ := l.Supply()
	if issued != 3000*market.RaoPerTAO || burned != 0 {
		t.Fatalf("supply %v %v", issued, burned)
	}
	if hs, _ := l.Snapshots(); len(hs) != 1 || hs[0] != 0 {
		t.Fatalf("snapshots %v, want [0]", hs)
	}
	// Two ledgers of one genesis agree on its root.
	if openMem(t, testGenesis(3)).StateRoot() != l.StateRoot() {
		t.Fatal("genesis root not deterministic")
	}
}

// TestBadgerOpenTwice: a second process (here, a second open) on a store
// in use gets an error that says so and names the fix, not only badger's
// lock message.
func TestBadgerOpenTwice(t *testing.T) {
	dir := t.TempDir()
	s := openBadger(t, dir)
	defer s.Close()
	_, err := OpenBadger(testBadgerOptions(dir))
	if err == nil || !strings.Contains(err.Error(), "another process has it open") || !strings.Contains(err.Error(), "--data-dir") {
		t.Fatalf("second open: %v", err)
	}
}
