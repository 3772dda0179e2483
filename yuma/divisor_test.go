package yuma

import (
	"math/rand/v2"
	"testing"
)

// TestDivisorMatchesDiv checks the reciprocal division against div.
func TestDivisorMatchesDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	edge := []int64{0, 1, -1, 2, one - 1, one, one + 1, maxI, minI, minI + 1, half, 65535 << 32}
	check := func(a, b int64) {
		dv := newDivisor(b)
		if got, want := dv.div(a), div(a, b); got != want {
			t.Fatalf("divisor(%d).div(%d) = %d, want %d", b, a, got, want)
		}
	}
	for _, a := range edge {
		for _, b := range edge {
			check(a, b)
		}
	}
	for range 200000 {
		a, b := randQ(r), randQ(r)
		if r.IntN(2) == 0 && b != 0 {
			a %= b // |a| < |b|: the normalization case
		}
		check(a, b)
	}
}
