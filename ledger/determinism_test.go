package ledger

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// TestDeterminism feeds random transaction sequences to one ledger's
// mempool, commits its proposals on a second ledger, and checks that both
// have the same state root at every height and that TAO is conserved:
// Σ balances = issued − burned, with burned = fees of committed txs.
func TestDeterminism(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			g := testGenesis(6)
			a, b := openMem(t, g), openMem(t, g)
			nonces := map[byte]uint64{}
			var fees market.Rao
			for range 15 {
				for range rng.IntN(12) {
					from, to := byte(1+rng.IntN(8)), byte(1+rng.IntN(8)) // 7 and 8 start empty
					nonce := nonces[from]
					if rng.IntN(10) == 0 {
						nonce += uint64(rng.IntN(3)) // sometimes a bad nonce
					}
					amount := rng.Uint64N(uint64(400 * market.RaoPerTAO))
					err := a.SubmitTx(transfer(t, from, nonce, to, amount+1))
					switch {
					case err == nil:
						nonces[from]++
					case errors.Is(err, ErrBadNonce), errors.Is(err, ErrInsufficientFunds):
					default:
						t.Fatalf("unexpected rejection: %v", err)
					}
				}
				blk := propose(t, a)
				fees += market.Rao(len(blk.Txs)) * DefaultTxFee
				for _, l := range []*Ledger{a, b} {
					if err := l.CommitBlock(blk, nil); err != nil {
						t.Fatal(err)
					}
				}
				if a.StateRoot() != b.StateRoot() {
					t.Fatalf("height %d: roots differ", a.Height())
				}
				checkSupply(t, a)
				checkSupply(t, b)
				if _, burned, _ := b.Supply(); burned != fees {
					t.Fatalf("burned %v, fees of committed txs %v", burned, fees)
				}
			}
			if n, _ := a.Mempool().Size(); n != 0 {
				t.Fatalf("%d txs left in the mempool", n)
			}
		})
	}
}

// TestApplyPure runs Apply twice on the same view and compares outcomes,
// and checks that Apply never writes to the view.
func TestApplyPure(t *testing.T) {
	l := openMem(t, testGenesis(4))
	var txs []*protocols.Tx
	for i := range byte(4) {
		txs = append(txs, transfer(t, i+1, 0, (i+1)%4+1, 1000+uint64(i)))
		if err := l.SubmitTx(txs[i]); err != nil {
			t.Fatal(err)
		}
	}
	blk := propose(t, l)
	view, tip := l.committed()
	before, _ := StateDigest(view)
	o1, err := Apply(view, l.Chain(), tip, blk)
	if err != nil {
		t.Fatal(err)
	}
	o2, err := Apply(view, l.Chain(), tip, blk)
	if err != nil {
		t.Fatal(err)
	}
	if o1.Root != o2.Root || o1.WriteSetCID != o2.WriteSetCID || len(o1.Writes) != len(o2.Writes) {
		t.Fatal("Apply is not deterministic")
	}
	if after, _ := StateDigest(view); after != before {
		t.Fatal("Apply wrote to its view")
	}
	// 4 accounts and the supply record.
	if len(o1.Writes) != 5 {
		t.Fatalf("%d writes, want 5", len(o1.Writes))
	}
	for i := 1; i < len(o1.Writes); i++ {
		if string(o1.Writes[i-1].Key) >= string(o1.Writes[i].Key) {
			t.Fatal("write set not sorted")
		}
	}
}

func TestChainRootDefinition(t *testing.T) {
	l := openMem(t, testGenesis(2))
	prev := l.StateRoot()
	step(t, l, transfer(t, 1, 0, 2, 1))
	var hr heightRecord
	hb, _ := l.store.Get(heightKey(nsHeight, 1))
	if err := decodeRecord(nil, hb, &hr); err != nil {
		t.Fatal(err)
	}
	if hr.PrevRoot != prev || len(hr.Digest) != 0 || hr.Root != l.StateRoot() {
		t.Fatalf("height record %+v", hr)
	}
	// Height 5 is a snapshot height of testGenesis: the digest is in the root.
	for range 4 {
		step(t, l)
	}
	hb, _ = l.store.Get(heightKey(nsHeight, 5))
	if err := decodeRecord(nil, hb, &hr); err != nil {
		t.Fatal(err)
	}
	d, _ := StateDigest(stateView{l.store})
	if len(hr.Digest) != 32 || Root(hr.Digest) != d {
		t.Fatal("snapshot height's digest is not the state's")
	}
}

func TestWriteSetCIDOrder(t *testing.T) {
	a := WriteSet{{Key: []byte("a"), Value: []byte{1}}, {Key: []byte("b")}}
	b := WriteSet{{Key: []byte("b")}, {Key: []byte("a"), Value: []byte{1}}}
	ca, _ := WriteSetCID(a)
	cb, _ := WriteSetCID(b)
	if ca == cb {
		t.Fatal("write set CID ignores order: the caller must sort, and the hash must see it")
	}
	e1, _ := WriteSetCID(nil)
	e2, _ := WriteSetCID(WriteSet{})
	if e1 != e2 {
		t.Fatal("nil and empty write sets hash differently")
	}
}
