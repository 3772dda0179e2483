package market

import "testing"

func TestTaoWeightAndRootProp(t *testing.T) {
	p := DefaultParams()
	if hi, lo := TaoWeightFixed(p.TaoWeight).Bits(); hi != 0 || lo != 226_245_882 {
		t.Errorf("w_τ bits = %d, want 226245882", lo)
	}
	// §6 example: root TAO 3 000 000, alpha issuance 5 000 000 → bits 131 588 518, in whole
	// units or in rao alike.
	for _, unit := range []Rao{1, RaoPerTAO} {
		rp, err := RootProp(3_000_000*unit, p.TaoWeight, 5_000_000*unit)
		if hi, lo := rp.Bits(); err != nil || hi != 0 || lo != 131_588_518 {
			t.Errorf("unit %d: root_prop bits = %d, %v; want 131588518", unit, lo, err)
		}
	}
	if rp, _ := RootProp(0, p.TaoWeight, 0); !rp.IsZero() {
		t.Errorf("root_prop of nothing = %v", rp)
	}
	if rp, _ := RootProp(0, p.TaoWeight, 5); !rp.IsZero() {
		t.Errorf("root_prop without root stake = %v", rp)
	}
}

// TestSplitExamples reproduces both examples of dtao.md §6 (1 alpha per block, cut 11 796).
func TestSplitExamples(t *testing.T) {
	p := DefaultParams()
	rp, _ := RootProp(3_000_000*RaoPerTAO, p.TaoWeight, 5_000_000*RaoPerTAO)
	for _, c := range []struct {
		name     string
		rootProp U96F32
		rootSell bool
		want     Split
	}{
		{"no-root", U96F32{}, true, Split{Owner: 179_995_422, Server: 410_002_288, Validator: 410_002_288}},
		{"root", rp, true, Split{Owner: 179_995_422, Server: 410_002_288, Validator: 397_440_704, Root: 12_561_584}},
		{"root-recycled", rp, false, Split{Owner: 179_995_422, Server: 410_002_288, Validator: 397_440_704, Recycled: 12_561_584}},
	} {
		got, err := p.SplitAlphaOut(RaoPerTAO, c.rootProp, c.rootSell)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	p.OwnerCutEnabled = false
	got, _ := p.SplitAlphaOut(RaoPerTAO, U96F32{}, true)
	if want := (Split{Server: 500_000_000, Validator: 500_000_000}); got != want {
		t.Errorf("no owner cut: %+v, want %+v", got, want)
	}
}

// TestSplitNeverMints: the parts never sum to more than alpha_out.
func TestSplitNeverMints(t *testing.T) {
	p := DefaultParams()
	for a := Rao(0); a < 5_000; a += 7 {
		for _, rp := range []U96F32{{}, U96F32FromBits(0, 131_588_518), U96F32FromBits(0, 1<<32-1), U96F32FromInt(1)} {
			s, err := p.SplitAlphaOut(a*1_000_003, rp, true)
			if err != nil {
				t.Fatal(err)
			}
			if sum := s.Owner + s.Server + s.Validator + s.Root + s.Recycled; sum > a*1_000_003 {
				t.Fatalf("split of %d sums to %d", a*1_000_003, sum)
			}
		}
	}
}

func TestRootSell(t *testing.T) {
	half := U96F32FromBits(0, 1<<31)
	if RootSell([]U96F32{half, half}) {
		t.Errorf("sum 1 must not set the flag")
	}
	if !RootSell([]U96F32{half, half, U96F32FromBits(0, 1)}) {
		t.Errorf("sum just above 1 must set the flag")
	}
	if RootSell(nil) {
		t.Errorf("no subnets")
	}
}

func TestInject(t *testing.T) {
	p := DefaultParams()
	pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO} // π = 0.25
	rp, _ := RootProp(3_000_000*RaoPerTAO, p.TaoWeight, 5_000_000*RaoPerTAO)

	// Uncapped: 0.5 TAO at π = 0.25 → 2 alpha in, cap = root_prop·1 alpha ≈ 0.0306: capped.
	in := InjectInput{Pool: pool, TAOEmission: U96F32FromRao(RaoPerTAO / 2), AlphaEmission: RaoPerTAO, RootProp: rp}
	got, err := p.Inject(in)
	if err != nil {
		t.Fatal(err)
	}
	// alpha_in = root_prop·10^9 = 131 588 518·10^9/2^32 = 30 637 839.4; tao_in = alpha_in·0.25 =
	// 7 659 459.8; excess = 5·10^8 − tao_in = 492 340 540.1 (each floored only at the end).
	if got.AlphaIn != 30_637_839 || got.TAOIn != 7_659_459 || got.Excess != 492_340_540 {
		t.Errorf("capped: %+v", got)
	}
	if got.ProtocolAlpha == 0 || got.ExcessUnspent || got.Skipped || got.AlphaOut != RaoPerTAO {
		t.Errorf("capped: %+v", got)
	}
	// The pool received the excess buy and then the injection.
	buy, _ := pool.ProtocolBuy(p, got.Excess)
	want, _, _ := buy.Pool.AddLiquidity(p, got.TAOIn, got.AlphaIn)
	if got.Pool != want || got.ProtocolAlpha != buy.Out {
		t.Errorf("pool %+v, want %+v", got.Pool, want)
	}

	// Uncapped (root_prop 1): all TAO is injected, no excess.
	in.RootProp = U96F32FromInt(1)
	in.AlphaEmission = 10 * RaoPerTAO
	got, _ = p.Inject(in)
	if got.TAOIn != RaoPerTAO/2 || got.AlphaIn != 2*RaoPerTAO || got.Excess != 0 || got.ProtocolAlpha != 0 {
		t.Errorf("uncapped: %+v", got)
	}
	if pr, _ := got.Pool.Price(); pr != U64F64FromBits(0, 1<<62) {
		t.Errorf("uncapped injection moved the price to %v", pr)
	}

	// Emission disabled: only alpha_out.
	got, _ = p.Inject(InjectInput{Pool: pool, AlphaEmission: RaoPerTAO, RootProp: rp})
	if got.Pool != pool || got.AlphaOut != RaoPerTAO || got.TAOIn != 0 || got.Excess != 0 {
		t.Errorf("disabled: %+v", got)
	}

	// §5 caps alpha_in only when it is strictly above root_prop·alpha_emission: at equality
	// tao_in stays tao_emission (1 TAO) instead of alpha_in·π, which truncates to 999 999 999 rao
	// at π = 1/3.
	third := Pool{Alpha: 3 * RaoPerTAO, TAO: RaoPerTAO}
	pr, _ := third.Price()
	ai, _ := U96F32FromRao(RaoPerTAO).Div(pr.U96F32())
	got, _ = p.Inject(InjectInput{Pool: third, TAOEmission: U96F32FromRao(RaoPerTAO), AlphaEmission: 1, RootProp: ai})
	if wantA, _ := ai.Floor(); got.TAOIn != RaoPerTAO || got.AlphaIn != wantA || got.Excess != 0 {
		t.Errorf("alpha_in at the cap: %+v", got)
	}

	// An excess that would buy no alpha is not spent (the chain's swap step rejects a swap with
	// a positive input and no output): π = 10^8, root_prop 0, so all 1 000 rao are excess, and
	// 10^7·1 000/(10^15 + 1 000) < 1 rao of alpha.
	pricey := Pool{Alpha: 10_000_000, TAO: 1_000_000 * RaoPerTAO}
	got, err = p.Inject(InjectInput{Pool: pricey, TAOEmission: U96F32FromRao(1_000), AlphaEmission: RaoPerTAO})
	if err != nil || !got.ExcessUnspent || got.Excess != 1_000 || got.ProtocolAlpha != 0 || got.Pool != pricey || got.TAOIn != 0 {
		t.Errorf("excess buying nothing: %+v, %v", got, err)
	}

	// A pool without alpha has price 0: no alpha in, all TAO injected.
	got, _ = p.Inject(InjectInput{Pool: Pool{TAO: 5 * RaoPerTAO}, TAOEmission: U96F32FromRao(RaoPerTAO), AlphaEmission: RaoPerTAO, RootProp: rp})
	if got.AlphaIn != 0 || got.TAOIn != RaoPerTAO {
		t.Errorf("price 0: %+v", got)
	}
}
