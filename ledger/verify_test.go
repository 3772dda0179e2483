package ledger

import (
	"errors"
	"testing"

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
