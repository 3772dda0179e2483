package market

import "testing"

// TestBurnExamples reproduces the examples of dtao.md §9.
func TestBurnExamples(t *testing.T) {
	p := DefaultParams()
	if f := DecayFactor(360); f != 4_286_705_684 {
		t.Errorf("f(360) = %d, want 4286705684", f)
	}
	if got := p.DecayBurn(RaoPerTAO, 2); got != 998_076_443 {
		t.Errorf("1 TAO after one block = %d, want 998076443", got)
	}
	burn := RaoPerTAO
	for b := uint64(2); b < 362; b++ {
		burn = p.DecayBurn(burn, b)
	}
	if burn != 499_999_865 {
		t.Errorf("1 TAO after 360 blocks = %d, want 499999865", burn)
	}
	if got := p.BumpBurn(RaoPerTAO / 10); got != 126_000_000 {
		t.Errorf("bump of 0.1 TAO = %d, want 126000000", got)
	}
}

func TestDecayFactorIsLargest(t *testing.T) {
	for _, hl := range []uint64{1, 2, 3, 10, 360, 7_200, 1 << 20} {
		f := DecayFactor(hl)
		if powQ32(f, hl) > q32One/2 {
			t.Errorf("hl=%d: f^hl above 1/2", hl)
		}
		if f+1 < q32One && powQ32(f+1, hl) <= q32One/2 {
			t.Errorf("hl=%d: f+1 also qualifies", hl)
		}
	}
	if DecayFactor(1) != q32One/2 {
		t.Errorf("f(1) = %d, want 2^31", DecayFactor(1))
	}
	if DecayFactor(0) != q32One {
		t.Errorf("f(0) = %d, want 2^32 (no decay)", DecayFactor(0))
	}
}

func TestBurnClampsAndSkips(t *testing.T) {
	p := DefaultParams()
	for _, b := range []uint64{0, 1} {
		if got := p.DecayBurn(RaoPerTAO, b); got != RaoPerTAO {
			t.Errorf("block %d decayed the burn to %d", b, got)
		}
		// No decay at blocks 0 and 1, but the clamp still applies (registration.rs clamps
		// whether or not it decayed).
		if got := p.DecayBurn(p.MaxBurn+1, b); got != p.MaxBurn {
			t.Errorf("block %d: burn above MaxBurn kept at %d", b, got)
		}
		if got := p.DecayBurn(p.MinBurn-1, b); got != p.MinBurn {
			t.Errorf("block %d: burn below MinBurn kept at %d", b, got)
		}
	}
	if got := p.DecayBurn(p.MinBurn, 5); got != p.MinBurn {
		t.Errorf("decay below the minimum: %d", got)
	}
	if got := p.BumpBurn(p.MaxBurn); got != p.MaxBurn {
		t.Errorf("bump above the maximum: %d", got)
	}
	if got := p.DecayBurn(1_000*RaoPerTAO, 5); got != p.MaxBurn {
		t.Errorf("clamp from above: %d", got)
	}
	p.BurnHalfLife = 0
	if got := p.DecayBurn(RaoPerTAO, 5); got != RaoPerTAO {
		t.Errorf("half-life 0 decayed to %d", got)
	}
}

func TestPowQ32(t *testing.T) {
	half := q32One / 2
	for _, c := range []struct{ f, e, want uint64 }{
		{half, 0, q32One}, {half, 1, half}, {half, 3, q32One / 8}, {q32One - 1, 2, q32One - 2}, {0, 5, 0},
	} {
		if got := powQ32(c.f, c.e); got != c.want {
			t.Errorf("powQ32(%d, %d) = %d, want %d", c.f, c.e, got, c.want)
		}
	}
}
