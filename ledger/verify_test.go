package ledger

import (
	"errors"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// TestWithVerify checks that the mempool and block validation check
// signatures through the configured function: a cache shared by two
// replicas verifies each transaction once, and a tampered signature is
// still rejected.
func TestWithVerify(t *testing.T) {
	g := testGenesis(2)
	cache := protocols.NewVerifyCache(64)
	a, err := Open(NewMemStore(), g, WithVerify(cache.Verify))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(NewMemStore(), g, WithVerify(cache.Verify))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	tx := transfer(t, 1, 0, 2, 5)
	if err := a.SubmitTx(tx); err != nil {
		t.Fatal(err)
	}
	blk := propose(t, a)
	if err := b.ValidateBlock(blk); err != nil {
		t.Fatalf("ValidateBlock: %v", err)
	}
	if err := b.CommitBlock(blk, []byte("cert")); err != nil {
		t.Fatalf("CommitBlock: %v", err)
	}
	if hits, all := cache.Stats(); hits != 1 || all != 2 {
		t.Fatalf("cache %d hits of %d lookups, want 1 of 2 (mempool verifies, block validation hits)", hits, all)
	}

	bad := transfer(t, 1, 1, 2, 5)
	bad.Sig[0] ^= 1
	if err := b.SubmitTx(bad); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered signature: got %v, want ErrBadSignature", err)
	}
	raw := rawBlock(t, b, bad)
	if err := b.ValidateBlock(raw); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("block with a tampered signature: got %v, want ErrBadSignature", err)
	}
}

// TestMempoolAdvancesOverItsPrefix: a committed block made of the pool's
// oldest transactions moves the check state without re-executing the
// rest, and the pool goes on accepting and proposing as if it had.
func TestMempoolAdvancesOverItsPrefix(t *testing.T) {
	l := openMem(t, testGenesis(3))
	for n := range uint64(4) {
		if err := l.SubmitTx(transfer(t, 1, n, 2, 7)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SubmitTx(transfer(t, 3, 0, 2, 7)); err != nil {
		t.Fatal(err)
	}
	for i := range maxAdvances + 2 { // past the forced reset too
		h := l.Height() + 1
		b, err := l.ProposeBlock(h, blockTime(h), proposer(), 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.CommitBlock(b, []byte("cert")); err != nil {
			t.Fatal(err)
		}
		if l.pool.advanced != (i+1)%(maxAdvances+1) {
			t.Fatalf("height %d: advanced %d times since a reset, want %d", h, l.pool.advanced, (i+1)%(maxAdvances+1))
		}
		next, err := l.Mempool().NextNonce(acct(1))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.SubmitTx(transfer(t, 1, next, 2, 7)); err != nil {
			t.Fatalf("height %d: nonce %d: %v", h, next, err)
		}
		if err := l.SubmitTx(transfer(t, 1, next-1, 2, 7)); err == nil {
			t.Fatalf("height %d: nonce %d taken twice", h, next-1)
		}
	}
	for n, _ := l.Mempool().Size(); n > 0; n, _ = l.Mempool().Size() {
		step(t, l)
	}
	n, _ := l.Nonce(acct(1))
	if got := balance(t, l, 2); got != 1000*market.RaoPerTAO+market.Rao(7*(n+1)) {
		t.Fatalf("recipient holds %v after %d+1 transfers of 7 rao", got, n)
	}
	checkSupply(t, l)
}
