package ledger

import (
	"bytes"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// TestInjectMintsAlphaOutWhole: a block mints alpha_out to SubnetAlphaOut
// whole (dtao.md §5) and only the floored parts of §6 to the pending
// amounts; the rao between them are in SubnetAlphaOut, owned by nobody.
// A recycled root_alpha (root sell flag off) leaves SubnetAlphaOut again.
//
// The subnet is §6's second example: alpha issuance 5 000 000 alpha, root
// TAO 3 000 000, TaoWeight default, alpha_out e(5·10^15) = 10^9 rao.
// Expected values, from the spec's formulas in Python integers (S = 2^32):
// w = 971718665099567868·S//(2^64−1) = 226 245 882; tw = 3·10^15·w;
// root_prop = tw·S//(tw + 5·10^15·S) = 131 588 518; with cut =
// 11796·S//65535 the floored parts are owner 179 995 422, server
// 410 002 288, validator 397 440 704, root 12 561 584 (§6's example),
// summing to 999 999 998: 2 rao unowned.
func TestInjectMintsAlphaOutWhole(t *testing.T) {
	const (
		alphaOut0 = market.Rao(1_000_000_000_000_000)
		emission  = market.Rao(1_000_000_000)
		owner     = market.Rao(179_995_422)
		server    = market.Rao(410_002_288)
		validator = market.Rao(397_440_704)
		root      = market.Rao(12_561_584)
	)
	mp := DevParams().Market()
	rootTAO := 3_000_000 * market.RaoPerTAO
	for _, rootSell := range []bool{true, false} {
		s := &subnetRecord{NetUID: 1, PoolAlpha: 4_000_000 * market.RaoPerTAO, PoolTAO: 1_000_000 * market.RaoPerTAO, AlphaOut: alphaOut0}
		pool := s.pool()
		// Share 0: no TAO emission, so no injection and no protocol buy;
		// the alpha side is minted all the same (§5).
		minted, err := inject(mp, s, market.RaoPerTAO, market.U64F64{}, rootTAO, rootSell)
		if err != nil {
			t.Fatal(err)
		}
		wantOut, wantRoot := alphaOut0+emission, root
		if !rootSell {
			wantOut, wantRoot = alphaOut0+emission-root, 0 // root_alpha recycled
		}
		if minted != 0 || s.pool() != pool || s.ProtocolAlpha != 0 {
			t.Errorf("root sell %v: minted %v TAO, pool %+v, protocol alpha %v; want nothing injected", rootSell, minted, s.pool(), s.ProtocolAlpha)
		}
		if s.AlphaOut != wantOut || s.AlphaEmission != emission {
			t.Errorf("root sell %v: alpha out %d, emission %d; want %d, %d", rootSell, s.AlphaOut, s.AlphaEmission, wantOut, emission)
		}
		if s.PendingOwner != owner || s.PendingServer != server || s.PendingValidator != validator || s.PendingRoot != wantRoot {
			t.Errorf("root sell %v: pending owner %d server %d validator %d root %d; want %d %d %d %d", rootSell,
				s.PendingOwner, s.PendingServer, s.PendingValidator, s.PendingRoot, owner, server, validator, wantRoot)
		}
		if s.UnownedAlpha != 2 {
			t.Errorf("root sell %v: unowned alpha %d, want 2", rootSell, s.UnownedAlpha)
		}
	}
}

// TestAlphaOutKeepsTheRounding: over blocks with epochs and payouts and no
// transactions, SubnetAlphaOut grows by exactly alpha_out = 10^9 rao a
// block (dtao.md §3: e(issuance) below the first halving) plus the
// protocol's buys. Nothing is recycled in this chain (no root stake, so
// root_prop = 0; the owner's hotkey, uid 0, is weighted by no one, so it
// earns no incentive), and what the split's flooring and the payouts leave
// stays in SubnetAlphaOut (§5, §7): before, the ledger minted only the
// floored parts (999 999 998 a block) and took the payouts' rounding back.
func TestAlphaOutKeepsTheRounding(t *testing.T) {
	const miners, validators = 2, 2
	l, s := marketChain(t, miners, validators, 100*market.RaoPerTAO)
	var txs []*protocols.Tx
	for i := range validators {
		txs = append(txs, s.ok(byte(102+miners+i), &protocols.SetWeights{NetUID: 1, UIDs: []uint16{1, 2}, Values: []uint16{1, 3}}))
	}
	step(t, l, txs...)
	m0, err := l.Metagraph(1)
	if err != nil {
		t.Fatal(err)
	}
	const blocks = 2*10 + 3 // two tempos of the dev preset and some
	for range blocks {
		step(t, l)
		checkSupply(t, l) // Audit: stake + pending + protocol + unowned = alpha out
	}
	m, err := l.Metagraph(1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subnet.EpochIndex < m0.Subnet.EpochIndex+2 {
		t.Fatalf("epoch index %d → %d in %d blocks", m0.Subnet.EpochIndex, m.Subnet.EpochIndex, blocks)
	}
	if e, _ := l.Economy(); e.RootTAO != 0 {
		t.Fatalf("root TAO %v: this chain must have none", e.RootTAO)
	}
	grown := m.Subnet.AlphaOut - m0.Subnet.AlphaOut - (m.Subnet.ProtocolAlpha - m0.Subnet.ProtocolAlpha)
	if want := blocks * market.Rao(1_000_000_000); grown != want {
		t.Errorf("alpha out grew by %d besides the protocol's buys in %d blocks, want %d", grown, blocks, want)
	}
	if m.Subnet.AlphaEmission != 1_000_000_000 {
		t.Errorf("alpha emission %d, want 10^9", m.Subnet.AlphaEmission)
	}
	// 2 rao of the split each block (1 − 0.18 and halves, as in §6's
	// example), and whatever the payouts left.
	if d := m.Subnet.UnownedAlpha - m0.Subnet.UnownedAlpha; d < 2*blocks {
		t.Errorf("unowned alpha grew by %d, want at least %d", d, 2*blocks)
	}
}

// subnetRecordV0 is subnetRecord as it was before UnownedAlpha, for the
// codec test: records written then must read back unchanged.
type subnetRecordV0 struct {
	_           struct{} `cbor:",toarray"`
	NetUID      uint16
	Owner       Account
	OwnerHotkey Hotkey
	Name        string
	Task        string
	Model       string
	Created     uint64
	LockPaid    market.Rao
	Hyper       SubnetHyper

	PoolAlpha     market.Rao
	PoolTAO       market.Rao
	PoolWeight    market.Perquintill
	AlphaOut      market.Rao
	ProtocolAlpha market.Rao
	MovingHi      uint64
	MovingLo      uint64
	MinerBurnHi   uint64
	MinerBurnLo   uint64
	TAOEmission   market.Rao
	AlphaEmission market.Rao

	Burn         market.Rao
	LastRegBlock uint64
	RegsInBlock  uint16

	PendingServer, PendingValidator, PendingRoot, PendingOwner market.Rao

	PendingEpochAt      uint64
	BlocksSinceLastStep uint64
	LastEpochBlock      uint64
	EpochIndex          uint64
	LastMechStep        uint64

	N uint16
}

// TestSubnetRecordCodec: a record written before UnownedAlpha existed
// decodes unchanged (UnownedAlpha 0); a record with UnownedAlpha 0 is
// written byte for byte as before, so its state root does not move; one
// with unowned alpha carries it as a 34th element and reads it back.
func TestSubnetRecordCodec(t *testing.T) {
	old := subnetRecordV0{NetUID: 7, Owner: acct(1), OwnerHotkey: hotkey(101), Name: "n", Created: 12, LockPaid: 3,
		Hyper: DevParams().DefaultSubnetHyper(), PoolAlpha: 1 << 40, PoolTAO: 1 << 39, PoolWeight: 5e17, AlphaOut: 123_456_789,
		ProtocolAlpha: 5, MovingLo: 9, AlphaEmission: 1_000_000_000, Burn: 100_000_000, PendingServer: 1, PendingValidator: 2,
		PendingRoot: 3, PendingOwner: 4, LastEpochBlock: 10, EpochIndex: 2, N: 3}
	oldBytes, err := protocols.Marshal(&old)
	if err != nil {
		t.Fatal(err)
	}
	if oldBytes[0] != 0x98 || oldBytes[1] != 33 {
		t.Fatalf("old record head %x, want an array of 33", oldBytes[:2])
	}
	s := new(subnetRecord)
	if err := decodeRecord(subnetKey(7), oldBytes, s); err != nil {
		t.Fatal(err)
	}
	want := subnetRecord{NetUID: old.NetUID, Owner: old.Owner, OwnerHotkey: old.OwnerHotkey, Name: old.Name, Created: old.Created,
		LockPaid: old.LockPaid, Hyper: old.Hyper, PoolAlpha: old.PoolAlpha, PoolTAO: old.PoolTAO, PoolWeight: old.PoolWeight,
		AlphaOut: old.AlphaOut, ProtocolAlpha: old.ProtocolAlpha, MovingLo: old.MovingLo, AlphaEmission: old.AlphaEmission,
		Burn: old.Burn, PendingServer: 1, PendingValidator: 2, PendingRoot: 3, PendingOwner: 4, LastEpochBlock: 10, EpochIndex: 2, N: 3}
	if *s != want {
		t.Fatalf("old record decoded as %+v, want %+v", *s, want)
	}
	again, err := protocols.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, oldBytes) {
		t.Fatalf("record without unowned alpha re-encodes as\n%x\nnot as before\n%x", again, oldBytes)
	}
	if err := protocols.Unmarshal(again, new(subnetRecord), maxRecordSize); err != nil {
		t.Fatalf("short form is not canonical: %v", err)
	}

	s.UnownedAlpha = 1_000_000_007
	full, err := protocols.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if full[0] != 0x98 || full[1] != 34 || !bytes.Equal(full[2:len(oldBytes)], oldBytes[2:]) {
		t.Fatalf("record with unowned alpha encodes as %x", full)
	}
	back := new(subnetRecord)
	if err := protocols.Unmarshal(full, back, maxRecordSize); err != nil {
		t.Fatal(err)
	}
	if *back != *s {
		t.Fatalf("decoded %+v, want %+v", *back, *s)
	}
	// A full array whose last element is 0 is not how a record is written.
	full = append(append([]byte{0x98, 34}, oldBytes[2:]...), 0x00)
	if err := protocols.Unmarshal(full, new(subnetRecord), maxRecordSize); err == nil {
		t.Fatal("a 34-element record with unowned alpha 0 passed as canonical")
	}
}

// TestBurnClampsAtBlockOne: the block step clamps every subnet's
// registration burn to its [MinBurn, MaxBurn] at block 1 too, where the
// decay is skipped (dtao.md §9: "Decay every block (… skipped at blocks 0
// and 1) … Then clamp"; subnets/registration.rs clamps every block). A
// genesis subnet starts at the 0.1 TAO initial burn; here its bounds were
// moved past it before block 1, so the clamp alone decides: MaxBurn
// 50 000 000 brings it down, MinBurn 200 000 000 up. At block 2 the decay
// runs too: 200 000 000 · f(360)/2^32 = 199 615 288 (Python:
// 200000000·4286705684//2^32), below the minimum, so 200 000 000 again.
func TestBurnClampsAtBlockOne(t *testing.T) {
	g := testGenesis(3)
	g.Subnets = []GenesisSubnet{{Owner: acct(1), OwnerHotkey: hotkey(101), Name: "g", Lock: 100 * market.RaoPerTAO}}
	l := openMem(t, g)
	view, tip, release := l.snapshot()
	defer release()
	for _, c := range []struct {
		name              string
		height            uint64
		min, max, burn    market.Rao
		wantBurnAfterward market.Rao
	}{
		{"max at block 1", 1, 500_000, 50_000_000, 100_000_000, 50_000_000},
		{"min at block 1", 1, 200_000_000, 100 * market.RaoPerTAO, 100_000_000, 200_000_000},
		{"in bounds at block 1", 1, 500_000, 100 * market.RaoPerTAO, 100_000_000, 100_000_000},
		{"min at block 2", 2, 200_000_000, 100 * market.RaoPerTAO, 200_000_000, 200_000_000},
		{"decay at block 2", 2, 500_000, 100 * market.RaoPerTAO, 200_000_000, 199_615_288},
	} {
		base := newOverlay(view)
		s, ok, err := getSubnet(base, 1)
		if err != nil || !ok {
			t.Fatalf("genesis subnet: %v %v", ok, err)
		}
		if s.Burn != 100_000_000 {
			t.Fatalf("genesis burn %d, want the initial 0.1 TAO", s.Burn)
		}
		s.Hyper.MinBurn, s.Hyper.MaxBurn, s.Burn = c.min, c.max, c.burn
		if err := putSubnet(base, s); err != nil {
			t.Fatal(err)
		}
		e := NewExec(base, l.chain, tip)
		e.header, e.state = &protocols.Header{Height: c.height}, 1
		if err := e.blockStep(); err != nil {
			t.Fatal(err)
		}
		s, _, err = getSubnet(e.block, 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Burn != c.wantBurnAfterward {
			t.Errorf("%s: burn %d, want %d", c.name, s.Burn, c.wantBurnAfterward)
		}
	}
}

// TestMovingPriceCountsFromCreation: n_b of §4.3 counts from the
// start_call block, the block before the first emission
// (FirstEmissionBlockNumber − 1 in update_moving_price). A subnet created
// by a transaction of block c first emits in block c + 1, so c is that
// block and n_b = b − c. The first subnet's pool holds as much alpha as
// TAO (§8.7: median 1), so π = 1, and while every moving price is 0 no TAO
// is injected and π stays 1; from 0 the moving price becomes
// floor(a·2^32) bits of U96F32 with a = floor(MA·floor(n_b·2^64/(n_b +
// 201 600))/2^64), MA = 12 885·2^32 (U64F64 bits). In Python that is 0 for
// n_b ≤ 15 and 1 at n_b = 16: the price turns non-zero in block c + 16
// (c + 17 if n_b counted from the first emission, c + 15 from one block
// earlier).
func TestMovingPriceCountsFromCreation(t *testing.T) {
	l := openMem(t, testGenesis(3))
	s := newSigner(t)
	step(t, l, s.ok(ownerSeed, &protocols.CreateSubnet{OwnerHotkey: hk(ownerHK), Name: "m"}))
	c := l.Height()
	for n := uint64(1); n <= 17; n++ {
		step(t, l)
		sn, ok, err := getSubnet(stateView{l.store}, 1)
		if err != nil || !ok {
			t.Fatalf("subnet 1: %v %v", ok, err)
		}
		if n == 1 && sn.Created != c {
			t.Fatalf("created %d, want %d", sn.Created, c)
		}
		if p, err := sn.pool().Price(); err != nil || p.Cmp(market.U64F64One()) < 0 {
			t.Fatalf("block c+%d: spot price %v %v, want at least 1", n, p, err)
		}
		var want uint64
		switch {
		case n == 16:
			want = 1
		case n > 16:
			continue
		}
		if sn.MovingHi != 0 || sn.MovingLo != want {
			t.Errorf("block c+%d: moving price bits %d:%d, want 0:%d", n, sn.MovingHi, sn.MovingLo, want)
		}
	}
}

// FuzzDecodeSubnetRecord: any stored bytes decode (both ways the ledger
// reads a subnet record) to an error or to a record whose encoding decodes
// back to the same record, and a record without unowned alpha is written
// in the 33-element form.
func FuzzDecodeSubnetRecord(f *testing.F) {
	s := subnetRecord{NetUID: 3, Name: "n", Hyper: DevParams().DefaultSubnetHyper(), PoolAlpha: 1 << 40, AlphaOut: 77}
	short, _ := protocols.Marshal(&s)
	f.Add(short)
	s.UnownedAlpha = 5
	full, _ := protocols.Marshal(&s)
	f.Add(full)
	f.Add([]byte{0x98, 33})
	f.Add([]byte{0x98, 34, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		var a, c subnetRecord
		errA := decodeSubnet(subnetKey(1), b, &a)
		errC := decodeRecord(subnetKey(1), b, &c)
		if (errA == nil) != (errC == nil) || (errA == nil && a != c) {
			t.Fatalf("decodeSubnet %+v, %v; decodeRecord %+v, %v", a, errA, c, errC)
		}
		if errA != nil {
			return
		}
		enc, err := protocols.Marshal(&a)
		if err != nil {
			t.Fatalf("encode of a decoded record: %v", err)
		}
		if a.UnownedAlpha == 0 && enc[1] != subnetFields-1 {
			t.Fatalf("record without unowned alpha encodes with %d elements", enc[1])
		}
		var back subnetRecord
		if err := decodeSubnet(subnetKey(1), enc, &back); err != nil || back != a {
			t.Fatalf("re-decoded %+v (%v), want %+v", back, err, a)
		}
	})
}

// TestSubnetRecordSizeLimit: maxRecordSize bounds a subnet record's stored
// bytes in either form. A record written without UnownedAlpha is read as
// the full array, one byte longer; that byte must not count against the
// limit, or a record of exactly maxRecordSize bytes, readable before
// UnownedAlpha existed, would no longer be.
func TestSubnetRecordSizeLimit(t *testing.T) {
	s := &subnetRecord{NetUID: 3, Owner: acct(1), OwnerHotkey: hotkey(101), Hyper: DevParams().DefaultSubnetHyper(), AlphaOut: 7}
	sized := func(n int) []byte {
		t.Helper()
		for range 3 {
			b, err := s.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == n {
				return b
			}
			s.Task = string(bytes.Repeat([]byte{'t'}, len(s.Task)+n-len(b)))
		}
		t.Fatalf("no record of %d bytes", n)
		return nil
	}
	for _, unowned := range []market.Rao{0, 1_000_000_007} {
		s.UnownedAlpha = unowned
		b := sized(maxRecordSize)
		if unowned == 0 && b[1] != subnetFields-1 {
			t.Fatalf("record without unowned alpha written with %d elements", b[1])
		}
		got := new(subnetRecord)
		if err := decodeSubnet(subnetKey(3), b, got); err != nil {
			t.Fatalf("unowned %d: a record of maxRecordSize bytes: %v", unowned, err)
		}
		if *got != *s {
			t.Fatalf("unowned %d: decoded another record", unowned)
		}
		if err := new(subnetRecord).UnmarshalCBOR(b); err != nil {
			t.Fatalf("unowned %d: UnmarshalCBOR of maxRecordSize bytes: %v", unowned, err)
		}
		b = sized(maxRecordSize + 1)
		if err := decodeSubnet(subnetKey(3), b, new(subnetRecord)); err == nil {
			t.Fatalf("unowned %d: a record of maxRecordSize+1 bytes decoded", unowned)
		}
		if err := new(subnetRecord).UnmarshalCBOR(b); err == nil {
			t.Fatalf("unowned %d: UnmarshalCBOR of maxRecordSize+1 bytes passed", unowned)
		}
	}
}
