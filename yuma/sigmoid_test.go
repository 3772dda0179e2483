package yuma

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpCheckValues are the check values of spec §3.12.3.
func TestExpCheckValues(t *testing.T) {
	tests := []struct {
		name string
		x    int64
		want int64
	}{
		{"exp(q(5))", q(5), 637429664624},
		{"exp(q(-5))", q(-5), 28939262},
		{"exp(HALF)", half, 7081203935},
		{"exp(0)", 0, one},
		{"exp(ONE)", one, 11674931200},
	}
	for _, tt := range tests {
		if got := expSafe(tt.x); got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestAlphaSigmoidCheckValues(t *testing.T) {
	h := DefaultHyper()
	sg := newSigmoid(h)
	if sg.lo != 3006509875 || sg.hi != 3865503334 {
		t.Fatalf("lo, hi = %d, %d; want 3006509875, 3865503334", sg.lo, sg.hi)
	}
	tests := []struct{ c, w, bo, want int64 }{
		{0, 0, 0, 3012258989},
		{half, one, 0, 3436006604},
		// w = bo takes buy (d = buy if w ≥ bo): d = HALF as in the value
		// above; sell would give d = 0 and the first value.
		{half, one, one, 3436006604},
	}
	for _, tt := range tests {
		if got := sg.alpha(tt.c, tt.w, tt.bo); got != tt.want {
			t.Errorf("alpha_sigmoid(%d, %d, %d) = %d, want %d", tt.c, tt.w, tt.bo, got, tt.want)
		}
	}
}

func TestExpSafeClamp(t *testing.T) {
	// Outside [−20, 20] the argument is clamped.
	if got, want := expSafe(q(100)), expSafe(q(20)); got != want {
		t.Errorf("exp_safe(100) = %d, want exp_safe(20) = %d", got, want)
	}
	if got, want := expSafe(math.MinInt64), expSafe(q(-20)); got != want {
		t.Errorf("exp_safe(min) = %d, want exp_safe(-20) = %d", got, want)
	}
	if got := expSafe(q(20)); got <= 0 || got == math.MaxInt64 {
		t.Errorf("exp_safe(20) = %d: the clamp range must not overflow", got)
	}
	// Monotone on a grid within the clamp.
	prev := int64(-1)
	for x := q(-20); x <= q(20); x += one / 8 {
		e := expSafe(x)
		if e < prev {
			t.Fatalf("exp_safe not monotone at %d: %d < %d", x, e, prev)
		}
		prev = e
	}
}

func TestExpFixedOverflow(t *testing.T) {
	// Unclamped, exp of a large argument overflows I32F32 and is an error.
	for _, x := range []int64{q(22), q(1 << 20), math.MinInt64} {
		if _, err := expFixed(x); !errors.Is(err, ErrOverflow) {
			t.Errorf("expFixed(%d) error = %v, want ErrOverflow", x, err)
		}
	}
	// At ±20, the ends of exp_safe's clamp, nothing overflows.
	for _, x := range []int64{q(-20), q(20)} {
		if _, err := expFixed(x); err != nil {
			t.Errorf("expFixed(%d) error = %v", x, err)
		}
	}
}

// TestExpMatchesSeries checks the optimized loop (constant divisors, early
// stop) against §3.12.3 written literally with the checked helpers.
func TestExpMatchesSeries(t *testing.T) {
	literal := func(x int64) int64 {
		y := x
		if y < 0 {
			y = -y
		}
		r, _ := checkedAdd(one, y)
		tt := y
		for i := int64(2); i <= 31; i++ {
			tt, _ = checkedMul(tt, y)
			tt, _ = checkedDiv(tt, q(i))
			r, _ = checkedAdd(r, tt)
		}
		if x < 0 {
			r, _ = checkedDiv(one, r)
		}
		return r
	}
	for x := q(-20); x <= q(20); x += 12345677 {
		if x == 0 || x == one {
			continue
		}
		if got, want := expSafe(x), literal(x); got != want {
			t.Fatalf("exp(%d) = %d, literal series %d", x, got, want)
		}
	}
}

func TestAlphaSigmoidBounds(t *testing.T) {
	h := DefaultHyper()
	for _, steep := range []int16{-32768, -1000, 0, 1, 1000, 32767} {
		h.AlphaSigmoidSteepness = steep
		sg := newSigmoid(h)
		for _, c := range []int64{0, half, one} {
			for _, w := range []int64{0, 1, half, one} {
				for _, bo := range []int64{0, half, one} {
					a := sg.alpha(c, w, bo)
					if a < sg.lo || a > sg.hi {
						t.Fatalf("steepness %d: alpha(%d,%d,%d) = %d outside [%d, %d]", steep, c, w, bo, a, sg.lo, sg.hi)
					}
				}
			}
		}
	}
}

// TestExpSafePair checks the two-lane series against expSafe and
// alphaOfMany against alphaOf, on edge and random arguments.
func TestExpSafePair(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 73))
	edge := []int64{0, 1, -1, one, -one, half, -half, 20 << 32, -20 << 32, 20<<32 + 1, -20<<32 - 1,
		5 << 32, -5 << 32, 19<<32 + 12345, math.MaxInt64, math.MinInt64, 1 << 40, -(1 << 40)}
	pick := func() int64 {
		switch r.IntN(3) {
		case 0:
			return edge[r.IntN(len(edge))]
		case 1:
			return r.Int64N(41<<32) - 20<<32
		}
		return r.Int64N(11<<32) - 5<<32
	}
	for range 20000 {
		x1, x2 := pick(), pick()
		g1, g2 := expSafePair(x1, x2)
		if w1, w2 := expSafe(x1), expSafe(x2); g1 != w1 || g2 != w2 {
			t.Fatalf("expSafePair(%d, %d) = %d, %d; want %d, %d", x1, x2, g1, g2, w1, w2)
		}
		x3, x4 := pick(), pick()
		q1, q2, q3, q4 := expSafeQuad(x1, x2, x3, x4)
		if q1 != g1 || q2 != g2 || q3 != expSafe(x3) || q4 != expSafe(x4) {
			t.Fatalf("expSafeQuad(%d, %d, %d, %d) differs from expSafe", x1, x2, x3, x4)
		}
	}
	h := DefaultHyper()
	for it := range 300 {
		h.AlphaSigmoidSteepness = int16(r.IntN(1<<16) - 1<<15)
		if it%3 == 0 {
			h.AlphaSigmoidSteepness = 1000
		}
		h.AlphaLow = uint16(r.IntN(1 << 16))
		h.AlphaHigh = uint16(r.IntN(1 << 16))
		sg := newSigmoid(h)
		n := r.IntN(12)
		ds, js := make([]int64, n), make([]int32, n)
		for k := range ds {
			ds[k], js[k] = r.Int64N(one+1), int32(k)
			if r.IntN(5) == 0 {
				ds[k] = []int64{0, 1, half, one}[r.IntN(4)]
			}
		}
		got := make([]int64, n)
		sg.alphaOfMany(ds, js, got)
		for k, d := range ds {
			if want := sg.alphaOf(d); got[k] != want {
				t.Fatalf("steepness %d: alphaOfMany at d=%d = %d, want %d", h.AlphaSigmoidSteepness, d, got[k], want)
			}
		}
	}
}
