package ledger

import (
	"cmp"
	"fmt"
	"math/big"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// Subnet dissolution (dtao.md §10, docs/decisions.md "Subnet creation and
// dissolution"): a creation beyond SubnetLimit first dissolves the subnet
// with the lowest moving price among those past NetworkImmunity (1 296 000
// blocks, market.DefaultParams; not a ledger preset parameter), ties to the
// earliest registered.

// fastForward stands for the empty blocks up to height h that a test
// cannot afford to run (a subnet's immunity is 1 296 000 blocks): it
// rewrites the tip of l's store to height h, keeping the last block's ID,
// time and state root, and opens the store again, as a node restarting
// would. The state is the one committed: the skipped blocks would have
// added emission and moved the moving prices, which the tests do not
// depend on. The blocks after h are proposed, executed and committed as
// usual.
func fastForward(t *testing.T, l *Ledger, g *Genesis, h uint64) *Ledger {
	t.Helper()
	tip := l.Tip()
	if h < tip.Height {
		t.Fatalf("fastForward to %d below the tip %d", h, tip.Height)
	}
	tip.Height = h
	tb, err := protocols.Marshal(&tip)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.store.Write([]KV{{Key: keyTip, Value: tb}}); err != nil {
		t.Fatal(err)
	}
	nl, err := Open(l.store, g)
	if err != nil {
		t.Fatal(err)
	}
	if nl.Height() != h {
		t.Fatalf("reopened at %d, want %d", nl.Height(), h)
	}
	return nl
}

// stepState returns the state block b's transactions run on: the
// committed state after b's block step (emission, epochs, moving prices),
// which is what a dissolution in b reads.
func stepState(t *testing.T, l *Ledger, b *protocols.Block) View {
	t.Helper()
	v, tip := l.committed()
	e := NewExec(v, l.chain, tip)
	if err := e.BeginBlock(&b.Header); err != nil {
		t.Fatal(err)
	}
	return e.block
}

// netuidKeys returns the state keys that belong to netuid: subnet,
// neurons, uids, commits, stake pools, shares and the stake index.
func netuidKeys(t *testing.T, v View, netuid uint16) []string {
	t.Helper()
	var out []string
	err := v.Iterate(nil, func(k, _ []byte) error {
		var n []byte // the netuid's two bytes within the key
		switch k[0] {
		case skSubnet, skNeuron, skUID, skCommit:
			n = k[1:3]
		case skStakePool, skShares: // hotkey netuid [coldkey]
			n = k[33:35]
		case skStakeIndex: // coldkey hotkey netuid
			n = k[65:67]
		default:
			return nil
		}
		if uint16(n[0])<<8|uint16(n[1]) == netuid {
			out = append(out, fmt.Sprintf("%c %x", k[0], k[1:]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func subnetByID(t *testing.T, l *Ledger, netuid uint16) (SubnetInfo, bool) {
	t.Helper()
	ss, err := l.Subnets()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.NetUID == netuid {
			return s, true
		}
	}
	return SubnetInfo{}, false
}

func hasEvent(r Result, typ string, attrs ...string) bool {
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		ok := true
		for i := 0; i+1 < len(attrs); i += 2 {
			found := false
			for _, a := range e.Attrs {
				if a.Key == attrs[i] && a.Value == attrs[i+1] {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			return true
		}
	}
	return false
}

// TestDissolveSubnetPaysHoldersAndClearsIt drives a dissolution end to
// end: three subnets fill a SubnetLimit of 3; subnet 2's owner sells its
// emitted alpha, so subnet 2's price, and then its moving price, is the
// lowest; past the immunity a fourth creation dissolves subnet 2, pays its
// pool's TAO to the alpha holders (floor(PoolTAO·alpha/AlphaOut) per
// stake) and the rest to its owner, deletes every record of netuid 2 and
// gives the netuid to the new subnet, clean.
func TestDissolveSubnetPaysHoldersAndClearsIt(t *testing.T) {
	g := testGenesis(40)
	g.Params.SubnetLimit = 3
	l := openMem(t, g)
	s := newSigner(t)
	for i := byte(1); i <= 3; i++ { // netuid i, owner coldkey i, owner hotkey 100+i
		step(t, l, s.ok(i, &protocols.CreateSubnet{OwnerHotkey: hk(100 + i), Name: fmt.Sprint("sn", i)}))
	}
	// One registration per subnet per block.
	step(t, l, s.ok(10, &protocols.Register{NetUID: 2, Hotkey: hk(110)}), s.ok(12, &protocols.Register{NetUID: 1, Hotkey: hk(120)}))
	step(t, l, s.ok(11, &protocols.Register{NetUID: 2, Hotkey: hk(111)}))
	tao := func(n uint64) uint64 { return n * uint64(market.RaoPerTAO) }
	step(t, l,
		s.ok(20, &protocols.AddStake{Hotkey: hk(110), NetUID: 2, Amount: tao(3)}),
		s.ok(21, &protocols.AddStake{Hotkey: hk(111), NetUID: 2, Amount: tao(2)}),
		s.ok(22, &protocols.AddStake{Hotkey: hk(110), NetUID: 2, Amount: tao(1)}),
		s.ok(20, &protocols.AddStake{Hotkey: hk(120), NetUID: 1, Amount: tao(20)}), // a stake elsewhere, kept
		s.ok(23, &protocols.AddStake{Hotkey: hk(103), NetUID: 3, Amount: tao(40)}),
		s.ok(21, &protocols.AddStake{Hotkey: hk(111), NetUID: 0, Amount: tao(5)}), // root stake, kept
	)
	// A pending weights commit on subnet 2 (commit-reveal is on by default).
	h111 := hotkey(111)
	step(t, l, s.ok(111, &protocols.CommitWeights{NetUID: 2, Hash: protocols.WeightsCommitHash(h111[:], 2, []uint16{1}, []uint16{1}, []byte("salt"), 0)}))
	for range 150 { // fifteen epochs of the dev preset's tempo 10: the owner cut is paid
		step(t, l)
	}
	checkSupply(t, l)
	st, err := l.Stakes(acct(2))
	if err != nil {
		t.Fatal(err)
	}
	var ownerAlpha market.Rao
	for _, x := range st {
		if x.NetUID == 2 && x.Hotkey == hotkey(102) {
			ownerAlpha = x.Alpha
		}
	}
	if ownerAlpha < 2 {
		t.Fatalf("subnet 2's owner holds %v alpha after fifteen epochs; the test needs its owner cut", ownerAlpha)
	}
	// The owner sells 90 % of its alpha, which no one bought from the pool:
	// subnet 2's spot price drops below 1 (subnets 1 and 3 stay at or
	// above 1, where the moving price clamps); the rest stays, so the
	// owner is also a holder paid pro rata.
	step(t, l, s.ok(2, &protocols.RemoveStake{Hotkey: hk(102), NetUID: 2, Amount: uint64(ownerAlpha - ownerAlpha/10)}))
	if s2, _ := subnetByID(t, l, 2); s2.Price.Bits[0] != 0 {
		t.Fatalf("subnet 2's price %v is not below 1", s2.Price)
	}

	// Subnet 3 was created in block 3: past block 3 + 1 296 000 all three
	// are past their immunity (its boundary is TestDissolveImmunityAndTies').
	immunity := l.Chain().Params.Market().NetworkImmunity
	if immunity != 1_296_000 {
		t.Fatalf("NetworkImmunity %d, the test assumes dtao.md §11's 1 296 000", immunity)
	}
	l = fastForward(t, l, g, 3+immunity)
	for range 3 { // the moving prices follow the spot prices (n_b ≈ 1.3M: α ≈ 2.6·10⁻⁶ a block)
		step(t, l)
	}
	// The spec's choice, worked out here: the lowest moving price, ties to
	// the earliest created (all three are past the immunity).
	ss, _ := l.Subnets()
	if len(ss) != 3 {
		t.Fatalf("%d subnets, want 3", len(ss))
	}
	want := ss[0]
	for _, si := range ss[1:] {
		if c := cmpPrice(si.MovingPrice, want.MovingPrice); c < 0 || c == 0 && si.Created < want.Created {
			want = si
		}
	}
	for _, si := range ss {
		t.Logf("netuid %d: created %d, price %v, moving %v", si.NetUID, si.Created, si.Price, si.MovingPrice)
	}
	if want.NetUID != 2 {
		t.Fatalf("subnet %d has the lowest moving price; the test meant subnet 2's to be", want.NetUID)
	}
	checkSupply(t, l)

	// The creation, in a block of its own: the expected payouts are worked
	// out from the state the transaction runs on (after the block step).
	const creator = 4
	if err := l.SubmitTx(s.ok(creator, &protocols.CreateSubnet{OwnerHotkey: hk(104), Name: "new"})); err != nil {
		t.Fatal(err)
	}
	b := propose(t, l)
	if len(b.Txs) != 1 {
		t.Fatalf("block holds %d transactions", len(b.Txs))
	}
	v := stepState(t, l, b)
	old, ok, err := getSubnet(v, 2)
	if err != nil || !ok {
		t.Fatalf("subnet 2 at the block step: %v %v", ok, err)
	}
	holders := []byte{2, 10, 11, 20, 21, 22}
	hots := []byte{102, 110, 111}
	pay := map[byte]*big.Int{}
	var staked market.Rao
	for _, h := range hots {
		p, err := getStakePool(v, hotkey(h), 2)
		if err != nil {
			t.Fatal(err)
		}
		staked += p.Alpha
	}
	// Every alpha of subnet 2 is in these pools or the subnet's own
	// accounts (the audit's identity): no holder is missed.
	if got := staked + old.PendingServer + old.PendingValidator + old.PendingRoot + old.PendingOwner + old.ProtocolAlpha + old.UnownedAlpha; got != old.AlphaOut {
		t.Fatalf("pools %v + subnet's own alpha = %v, alpha out %v", staked, got, old.AlphaOut)
	}
	if old.AlphaOut == 0 || old.PoolTAO == 0 {
		t.Fatalf("subnet 2: alpha out %v, pool %v TAO", old.AlphaOut, old.PoolTAO)
	}
	paid := new(big.Int)
	nHoldings := 0
	for _, c := range holders {
		pay[c] = new(big.Int)
		for _, h := range hots {
			a, err := stakeOf(v, hotkey(h), 2, acct(c))
			if err != nil {
				t.Fatal(err)
			}
			if a == 0 {
				continue
			}
			nHoldings++
			// floor(PoolTAO·alpha/AlphaOut), in big integers.
			q := new(big.Int).Mul(big.NewInt(0).SetUint64(uint64(old.PoolTAO)), big.NewInt(0).SetUint64(uint64(a)))
			q.Quo(q, big.NewInt(0).SetUint64(uint64(old.AlphaOut)))
			pay[c].Add(pay[c], q)
			paid.Add(paid, q)
		}
	}
	if nHoldings < 5 {
		t.Fatalf("%d holdings on subnet 2, want at least 5", nHoldings)
	}
	rest := new(big.Int).Sub(big.NewInt(0).SetUint64(uint64(old.PoolTAO)), paid)
	if rest.Sign() <= 0 {
		t.Fatalf("owner's rest %v", rest)
	}
	pay[2].Add(pay[2], rest)

	before := map[byte]market.Rao{}
	for _, c := range append(holders, creator) {
		before[c] = balance(t, l, c)
	}
	sumBefore := totalBalances(t, l)
	if err := l.CommitBlock(b, []byte("cert")); err != nil {
		t.Fatal(err)
	}
	for _, c := range holders {
		got := new(big.Int).Sub(big.NewInt(0).SetUint64(uint64(balance(t, l, c))), big.NewInt(0).SetUint64(uint64(before[c])))
		if got.Cmp(pay[c]) != 0 {
			t.Errorf("coldkey %d got %v rao, want %v", c, got, pay[c])
		}
	}
	ns, ok := subnetByID(t, l, 2)
	if !ok || ns.Owner != acct(creator) || ns.Created != b.Header.Height {
		t.Fatalf("netuid 2 after the creation: %+v", ns)
	}
	if got, want := before[creator]-balance(t, l, creator), ns.LockPaid+DefaultTxFee; got != want {
		t.Errorf("creator paid %v, want lock %v + fee", got, ns.LockPaid)
	}
	// TAO conservation: the balances gained the old pool less the lock and
	// the fee, and Audit's laws hold.
	if got, want := totalBalances(t, l)-sumBefore, old.PoolTAO-ns.LockPaid-DefaultTxFee; got != want {
		t.Errorf("Σ balances moved by %v, want pool %v − lock %v − fee", got, old.PoolTAO, ns.LockPaid)
	}
	checkSupply(t, l)
	rs, err := l.TxStatus(mustTxID(t, &b.Txs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !hasEvent(rs.Result, "dissolve-subnet", "netuid", "2", "tao", fmt.Sprint(uint64(old.PoolTAO))) ||
		!hasEvent(rs.Result, "create-subnet", "netuid", "2") {
		t.Errorf("events %+v", rs.Result.Events)
	}

	// Nothing of the old netuid 2 is left: its keys are now the new
	// subnet's record, its owner's neuron and uid.
	gotKeys := netuidKeys(t, stateView{l.store}, 2)
	h104 := hotkey(104)
	wantKeys := []string{
		fmt.Sprintf("%c %x", skNeuron, neuronKey(2, 0)[1:]),
		fmt.Sprintf("%c %x", skSubnet, subnetKey(2)[1:]),
		fmt.Sprintf("%c %x", skUID, uidKey(2, h104)[1:]),
	}
	if fmt.Sprint(gotKeys) != fmt.Sprint(wantKeys) {
		t.Errorf("keys of netuid 2:\n got %q\nwant %q", gotKeys, wantKeys)
	}
	// The other subnets and the root keep their stakes.
	if a, _ := stakeOf(stateView{l.store}, hotkey(120), 1, acct(20)); a == 0 {
		t.Error("coldkey 20's stake on subnet 1 is gone")
	}
	if a, _ := stakeOf(stateView{l.store}, hotkey(111), 0, acct(21)); a == 0 {
		t.Error("coldkey 21's root stake is gone")
	}
	if _, ok := subnetByID(t, l, 1); !ok {
		t.Error("subnet 1 is gone")
	}
	if _, ok := subnetByID(t, l, 3); !ok {
		t.Error("subnet 3 is gone")
	}
	if e, _ := l.Economy(); len(e.Subnets) != 3 {
		t.Errorf("%d subnets after the creation", len(e.Subnets))
	}

	// The new subnet starts clean: one neuron, no alpha out, and no stake
	// of the old subnet's stakers.
	m, err := l.Metagraph(2)
	if err != nil || m.Subnet.N != 1 || len(m.Neurons) != 1 || m.Neurons[0].Hotkey != h104 || m.Subnet.AlphaOut != 0 {
		t.Fatalf("new subnet 2: %+v %v", m, err)
	}
	for _, c := range holders {
		st, err := l.Stakes(acct(c))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range st {
			if x.NetUID == 2 {
				t.Errorf("coldkey %d has a stake on the new subnet 2: %+v", c, x)
			}
		}
	}
	// An old subnet's hotkey registers on the new subnet afresh, and its
	// old commit is gone (a reveal finds nothing).
	step(t, l, s.ok(11, &protocols.Register{NetUID: 2, Hotkey: hk(111)}))
	if uid, ok, _ := l.UID(2, hotkey(111)); !ok || uid != 1 {
		t.Fatalf("hotkey 111 on the new subnet: uid %d %v", uid, ok)
	}
	rejects(t, l, s.tx(111, &protocols.RevealWeights{NetUID: 2, UIDs: []uint16{1}, Values: []uint16{1}, Salt: []byte("salt")}), ErrNoCommit)
	for range 12 { // an epoch of the new subnet
		step(t, l)
		checkSupply(t, l)
	}
}

// cmpPrice compares two prices by their exact bits.
func cmpPrice(a, b Price) int {
	return cmp.Or(cmp.Compare(a.Bits[0], b.Bits[0]), cmp.Compare(a.Bits[1], b.Bits[1]))
}

func mustTxID(t *testing.T, tx *protocols.Tx) cid.Cid {
	t.Helper()
	c, err := tx.ID()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDissolveImmunityAndTies checks the choice of §10 on subnets that do
// not emit (their owners closed registration), whose moving prices all
// stay 0: no creation while none is past its immunity; then the only one
// past it; then, with the netuids' registration order reversed, a tie
// goes to the earliest registered, not to the lowest netuid.
func TestDissolveImmunityAndTies(t *testing.T) {
	g := testGenesis(40)
	g.Params.SubnetLimit = 2
	l := openMem(t, g)
	s := newSigner(t)
	step(t, l, s.ok(1, &protocols.CreateSubnet{OwnerHotkey: hk(101), Name: "a"})) // netuid 1, block 1
	step(t, l, s.ok(2, &protocols.CreateSubnet{OwnerHotkey: hk(102), Name: "b"})) // netuid 2, block 2
	step(t, l, s.ok(1, &protocols.SetSubnetParams{NetUID: 1, Param: "registration_allowed", Value: 0}),
		s.ok(2, &protocols.SetSubnetParams{NetUID: 2, Param: "registration_allowed", Value: 0}))
	immunity := l.Chain().Params.Market().NetworkImmunity
	moving := func() {
		t.Helper()
		ss, _ := l.Subnets()
		for _, si := range ss {
			if si.MovingPrice.Bits != [2]uint64{} {
				t.Fatalf("subnet %d's moving price is %v, the test needs 0", si.NetUID, si.MovingPrice)
			}
		}
	}
	moving()

	// Block 1 + immunity − 1: subnet 1 is one block short.
	l = fastForward(t, l, g, immunity-1)
	rejects(t, l, s.tx(3, &protocols.CreateSubnet{OwnerHotkey: hk(103), Name: "c"}), ErrSubnetFull)
	if l.Height() != immunity {
		t.Fatalf("height %d", l.Height())
	}
	// Block 1 + immunity: subnet 1 is past it, subnet 2 is not.
	b := step(t, l, s.ok(3, &protocols.CreateSubnet{OwnerHotkey: hk(103), Name: "c"}))
	if b.Header.Height != 1+immunity {
		t.Fatalf("created in block %d", b.Header.Height)
	}
	if si, ok := subnetByID(t, l, 1); !ok || si.Owner != acct(3) || si.Created != 1+immunity {
		t.Fatalf("netuid 1: %+v, want the new subnet", si)
	}
	if si, ok := subnetByID(t, l, 2); !ok || si.Owner != acct(2) {
		t.Fatalf("netuid 2: %+v, want subnet 2 kept", si)
	}
	step(t, l, s.ok(3, &protocols.SetSubnetParams{NetUID: 1, Param: "registration_allowed", Value: 0}))
	moving()
	checkSupply(t, l)

	// Both past the immunity, both at moving price 0: netuid 2, registered
	// at block 2, goes before netuid 1, registered at block 1 + immunity.
	l = fastForward(t, l, g, 2*immunity+1)
	moving()
	step(t, l, s.ok(4, &protocols.CreateSubnet{OwnerHotkey: hk(104), Name: "d"}))
	if si, ok := subnetByID(t, l, 1); !ok || si.Owner != acct(3) {
		t.Fatalf("netuid 1: %+v, want subnet c kept", si)
	}
	if si, ok := subnetByID(t, l, 2); !ok || si.Owner != acct(4) {
		t.Fatalf("netuid 2: %+v, want the new subnet d", si)
	}
	checkSupply(t, l)
}

// TestDissolveUnitAlphaOutZeroDeletesShares is a unit test of dissolve
// on a state built directly through an overlay: a stake record (pool,
// shares and stake index) on a subnet whose AlphaOut is 0, which no
// transaction sequence is known to reach (Audit requires AlphaOut ≥ the
// stake pools' alpha) but which dissolve must still clear: before the fix
// the pro-rata loop stopped at AlphaOut == 0 and left the shares and the
// index to whatever subnet takes the netuid next.
func TestDissolveUnitAlphaOutZeroDeletesShares(t *testing.T) {
	l := openMem(t, testGenesis(40))
	s := newSigner(t)
	step(t, l, s.ok(1, &protocols.CreateSubnet{OwnerHotkey: hk(101), Name: "a"}))
	step(t, l, s.ok(20, &protocols.AddStake{Hotkey: hk(101), NetUID: 1, Amount: 10 * uint64(market.RaoPerTAO)}))
	v, tip := l.committed()
	o := newOverlay(v)
	sub, ok, err := getSubnet(o, 1)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if keys := netuidKeys(t, o, 1); len(keys) < 6 {
		t.Fatalf("keys of netuid 1 before: %q", keys)
	}
	sub.AlphaOut, sub.PendingServer, sub.PendingValidator, sub.PendingRoot, sub.PendingOwner, sub.ProtocolAlpha, sub.UnownedAlpha = 0, 0, 0, 0, 0, 0, 0
	if err := putSubnet(o, sub); err != nil {
		t.Fatal(err)
	}
	owner0, err := getAccount(o, acct(1))
	if err != nil {
		t.Fatal(err)
	}
	c := &txContext{o: o, chain: l.chain, header: &protocols.Header{ChainID: testChain, Height: tip.Height + 1}, signer: acct(2)}
	if err := c.dissolve(1); err != nil {
		t.Fatal(err)
	}
	if keys := netuidKeys(t, o, 1); len(keys) != 0 {
		t.Errorf("keys of netuid 1 left after dissolve: %q", keys)
	}
	owner1, err := getAccount(o, acct(1))
	if err != nil {
		t.Fatal(err)
	}
	if owner1.Balance-owner0.Balance != sub.PoolTAO {
		t.Errorf("owner got %v, want the whole pool %v", owner1.Balance-owner0.Balance, sub.PoolTAO)
	}
}
