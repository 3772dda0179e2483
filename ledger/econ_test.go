package ledger

import (
	"errors"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// signer builds signed transactions with each key's next nonce.
type signer struct {
	t      testing.TB
	nonces map[byte]uint64
}

func newSigner(t testing.TB) *signer { return &signer{t: t, nonces: map[byte]uint64{}} }

// tx returns body signed by key seed with its next nonce; the nonce is
// only consumed if commit is called (a rejected tx does not use it).
func (s *signer) tx(seed byte, body protocols.TxBody) *protocols.Tx {
	s.t.Helper()
	tx, err := protocols.NewTx(testChain, s.nonces[seed], uint64(DefaultTxFee), body)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := tx.Sign(key(seed)); err != nil {
		s.t.Fatal(err)
	}
	return tx
}

// ok returns tx and consumes its nonce.
func (s *signer) ok(seed byte, body protocols.TxBody) *protocols.Tx {
	tx := s.tx(seed, body)
	s.nonces[seed]++
	return tx
}

func hk(seed byte) []byte { h := hotkey(seed); return h[:] }

const (
	ownerSeed = 1   // subnet owner coldkey
	ownerHK   = 101 // its hotkey, uid 0
)

// marketChain returns a ledger with a subnet (netuid 1, commit-reveal off)
// whose owner is account 1, miners hotkeys 102..(101+miners) owned by
// coldkeys 2.., and validators hotkeys after them, each staked by its own
// coldkey with stake TAO. Accounts 1..40 hold 1000 TAO.
func marketChain(t testing.TB, miners, validators int, stake market.Rao) (*Ledger, *signer) {
	t.Helper()
	l := openMem(t, testGenesis(40))
	s := newSigner(t)
	step(t, l, s.ok(ownerSeed, &protocols.CreateSubnet{OwnerHotkey: hk(ownerHK), Name: "text", Task: "text-generation"}))
	step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "commit_reveal", Value: 0}))
	for i := range miners + validators {
		cold, hot := byte(2+i), byte(102+i)
		step(t, l, s.ok(cold, &protocols.Register{NetUID: 1, Hotkey: hk(hot)}))
	}
	var txs []*protocols.Tx
	for i := range validators {
		cold, hot := byte(2+miners+i), byte(102+miners+i)
		txs = append(txs, s.ok(cold, &protocols.AddStake{Hotkey: hk(hot), NetUID: 1, Amount: uint64(stake)}))
	}
	step(t, l, txs...)
	checkSupply(t, l)
	return l, s
}

