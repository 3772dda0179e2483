package market

import (
	"math/rand/v2"
	"testing"
)

// TestBlockEmissionTable checks every row of the table in dtao.md §3.
func TestBlockEmissionTable(t *testing.T) {
	p := DefaultParams()
	for _, c := range []struct {
		issuance Rao
		want     Rao
	}{
		{0, 1_000_000_000},
		{10_499_999_999_999_999, 1_000_000_000}, // 10 499 999.999 999 999 TAO
		{10_500_000 * RaoPerTAO, 500_000_000},
		{15_750_000 * RaoPerTAO, 250_000_000},
		{18_375_000 * RaoPerTAO, 125_000_000},
		{20_999_999 * RaoPerTAO, 59},
		{21_000_000 * RaoPerTAO, 0},
	} {
		if got := p.BlockEmission(c.issuance); got != c.want {
			t.Errorf("e(%v TAO) = %d rao, want %d", c.issuance, got, c.want)
		}
	}
}

// TestHalvingThresholds: the emission halves exactly at C·(1 − 2^-k) for the thresholds listed
// in §3, and not one rao earlier.
func TestHalvingThresholds(t *testing.T) {
	p := DefaultParams()
	for k, tao := range []Rao{10_500_000, 15_750_000, 18_375_000, 19_687_500, 20_343_750} {
		at := tao * RaoPerTAO
		want := p.BaseEmission >> uint(k+1)
		if got := p.BlockEmission(at); got != want {
			t.Errorf("e(%v) = %d, want %d", at, got, want)
		}
		if got := p.BlockEmission(at - 1); got != 2*want {
			t.Errorf("e(%v − 1 rao) = %d, want %d", at, got, 2*want)
		}
	}
}

// nextChange returns the smallest issuance above q whose emission differs from e(q) (e is
// non-increasing), by bisection.
func nextChange(p Params, q Rao) Rao {
	e := p.BlockEmission(q)
	lo, hi := q, p.SupplyCap // e(lo) = e, e(hi) = 0 ≠ e when e > 0
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if p.BlockEmission(mid) == e {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// TestIssuanceNeverExceedsCap simulates the whole issuance curve from 0 with every block
// emitted, jumping over the blocks where the emission is constant, and checks that the issuance
// never passes the cap and that the emission is non-increasing and ends at 0. It also runs the
// curve from random starting issuances (as after recycling).
func TestIssuanceNeverExceedsCap(t *testing.T) {
	p := DefaultParams()
	r := rand.New(rand.NewPCG(9, 10))
	starts := []Rao{0}
	for range 50 {
		starts = append(starts, Rao(r.Uint64N(uint64(p.SupplyCap))))
	}
	for _, q := range starts {
		var blocks uint64
		prev := p.BlockEmission(q)
		for {
			e := p.BlockEmission(q)
			if e > prev {
				t.Fatalf("emission rose from %d to %d at %d", prev, e, q)
			}
			prev = e
			if e == 0 {
				break
			}
			// Blocks at emission e until the issuance reaches the next change.
			n := (uint64(nextChange(p, q)-q) + uint64(e) - 1) / uint64(e)
			q += Rao(n) * e
			blocks += n
			if q > p.SupplyCap {
				t.Fatalf("issuance %d passed the cap after %d blocks", q, blocks)
			}
		}
		if q > p.SupplyCap || p.SupplyCap-q > 1_000_000_000 {
			t.Errorf("curve from start ended at %d, %d rao below the cap", q, p.SupplyCap-q)
		}
		if q == 0 || blocks == 0 {
			t.Errorf("no blocks simulated")
		}
	}
}

// TestEmissionNeverCrossesCap: one block never carries the issuance past the cap, checked near
// every change of the curve and at random issuances.
func TestEmissionNeverCrossesCap(t *testing.T) {
	p := DefaultParams()
	r := rand.New(rand.NewPCG(11, 12))
	var qs []Rao
	for q := Rao(0); p.BlockEmission(q) > 0; q = nextChange(p, q) {
		for d := Rao(0); d < 3; d++ {
			qs = append(qs, q+d, q-d)
		}
	}
	for range 100_000 {
		qs = append(qs, Rao(r.Uint64N(uint64(p.SupplyCap)+10)))
	}
	for _, q := range qs {
		if q > p.SupplyCap {
			continue
		}
		if e := p.BlockEmission(q); e > p.SupplyCap-q {
			t.Fatalf("e(%d) = %d crosses the cap", q, e)
		}
	}
}
