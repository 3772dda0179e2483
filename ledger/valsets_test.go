package ledger

import (
	"bytes"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// Recorded (at 3f724fc) from the chain of setChangeChain before the store kept
// validator sets: keeping them writes outside the state namespace, so the
// state root and the state digest of the same chain must not move.
// Re-recorded when SubnetAlphaOut began to keep the unowned alpha
// (dtao.md §5, §7): a state diff of this chain before and after showed
// only subnet 1's record (AlphaOut, UnownedAlpha, AlphaEmission and what
// the larger alpha issuance moves: root proportion, injection, pending
// validator alpha), its uid 0's last-epoch emission and the owner hotkey's
// stake on it (both grow as less root alpha is recycled).
const (
	setChangeRoot   = "feedf7de74fa85267f29e7b3dcaa6918484e6e58248887082aff0964a0199a61"
	setChangeDigest = "dec3001829fcae91748cebd87372abbcc050bc5956aee682d18190b18639ae95"
)

// setChangeChain commits, on l, a chain whose validator set changes twice:
// hotkey 150 declares a consensus node with root stake and joins at a
// tempo boundary, then leaves at the next. It returns the committed
// blocks, oldest first.
func setChangeChain(t *testing.T, l *Ledger) []*protocols.Block {
	t.Helper()
	s := newSigner(t)
	var blocks []*protocols.Block
	add := func(txs ...*protocols.Tx) { blocks = append(blocks, step(t, l, txs...)) }
	untilEpoch := func() {
		for {
			add()
			if l.Height()%uint64(l.Chain().Params.Tempo) == 0 {
				return
			}
		}
	}
	add(s.ok(1, &protocols.CreateSubnet{OwnerHotkey: hk(150), Name: "v"}))
	add(s.ok(2, &protocols.AddStake{Hotkey: hk(150), NetUID: 0, Amount: 5 * uint64(market.RaoPerTAO)}))
	add(s.ok(150, &protocols.SetConsensus{Active: true}))
	untilEpoch()
	if vs, _ := l.Validators(); len(vs) != 2 {
		t.Fatalf("validators after the candidate staked: %+v, want 2", vs)
	}
	add(s.ok(150, &protocols.SetConsensus{Active: false}))
	untilEpoch()
	add()
	if vs, _ := l.Validators(); len(vs) != 1 {
		t.Fatalf("validators after the candidate left: %+v, want 1", vs)
	}
	return blocks
}

// TestValidatorSetsKept: on badger, every committed block's validator set
// is found by the header's ValidatorsHash, the genesis set (block 1's)
// included, after the set has changed twice and after a reopen; an unknown
// hash is absent, not an error; and the chain's state root and digest are
// the ones recorded before the sets were kept.
func TestValidatorSetsKept(t *testing.T) {
	dir := t.TempDir()
	g := testGenesis(5)
	l, err := Open(openBadger(t, dir), g)
	if err != nil {
		t.Fatal(err)
	}
	blocks := setChangeChain(t, l)
	d, err := StateDigest(stateView{l.store})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.StateRoot().String(); got != setChangeRoot {
		t.Errorf("state root %s, recorded %s", got, setChangeRoot)
	}
	if got := d.String(); got != setChangeDigest {
		t.Errorf("state digest %s, recorded %s", got, setChangeDigest)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = Open(openBadger(t, dir), g)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	distinct := map[string]int{} // validators hash -> set size
	for _, b := range blocks {
		vh := b.Header.ValidatorsHash
		vs, ok, err := l.ValidatorSetByHash(vh)
		if err != nil || !ok {
			t.Fatalf("block %d: validator set %x: found %v, %v", b.Header.Height, vh, ok, err)
		}
		if h, _ := vs.Hash(); !bytes.Equal(h, vh) {
			t.Fatalf("block %d: the set found hashes to %x, the header names %x", b.Header.Height, h, vh)
		}
		if !vs.Has(b.Header.Proposer) {
			t.Errorf("block %d: proposer not in the set found", b.Header.Height)
		}
		distinct[string(vh)] = len(vs)
	}
	if len(distinct) != 2 {
		t.Fatalf("%d distinct validator sets committed blocks, want 2 (genesis, with the candidate)", len(distinct))
	}
	genesis := distinct[string(blocks[0].Header.ValidatorsHash)]
	if genesis != 1 {
		t.Errorf("block 1's set has %d validators, want the genesis's 1", genesis)
	}
	if _, ok, err := l.ValidatorSetByHash(make([]byte, 32)); ok || err != nil {
		t.Errorf("unknown hash: found %v, %v; want absent, no error", ok, err)
	}
	checkSupply(t, l)
}

// TestValidatorSetsAbsent: a store without the kept set of a block (one
// written before sets were kept, or restored from a later snapshot)
// answers absent, not an error, and the next commit keeps the current set.
func TestValidatorSetsAbsent(t *testing.T) {
	l := openMem(t, testGenesis(2))
	b := step(t, l)
	vh := b.Header.ValidatorsHash
	if err := l.store.Write([]KV{{Key: validatorSetKey(vh)}}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := l.ValidatorSetByHash(vh); ok || err != nil {
		t.Fatalf("deleted set: found %v, %v; want absent, no error", ok, err)
	}
	step(t, l)
	if vs, ok, err := l.ValidatorSetByHash(vh); !ok || err != nil || len(vs) != 1 {
		t.Fatalf("after the next commit: %+v found %v, %v; want the current set", vs, ok, err)
	}
}