func TestMarketEpochsPayTheMinerWithMostWeight(t *testing.T) {
	const miners, validators = 4, 3
	l, s := marketChain(t, miners, validators, 100*market.RaoPerTAO)
	m, err := l.Metagraph(1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subnet.N != 1+miners+validators {
		t.Fatalf("N = %d", m.Subnet.N)
	}
	// Every validator weights miner uids 1..4 as 1,2,3,4: uid 4 is best.
	uids := []uint16{1, 2, 3, 4}
	var txs []*protocols.Tx
	for i := range validators {
		txs = append(txs, s.ok(byte(102+miners+i), &protocols.SetWeights{NetUID: 1, UIDs: uids, Values: []uint16{1, 2, 3, 4}}))
	}
	step(t, l, txs...)
	issued0, _, _ := l.Supply()
	for range 2*10 + 2 { // two tempos of the dev preset
		step(t, l)
		checkSupply(t, l)
	}
	m, err = l.Metagraph(1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subnet.EpochIndex < 2 {
		t.Fatalf("epoch index %d after two tempos", m.Subnet.EpochIndex)
	}
	best := m.Neurons[4]
	for _, n := range m.Neurons[1:4] {
		if n.Incentive >= best.Incentive || n.Stake >= best.Stake {
			t.Errorf("uid %d incentive %d stake %v ≥ best uid 4's %d %v", n.UID, n.Incentive, n.Stake, best.Incentive, best.Stake)
		}
	}
	if best.Stake == 0 || best.Emission == 0 {
		t.Errorf("best miner earned nothing: %+v", best)
	}
	for _, n := range m.Neurons[1+miners:] {
		if n.Dividends == 0 || !n.Permit {
			t.Errorf("validator uid %d: dividends %d permit %v", n.UID, n.Dividends, n.Permit)
		}
	}
	if m.Subnet.AlphaOut == 0 || m.Subnet.AlphaEmission == 0 {
		t.Errorf("no alpha emission: %+v", m.Subnet)
	}
	issued, _, _ := l.Supply()
	if issued <= issued0 {
		t.Errorf("issuance did not grow: %v → %v", issued0, issued)
	}
	e, err := l.Economy()
	if err != nil || len(e.Subnets) != 1 {
		t.Fatalf("economy %+v %v", e, err)
	}
}

func TestMarketStakeRoundTrip(t *testing.T) {
	l, s := marketChain(t, 1, 1, 50*market.RaoPerTAO)
	const staker = 30
	before := balance(t, l, staker)
	step(t, l, s.ok(staker, &protocols.AddStake{Hotkey: hk(103), NetUID: 1, Amount: 10 * uint64(market.RaoPerTAO)}))
	st, err := l.Stakes(acct(staker))
	if err != nil || len(st) != 1 || st[0].Alpha == 0 {
		t.Fatalf("stakes %+v %v", st, err)
	}
	step(t, l, s.ok(staker, &protocols.RemoveStake{Hotkey: hk(103), NetUID: 1, Amount: uint64(st[0].Alpha)}))
	after := balance(t, l, staker)
	if after >= before {
		t.Errorf("a stake round trip gained TAO: %v → %v", before, after)
	}
	if st, _ := l.Stakes(acct(staker)); len(st) != 0 && st[0].Alpha > 10 {
		t.Errorf("stake left after removing all: %+v", st)
	}
	checkSupply(t, l)

	// Root stake, then a move to the subnet.
	step(t, l, s.ok(staker, &protocols.AddStake{Hotkey: hk(103), NetUID: 0, Amount: 5 * uint64(market.RaoPerTAO)}))
	step(t, l, s.ok(staker, &protocols.MoveStake{FromHotkey: hk(103), FromNetUID: 0, ToHotkey: hk(102), ToNetUID: 1, Amount: 2 * uint64(market.RaoPerTAO)}))
	st, _ = l.Stakes(acct(staker))
	if len(st) != 2 {
		t.Fatalf("stakes after move: %+v", st)
	}
	checkSupply(t, l)
}

// rejects submits tx and asserts it is refused with want, leaving the
// state and the mempool unchanged.
func rejects(t *testing.T, l *Ledger, tx *protocols.Tx, want error) {
	t.Helper()
	root := l.StateRoot()
	n, _ := l.Mempool().Size()
	err := l.SubmitTx(tx)
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if m, _ := l.Mempool().Size(); m != n {
		t.Fatalf("mempool grew on a rejection")
	}
	step(t, l)
	if l.StateRoot() == root {
		t.Fatal("no block committed")
	}
	checkSupply(t, l)
}

func TestMarketRejections(t *testing.T) {
	l, s := marketChain(t, 2, 1, 50*market.RaoPerTAO)
	const v = 104 // the validator hotkey
	t.Run("stake beyond balance", func(t *testing.T) {
		rejects(t, l, s.tx(30, &protocols.AddStake{Hotkey: hk(102), NetUID: 1, Amount: 5000 * uint64(market.RaoPerTAO)}), ErrInsufficientFunds)
	})
	t.Run("limit price crossed", func(t *testing.T) {
		rejects(t, l, s.tx(30, &protocols.AddStake{Hotkey: hk(102), NetUID: 1, Amount: 100 * uint64(market.RaoPerTAO), LimitPrice: 1}), market.ErrLimitPriceCrossed)
	})
	t.Run("unknown uid", func(t *testing.T) {
		rejects(t, l, s.tx(v, &protocols.SetWeights{NetUID: 1, UIDs: []uint16{1, 200}, Values: []uint16{1, 1}}), ErrBadWeights)
	})
	t.Run("duplicate uid", func(t *testing.T) {
		_, err := protocols.NewTx(testChain, 0, uint64(DefaultTxFee), &protocols.SetWeights{NetUID: 1, UIDs: []uint16{1, 1}, Values: []uint16{1, 1}})
		if !errors.Is(err, protocols.ErrBadTx) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unknown subnet", func(t *testing.T) {
		rejects(t, l, s.tx(30, &protocols.Register{NetUID: 9, Hotkey: hk(130)}), ErrUnknownSubnet)
	})
	t.Run("not owner", func(t *testing.T) {
		rejects(t, l, s.tx(30, &protocols.SetSubnetParams{NetUID: 1, Param: "tempo", Value: 5}), ErrNotOwner)
	})
	t.Run("bad param", func(t *testing.T) {
		rejects(t, l, s.tx(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "tempo", Value: 0}), ErrBadParam)
	})
	t.Run("hotkey of another coldkey", func(t *testing.T) {
		rejects(t, l, s.tx(30, &protocols.Register{NetUID: 1, Hotkey: hk(102)}), ErrHotkeyOwned)
	})
	t.Run("max weight limit", func(t *testing.T) {
		step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "max_weight_limit", Value: 40000}))
		rejects(t, l, s.tx(v, &protocols.SetWeights{NetUID: 1, UIDs: []uint16{1, 2}, Values: []uint16{9, 1}}), ErrBadWeights)
		step(t, l, s.ok(v, &protocols.SetWeights{NetUID: 1, UIDs: []uint16{1, 2}, Values: []uint16{5, 4}}))
		step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "max_weight_limit", Value: 65535}))
	})
	t.Run("weights rate limit", func(t *testing.T) {
		// The weights of "max weight limit" were the validator's last.
		step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "weights_rate_limit", Value: 100}))
		rejects(t, l, s.tx(v, &protocols.SetWeights{NetUID: 1, UIDs: []uint16{2}, Values: []uint16{1}}), ErrRateLimited)
	})
}

