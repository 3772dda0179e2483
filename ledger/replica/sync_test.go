package replica

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// nopTransport drops every message: the replica under test hears of
// blocks only through ApplyCertified.
type nopTransport struct{}

func (nopTransport) Gossip(context.Context, *protocols.ConsensusMessage) error       { return nil }
func (nopTransport) Send(context.Context, string, *protocols.ConsensusMessage) error { return nil }

// certify signs a commit certificate for value at height by the keys at
// signers (indices into keys), as the validators' precommits would.
func certify(t testing.TB, chainID string, keys []ed25519.PrivateKey, signers []int, height uint64, value []byte) *protocols.Commit {
	t.Helper()
	vs, err := validatorSetOf(keys)
	if err != nil {
		t.Fatal(err)
	}
	id := protocols.ValueID(value)
	c := &protocols.Commit{Version: protocols.ConsensusVersion, ChainID: chainID, Height: height, ValueID: id}
	for _, i := range signers {
		k := keys[i]
		v := &protocols.Vote{Version: protocols.ConsensusVersion, ChainID: chainID, Type: protocols.Precommit,
			Height: height, ValueID: id}
		if err := v.Sign(k); err != nil {
			t.Fatal(err)
		}
		c.Sigs = append(c.Sigs, protocols.CommitSig{Index: uint32(vs.Index(k.Public().(ed25519.PublicKey))), Sig: v.Sig})
	}
	// Signatures are in validator order.
	for i := 1; i < len(c.Sigs); i++ {
		for j := i; j > 0 && c.Sigs[j].Index < c.Sigs[j-1].Index; j-- {
			c.Sigs[j], c.Sigs[j-1] = c.Sigs[j-1], c.Sigs[j]
		}
	}
	return c
}

func validatorSetOf(keys []ed25519.PrivateKey) (consensus.ValidatorSet, error) {
	var vals []protocols.Validator
	for _, k := range keys {
		vals = append(vals, protocols.Validator{PubKey: k.Public().(ed25519.PublicKey), Power: 10})
	}
	return consensus.NewValidatorSet(vals)
}

// certifiedChain commits n empty blocks to a fresh in-memory ledger,
// each with a certificate signed by every validator, and returns it.
func certifiedChain(t testing.TB, g *ledger.Genesis, keys []ed25519.PrivateKey, n int) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(ledger.NewMemStore(), g)
	if err != nil {
		t.Fatal(err)
	}
	all := []int{0, 1, 2, 3}
	for h := uint64(1); h <= uint64(n); h++ {
		b, err := l.ProposeBlock(h, l.Tip().Time+1, keys[0].Public().(ed25519.PublicKey), 100)
		if err != nil {
			t.Fatal(err)
		}
		value, err := protocols.EncodeBlock(b)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := protocols.EncodeCommit(certify(t, g.ChainID, keys, all, h, value))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.CommitBlock(b, cert); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// certified returns the stored block at h of l as block sync carries it.
func certified(t testing.TB, l *ledger.Ledger, h uint64) ([]byte, *protocols.Commit) {
	t.Helper()
	value, err := l.BlockBytes(h)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := l.CommitBytes(h)
	if err != nil {
		t.Fatal(err)
	}
	c, err := protocols.DecodeCommit(cb)
	if err != nil {
		t.Fatal(err)
	}
	return value, c
}

func testKeys() []ed25519.PrivateKey {
	var keys []ed25519.PrivateKey
	for i := range 4 {
		keys = append(keys, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)))
	}
	return keys
}

func startFollower(t testing.TB, g *ledger.Genesis) (*Replica, *ledger.Ledger) {
	t.Helper()
	l, err := ledger.Open(ledger.NewMemStore(), g)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Ledger: l, Dir: t.TempDir(), Transport: nopTransport{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, l
}

// TestApplyCertifiedFollowsAChain: a follower that hears nothing else
// commits a certified chain block by block and ends at its state root.
func TestApplyCertifiedFollowsAChain(t *testing.T) {
	keys := testKeys()
	g := testGenesis(keys)
	const n = 200
	src := certifiedChain(t, g, keys, n)
	r, l := startFollower(t, g)
	ctx := context.Background()
	began := time.Now()
	for h := uint64(1); h <= n; h++ {
		value, c := certified(t, src, h)
		if err := r.ApplyCertified(ctx, value, c); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
	}
	t.Logf("%d blocks in %v", n, time.Since(began))
	if l.Height() != n || l.StateRoot() != src.StateRoot() {
		t.Fatalf("follower at %d root %s, chain at %d root %s", l.Height(), l.StateRoot(), n, src.StateRoot())
	}
	// A block again (catch-up got there first) is not an error.
	value, c := certified(t, src, n-1)
	if err := r.ApplyCertified(ctx, value, c); err != nil {
		t.Fatalf("stale block: %v", err)
	}
}

// TestApplyCertifiedRejects: what a bad sync peer might send is refused
// with the error that blames it, and commits nothing.
func TestApplyCertifiedRejects(t *testing.T) {
	keys := testKeys()
	g := testGenesis(keys)
	src := certifiedChain(t, g, keys, 3)
	value, c := certified(t, src, 1)
	other, _ := certified(t, src, 2)
	stranger := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{99}, 32))
	// A block every validator signed although its state root is wrong:
	// only a faulty supermajority could certify it, and the relaying peer
	// is not to blame.
	bad, _, err := src.Block(1)
	if err != nil {
		t.Fatal(err)
	}
	bad.Header.StateRoot = make([]byte, 32)
	badValue, err := protocols.EncodeBlock(bad)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		value  []byte
		commit *protocols.Commit
		want   error
	}{
		{"two-of-four", value, certify(t, g.ChainID, keys, []int{0, 1}, 1, value), ErrBadCertified},
		{"value-not-certified", other, c, ErrBadCertified},
		{"signed-by-stranger", value, certify(t, g.ChainID, append(keys[:3:3], stranger), []int{0, 1, 2, 3}, 1, value), ErrBadCertified},
		{"other-chain", value, certify(t, "otherchain", keys, []int{0, 1, 2, 3}, 1, value), ErrBadCertified},
		{"gap", other, func() *protocols.Commit { _, c := certified(t, src, 3); return c }(), ErrNotNext},
	}
	r, l := startFollower(t, g)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.ApplyCertified(context.Background(), tt.value, tt.commit)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if l.Height() != 0 {
				t.Fatalf("committed up to %d", l.Height())
			}
		})
	}
	if err := r.ApplyCertified(context.Background(), value, c); err != nil || l.Height() != 1 {
		t.Fatalf("the good block after bad ones: height %d, %v", l.Height(), err)
	}
	// On a replica of its own: the validators' precommits for the bad
	// block occupy the height (as they would on every honest node).
	r2, l2 := startFollower(t, g)
	if err := r2.ApplyCertified(context.Background(), badValue, certify(t, g.ChainID, keys, []int{0, 1, 2, 3}, 1, badValue)); !errors.Is(err, ErrNotApplied) || l2.Height() != 0 {
		t.Fatalf("certified invalid block: height %d, %v, want ErrNotApplied", l2.Height(), err)
	}
}
