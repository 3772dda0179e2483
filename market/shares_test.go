package market

import "testing"

func q64(n, d uint64) U64F64 { v, _ := U64F64FromRatio(n, d); return v }

func TestEmits(t *testing.T) {
	ok := SubnetStatus{NetUID: 3, FirstEmissionSet: true, SubtokenEnabled: true, RegistrationAllowed: true}
	if !ok.Emits() {
		t.Errorf("started subnet does not emit")
	}
	for _, s := range []SubnetStatus{
		{NetUID: 0, FirstEmissionSet: true, SubtokenEnabled: true, RegistrationAllowed: true},
		{NetUID: 3, SubtokenEnabled: true, RegistrationAllowed: true},
		{NetUID: 3, FirstEmissionSet: true, RegistrationAllowed: true},
		{NetUID: 3, FirstEmissionSet: true, SubtokenEnabled: true},
	} {
		if s.Emits() {
			t.Errorf("%+v emits", s)
		}
	}
}

func TestShares(t *testing.T) {
	one := U64F64One()
	for _, c := range []struct {
		name string
		in   []ShareInput
		want []U64F64
	}{
		{"by-price", []ShareInput{{Price: one}, {Price: U64F64FromInt(3)}}, []U64F64{q64(1, 4), q64(3, 4)}},
		{"miner-burned-half", []ShareInput{{Price: one, MinerBurned: q64(1, 2)}, {Price: U64F64FromInt(3)}},
			// 0.125 and 0.75, renormalized by 0.875: 1/7 and 6/7, each truncated.
			[]U64F64{U64F64FromBits(0, 2635249153387078802), U64F64FromBits(0, 15811494920322472813)}},
		{"miner-burned-all-everywhere", []ShareInput{{Price: one, MinerBurned: one}, {Price: U64F64FromInt(3), MinerBurned: U64F64FromInt(5)}},
			[]U64F64{q64(1, 4), q64(3, 4)}},
		// §4.2 step 3 renormalizes only when a subnet is disabled: here step 2's shares sum to
		// 2^64 − 2 ulps, and dividing them by that sum again would give the third 1…863.
		{"miner-burned-none-disabled", []ShareInput{{Price: one, MinerBurned: q64(1, 4)}, {Price: one}, {Price: U64F64FromInt(3)}},
			[]U64F64{U64F64FromBits(0, 2912643801112034465), U64F64FromBits(0, 3883525068149379287), U64F64FromBits(0, 11650575204448137862)}},
		{"disabled", []ShareInput{{Price: one}, {Price: one, EmissionDisabled: true}, {Price: U64F64FromInt(2)}},
			[]U64F64{U64F64FromBits(0, 6148914691236517205), U64F64FromBits(0, 0), U64F64FromBits(0, 12297829382473034410)}},
		{"all-disabled", []ShareInput{{Price: one, EmissionDisabled: true}}, []U64F64{{}}},
		{"zero-prices", []ShareInput{{}, {}}, []U64F64{{}, {}}},
		{"none", nil, []U64F64{}},
	} {
		got, err := Shares(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d shares", c.name, len(got))
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: share[%d] = %v, want %v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

func TestTAOEmission(t *testing.T) {
	e, err := TAOEmission(RaoPerTAO, q64(1, 4))
	if f, _ := e.Floor(); err != nil || f != 250_000_000 {
		t.Errorf("1 TAO · 0.25 = %v, %v", e, err)
	}
	e, _ = TAOEmission(RaoPerTAO, U64F64FromBits(0, 2635249153387078802)) // ≈ 1/7
	if f, _ := e.Floor(); f != 142_857_142 {
		t.Errorf("1 TAO / 7 = %d", f)
	}
}

func TestMovingPrice(t *testing.T) {
	p := DefaultParams()
	old := U96F32FromBits(0, 1<<30) // 0.25
	// n_b = 0: a = 0, nothing moves.
	if got, _ := p.MovingPrice(old, q64(1, 2), 0); got != old {
		t.Errorf("n_b=0: %v", got)
	}
	// n_b = 201 600: a = 0.000003·0.5 (bits 27 670 116 110 564); new = a·0.5 + (1 − a)·0.25.
	if got, _ := p.MovingPrice(old, q64(1, 2), 201_600); got != U96F32FromBits(0, 1_073_743_434) {
		t.Errorf("n_b=201600: %v", got)
	}
	// The spot price is clamped at 1.
	if got, _ := p.MovingPrice(old, U64F64FromInt(7), 201_600); got != U96F32FromBits(0, 1_073_746_655) {
		t.Errorf("spot 7: %v", got)
	}
	// The chain's SubnetMovingAlpha bits (12 885·2^32, the I96F32 nearest the f64 0.000003), worked
	// out with Python integers: a = floor(α·floor(n·2^64/(n+H))/2^64), then a·min(π,1) + (1−a)·old
	// with each product floored, stored with the low 32 bits cut. With floor(0.000003·2^64) as α
	// each of these lands one bit off (12 858, 4 294 954 437, 2^31 − 1).
	for _, c := range []struct {
		name string
		old  U96F32
		spot U64F64
		n    uint64
		want uint64
	}{
		{"from-0-to-1", U96F32{}, U64F64One(), 100_000_000, 12_859},
		{"from-1-to-0", U96F32FromInt(1), U64F64{}, 100_000_000, 4_294_954_436},
		{"steady-half", U96F32FromBits(0, 1<<31), q64(1, 2), 1 << 40, 1 << 31},
	} {
		if got, err := p.MovingPrice(c.old, c.spot, c.n); err != nil || got != U96F32FromBits(0, c.want) {
			t.Errorf("%s: %v, %v; want bits %d", c.name, got, err, c.want)
		}
	}
	// Over many blocks the moving price approaches min(π, 1) from below and never passes it.
	mp := U96F32{}
	for n := uint64(1); n < 2_000_000; n += 1_000 {
		next, err := p.MovingPrice(mp, q64(1, 2), n)
		if err != nil || next.Cmp(mp) < 0 || next.Cmp(U96F32FromBits(0, 1<<31)) > 0 {
			t.Fatalf("n=%d: %v → %v, %v", n, mp, next, err)
		}
		mp = next
	}
}