func TestMarketCommitReveal(t *testing.T) {
	l, s := marketChain(t, 2, 1, 50*market.RaoPerTAO)
	const v = 104
	step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "commit_reveal", Value: 1}))
	step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "reveal_period", Value: 3}))
	rejects(t, l, s.tx(v, &protocols.SetWeights{NetUID: 1, UIDs: []uint16{1}, Values: []uint16{1}}), ErrCommitReveal)
	uids, vals, salt := []uint16{1, 2}, []uint16{3, 1}, []byte("salt")
	h := hotkey(v)
	step(t, l, s.ok(v, &protocols.CommitWeights{NetUID: 1, Hash: protocols.WeightsCommitHash(h[:], 1, uids, vals, salt, 0)}))
	rejects(t, l, s.tx(v, &protocols.RevealWeights{NetUID: 1, UIDs: uids, Values: vals, Salt: salt}), ErrRevealTooEarly)
	step(t, l)
	rejects(t, l, s.tx(v, &protocols.RevealWeights{NetUID: 1, UIDs: uids, Values: vals, Salt: []byte("pepper")}), ErrBadReveal)
	step(t, l, s.ok(v, &protocols.RevealWeights{NetUID: 1, UIDs: uids, Values: vals, Salt: salt}))
	m, _ := l.Metagraph(1)
	w := m.Neurons[3].Weights
	if len(w) != 2 || w[0] != [2]uint16{1, 65535} || w[1] != [2]uint16{2, 21845} {
		t.Fatalf("revealed weights %v", w)
	}
	rejects(t, l, s.tx(v, &protocols.RevealWeights{NetUID: 1, UIDs: uids, Values: vals, Salt: salt}), ErrNoCommit)

	// The commit rate limit counts from the last commit, not from the
	// reveal: with a rate limit as long as the reveal period, the next
	// commit may follow its reveal at once.
	step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "weights_rate_limit", Value: 3}))
	hash := protocols.WeightsCommitHash(h[:], 1, uids, vals, salt, 0)
	step(t, l, s.ok(v, &protocols.CommitWeights{NetUID: 1, Hash: hash}))
	rejects(t, l, s.tx(v, &protocols.CommitWeights{NetUID: 1, Hash: hash}), ErrRateLimited)
	step(t, l)
	step(t, l, s.ok(v, &protocols.RevealWeights{NetUID: 1, UIDs: uids, Values: vals, Salt: salt}))
	step(t, l, s.ok(v, &protocols.CommitWeights{NetUID: 1, Hash: hash}))
}

