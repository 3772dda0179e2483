package ledger

import (
	"bytes"
	"errors"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

func TestMempoolOrderAndNonces(t *testing.T) {
	l := openMem(t, testGenesis(3))
	m := l.Mempool()
	txs := []*protocols.Tx{
		transfer(t, 1, 0, 2, 1), transfer(t, 2, 0, 1, 2), transfer(t, 1, 1, 3, 3), transfer(t, 1, 2, 3, 4),
	}
	for _, tx := range txs {
		if err := m.Add(tx); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Add(txs[0]); !errors.Is(err, ErrTxKnown) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := m.Add(transfer(t, 1, 4, 2, 1)); !errors.Is(err, ErrBadNonce) {
		t.Fatalf("gap: %v", err)
	}
	got := m.Reap(1<<20, 3)
	if len(got) != 3 || got[0] != txs[0] || got[1] != txs[1] || got[2] != txs[2] {
		t.Fatal("Reap is not arrival order")
	}
	size := len(mustEncode(t, txs[0]))
	if got := m.Reap(size*2+size/2, 100); len(got) != 2 {
		t.Fatalf("Reap by bytes returned %d txs, want 2", len(got))
	}
	// Spending beyond the balance counts pending transactions.
	all := uint64(1000*market.RaoPerTAO) - 3*uint64(DefaultTxFee) - 1 - 3 - 4
	if err := m.Add(transfer(t, 1, 3, 2, all+1)); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("overspend with pending txs: %v", err)
	}
	if err := m.Add(transfer(t, 1, 3, 2, all-uint64(DefaultTxFee))); err != nil {
		t.Fatalf("exact spend: %v", err)
	}
}

func TestMempoolUpdateEvicts(t *testing.T) {
	g := testGenesis(3)
	a, b := openMem(t, g), openMem(t, g)
	// b holds account 1's nonce 0 and 1, and account 2's nonce 0.
	for _, tx := range []*protocols.Tx{transfer(t, 1, 0, 2, 10), transfer(t, 1, 1, 2, 11), transfer(t, 2, 0, 3, 12)} {
		if err := b.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
	}
	// a commits a different nonce 0 of account 1 and b's nonce-0 tx of
	// account 2: b's account-1 nonce 0 is now stale, its nonce 1 is next,
	// and account 2's is committed.
	blk := step(t, a, transfer(t, 1, 0, 3, 99), transfer(t, 2, 0, 3, 12))
	if err := b.CommitBlock(blk, nil); err != nil {
		t.Fatal(err)
	}
	if n, bytes := b.Mempool().Size(); n != 1 || bytes != len(mustEncode(t, transfer(t, 1, 1, 2, 11))) {
		t.Fatalf("mempool holds %d txs (%d bytes) after update, want account 1's nonce 1", n, bytes)
	}
	if err := b.SubmitTx(transfer(t, 1, 1, 2, 11)); !errors.Is(err, ErrTxKnown) {
		t.Fatalf("nonce 1: %v, want ErrTxKnown", err)
	}
	// Another nonce 1 of account 1 commits on a: b's pending one is now
	// stale and is evicted.
	drain := uint64(1000*market.RaoPerTAO) - 99 - 2*uint64(DefaultTxFee)
	blk = step(t, a, transfer(t, 1, 1, 3, drain))
	if err := b.CommitBlock(blk, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.Mempool().Size(); n != 0 {
		t.Fatalf("mempool holds %d txs, want 0", n)
	}
}

func TestMempoolBounds(t *testing.T) {
	g := testGenesis(2)
	l, err := Open(NewMemStore(), g, WithMempool(MempoolConfig{MaxTxs: 2}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range uint64(2) {
		if err := l.SubmitTx(transfer(t, 1, i, 2, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SubmitTx(transfer(t, 1, 2, 2, 1)); !errors.Is(err, ErrMempoolFull) {
		t.Fatalf("third tx: %v", err)
	}
	b := propose(t, l)
	if len(b.Txs) != 2 {
		t.Fatalf("proposal has %d txs", len(b.Txs))
	}
	one, err := l.ProposeBlock(1, blockTime(1), proposer(), 1)
	if err != nil || len(one.Txs) != 1 {
		t.Fatalf("maxTxs=1: %d txs, %v", len(one.Txs), err)
	}
	if err := l.CommitBlock(b, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.SubmitTx(transfer(t, 1, 2, 2, 1)); err != nil {
		t.Fatalf("after the block: %v", err)
	}
}

// TestMempoolUpdateReordered: a block of this pool's transfers in
// another order than the pool's (as a validator's pool sees the
// proposer's block) advances the check state without re-executing the
// rest, to what re-executing them gives.
func TestMempoolUpdateReordered(t *testing.T) {
	g := testGenesis(4)
	a, b := openMem(t, g), openMem(t, g)
	pool := []*protocols.Tx{ // b's arrival order
		transfer(t, 1, 0, 2, 5), transfer(t, 2, 0, 3, 7), transfer(t, 3, 0, 1, 9),
		transfer(t, 1, 1, 4, 11), transfer(t, 2, 1, 1, 13), transfer(t, 4, 0, 2, 17),
	}
	for _, tx := range pool {
		if err := b.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
	}
	// a's block: account 2's two transfers and account 3's, not b's
	// oldest (account 1's nonce 0 is older in b's pool).
	blk := step(t, a, pool[1], pool[2], pool[4])
	if err := b.CommitBlock(blk, nil); err != nil {
		t.Fatal(err)
	}
	m := b.Mempool()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.check == nil || m.advanced != 1 {
		t.Fatalf("check state not advanced (stale %v, advanced %d)", m.check == nil, m.advanced)
	}
	keys := [][]byte{supplyKey}
	for i := byte(1); i <= 4; i++ {
		keys = append(keys, accountKey(acct(i)))
	}
	var fast [][]byte
	for _, k := range keys {
		v, err := m.check.block.Get(k)
		if err != nil {
			t.Fatal(err)
		}
		fast = append(fast, v)
	}
	m.reset()
	if len(m.txs) != 3 {
		t.Fatalf("%d transactions pending after the re-check, want 3", len(m.txs))
	}
	for i, k := range keys {
		if v, _ := m.check.block.Get(k); !bytes.Equal(v, fast[i]) {
			t.Fatalf("key %x: advanced check state %x, re-executed %x", k, fast[i], v)
		}
	}
}
