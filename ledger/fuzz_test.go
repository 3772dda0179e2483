package ledger

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/taonet/tao/protocols"
)

// FuzzParseGenesis: no input panics, and an accepted genesis survives a
// JSON round trip with the same hash.
func FuzzParseGenesis(f *testing.F) {
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(testGenesis(2))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"chain_id":"dev","time":1}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGenesis(bytes.NewReader(b))
		if err != nil {
			return
		}
		h1, err := g.Hash()
		if err != nil {
			t.Fatalf("accepted genesis has no hash: %v", err)
		}
		again, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		g2, err := ParseGenesis(strings.NewReader(string(again)))
		if err != nil {
			t.Fatalf("re-encoded genesis rejected: %v", err)
		}
		if h2, _ := g2.Hash(); h1 != h2 {
			t.Fatal("genesis hash changed through JSON")
		}
	})
}

// FuzzValidateBlock: any block bytes a peer sends are decoded and
// validated against a chain without a panic.
func FuzzValidateBlock(f *testing.F) {
	l := openMem(f, testGenesis(3))
	step(f, l, transfer(f, 1, 0, 2, 5))
	for _, tx := range []*protocols.Tx{transfer(f, 1, 1, 3, 7), transfer(f, 2, 0, 1, 9)} {
		if err := l.SubmitTx(tx); err != nil {
			f.Fatal(err)
		}
	}
	good, err := protocols.EncodeBlock(propose(f, l))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	empty := rawBlock(f, l)
	if eb, err := protocols.EncodeBlock(empty); err == nil {
		f.Add(eb)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := protocols.DecodeBlock(b)
		if err != nil {
			return
		}
		if err := l.ValidateBlock(blk); err != nil {
			return
		}
		// Accepted: it must be a well-formed next block (another time
		// stamp on the same transactions is a different valid block).
		if blk.Header.Height != l.Height()+1 || checkTxsHash(blk) != nil {
			t.Fatalf("accepted block at height %d", blk.Header.Height)
		}
	})
}