func TestMarketFullSubnetImmunity(t *testing.T) {
	l, s := marketChain(t, 0, 0, 0)
	step(t, l, s.ok(ownerSeed, &protocols.SetSubnetParams{NetUID: 1, Param: "max_uids", Value: 3}))
	step(t, l, s.ok(2, &protocols.Register{NetUID: 1, Hotkey: hk(102)}))
	step(t, l, s.ok(3, &protocols.Register{NetUID: 1, Hotkey: hk(103)}))
	rejects(t, l, s.tx(4, &protocols.Register{NetUID: 1, Hotkey: hk(104)}), ErrSubnetFull)
	// After the immunity period (20 blocks on dev) the lowest-emission uid
	// is replaced.
	for range 21 {
		step(t, l)
	}
	step(t, l, s.ok(4, &protocols.Register{NetUID: 1, Hotkey: hk(104)}))
	if _, ok, _ := l.UID(1, hotkey(104)); !ok {
		t.Fatal("hotkey 104 not registered after immunity")
	}
	checkSupply(t, l)
}

func TestGenesisSubnets(t *testing.T) {
	g := testGenesis(3)
	g.Subnets = []GenesisSubnet{{Owner: acct(1), OwnerHotkey: hotkey(101), Name: "g", Lock: 100 * market.RaoPerTAO,
		Neurons: []GenesisNeuron{{Hotkey: hotkey(102), Coldkey: acct(2), Stake: 10 * market.RaoPerTAO}, {Hotkey: hotkey(103), Coldkey: acct(3)}}}}
	l := openMem(t, g)
	m, err := l.Metagraph(1)
	if err != nil || m.Subnet.N != 3 || m.Neurons[1].Stake == 0 {
		t.Fatalf("metagraph %+v %v", m, err)
	}
	checkSupply(t, l)
	for range 12 {
		step(t, l)
		checkSupply(t, l)
	}
}

func TestMarketRegistrationsWaitForTheirBlock(t *testing.T) {
	l, s := marketChain(t, 0, 0, 0)
	b := step(t, l, s.ok(2, &protocols.Register{NetUID: 1, Hotkey: hk(102)}), s.ok(3, &protocols.Register{NetUID: 1, Hotkey: hk(103)}),
		s.ok(3, &protocols.Transfer{To: hk(50), Amount: 1}))
	if len(b.Txs) != 1 {
		t.Fatalf("block holds %d transactions, want the first registration only", len(b.Txs))
	}
	if n, _ := l.Mempool().Size(); n != 2 {
		t.Fatalf("mempool holds %d, want the deferred registration and its signer's next transaction", n)
	}
	b = step(t, l)
	if len(b.Txs) != 2 {
		t.Fatalf("next block holds %d transactions, want 2", len(b.Txs))
	}
	for _, h := range []byte{102, 103} {
		if _, ok, _ := l.UID(1, hotkey(h)); !ok {
			t.Errorf("hotkey %d not registered", h)
		}
	}
}

func TestValidatorSetFollowsCandidatesStake(t *testing.T) {
	l := openMem(t, testGenesis(5))
	s := newSigner(t)
	step(t, l, s.ok(1, &protocols.CreateSubnet{OwnerHotkey: hk(150), Name: "v"}))
	// Root stake on a hotkey that is no candidate elects nobody.
	step(t, l, s.ok(2, &protocols.AddStake{Hotkey: hk(150), NetUID: 0, Amount: 5 * uint64(market.RaoPerTAO)}))
	untilEpoch := func() {
		for {
			step(t, l)
			if l.Height()%uint64(l.Chain().Params.Tempo) == 0 {
				return
			}
		}
	}
	untilEpoch()
	if vs, _ := l.Validators(); len(vs) != 1 {
		t.Fatalf("a non-candidate joined the set: %+v", vs)
	}
	step(t, l, s.ok(150, &protocols.SetConsensus{Active: true}))
	untilEpoch()
	vs, _ := l.Validators()
	if len(vs) != 2 || vs[0].Hotkey != hotkey(150) || vs[0].Power != 5*uint64(market.RaoPerTAO) || vs[0].Coldkey != acct(1) {
		t.Fatalf("validators after the candidate staked: %+v", vs)
	}
	step(t, l, s.ok(150, &protocols.SetConsensus{Active: false}))
	untilEpoch()
	if vs, _ := l.Validators(); len(vs) != 1 || vs[0].Hotkey != hotkey(proposerSeed) {
		t.Fatalf("validators after the candidate left: %+v", vs)
	}
	checkSupply(t, l)
}

func TestEquivocationSlashesAndJails(t *testing.T) {
	const byz = 201
	g := testGenesis(3)
	g.Validators = append(g.Validators, Validator{Hotkey: hotkey(byz), Coldkey: acct(3), Power: 10})
	l := openMem(t, g)
	s := newSigner(t)
	// A delegator stakes TAO on the validator in the root subnet.
	step(t, l, s.ok(2, &protocols.AddStake{Hotkey: hk(byz), NetUID: 0, Amount: 100 * uint64(market.RaoPerTAO)}))
	vote := func(value byte) protocols.Vote {
		v := protocols.Vote{ChainID: testChain, Type: protocols.Prevote, Height: 1, Round: 0, ValueID: protocols.CID([]byte{value}).Bytes()}
		if err := v.Sign(key(byz)); err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := vote(1), vote(2)
	ev, err := protocols.NewEvidence(&a, &b)
	if err != nil {
		t.Fatal(err)
	}
	_, burned0, _ := l.Supply()
	step(t, l, s.ok(1, &protocols.ReportEquivocation{Evidence: *ev}))
	st, _ := l.Stakes(acct(2))
	if len(st) != 1 || st[0].Alpha != 95*market.RaoPerTAO {
		t.Fatalf("delegator's root stake after the slash: %+v, want 95 TAO", st)
	}
	if _, burned, _ := l.Supply(); burned-burned0 < 5*market.RaoPerTAO {
		t.Fatalf("burned %v, want at least the 5 TAO slashed more than before", burned-burned0)
	}
	rejects(t, l, s.tx(1, &protocols.ReportEquivocation{Evidence: *ev}), ErrEvidenceKnown)
	// Forged evidence (a vote the validator did not sign) is refused.
	forged := *ev
	forged.B.Sig = append([]byte(nil), forged.A.Sig...)
	rejects(t, l, s.tx(1, &protocols.ReportEquivocation{Evidence: forged}), ErrBadEvidence)
	// At the next tempo boundary the jailed validator leaves the set; it
	// cannot rejoin while jailed.
	for l.Height()%uint64(l.Chain().Params.Tempo) != 0 {
		step(t, l)
	}
	if vs, _ := l.Validators(); len(vs) != 1 || vs[0].Hotkey != hotkey(proposerSeed) {
		t.Fatalf("validators after the slash: %+v", vs)
	}
	rejects(t, l, s.tx(byz, &protocols.SetConsensus{Active: true}), ErrJailed)
	checkSupply(t, l)
}
