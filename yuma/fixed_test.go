package yuma

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

const (
	maxI = math.MaxInt64
	minI = math.MinInt64
)

func TestAddSub(t *testing.T) {
	tests := []struct{ a, b, add, sub int64 }{
		{1, 2, 3, -1},
		{-one, half, -half, -one - half},
		{maxI, 1, maxI, maxI - 1},
		{minI, -1, minI, minI + 1},
		{maxI, -1, maxI - 1, maxI},
		{minI, 1, minI + 1, minI},
		{0, minI, minI, maxI},
		{-1, minI, minI, maxI},
		{maxI, maxI, maxI, 0},
	}
	for _, tt := range tests {
		if got := add(tt.a, tt.b); got != tt.add {
			t.Errorf("add(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.add)
		}
		if got := sub(tt.a, tt.b); got != tt.sub {
			t.Errorf("sub(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.sub)
		}
	}
}

func TestMul(t *testing.T) {
	tests := []struct {
		a, b, want int64
		ok         bool
	}{
		{one, one, one, true},
		{half, half, one / 4, true},
		{3, 1 << 31, 1, true},   // 1.5 ulps floors to 1
		{-3, 1 << 31, -2, true}, // −1.5 ulps floors toward −∞
		{-1, 1, -1, true},       // −2^−32 ulp² floors to −1
		{1, 1, 0, true},         // tiny positive floors to 0
		{q(65535), half, q(32767) + half, true},
		{q(1 << 30), q(2), 0, false}, // 2^31 does not fit
		{q(1 << 30), q(-2), minI, true},
		{q(-1 << 30), q(-2), 0, false},
		{maxI, maxI, 0, false},
		{minI, one, minI, true},
		{minI, -one, 0, false},
	}
	for _, tt := range tests {
		got, ok := mulFloor(tt.a, tt.b)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("mulFloor(%d, %d) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
		_, err := checkedMul(tt.a, tt.b)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrOverflow)) {
			t.Errorf("checkedMul(%d, %d) error = %v", tt.a, tt.b, err)
		}
	}
	// Saturation direction.
	if got := mul(maxI, maxI); got != maxI {
		t.Errorf("mul(max, max) = %d", got)
	}
	if got := mul(maxI, minI); got != minI {
		t.Errorf("mul(max, min) = %d", got)
	}
}

func TestDiv(t *testing.T) {
	tests := []struct {
		a, b, div, sdiv int64
		err             error
	}{
		{one, 2 * one, half, half, nil},
		{1, 3, 1431655765, 1431655765, nil},               // trunc(2^32/3)
		{-1, 3, -1431655765, -1431655765, nil},            // toward zero, not floor
		{1, -3, -1431655765, -1431655765, nil},            //
		{5, 0, 0, 0, ErrDivByZero},                        // safe_div: 0
		{q(1 << 30), 1, 0, maxI, ErrOverflow},             // too large: div 0, sdiv clamps
		{q(1 << 30), -1, 0, minI, ErrOverflow},            //
		{q(-1 << 31), one, q(-1 << 31), q(-1 << 31), nil}, // exactly MinInt64
		{q(1<<31 - 1), one, q(1<<31 - 1), q(1<<31 - 1), nil},
		{minI, -one, 0, maxI, ErrOverflow}, // 2^63 does not fit
		{minI, 1, 0, minI, ErrOverflow},
	}
	for _, tt := range tests {
		if got := div(tt.a, tt.b); got != tt.div {
			t.Errorf("div(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.div)
		}
		if got := sdiv(tt.a, tt.b); got != tt.sdiv {
			t.Errorf("sdiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.sdiv)
		}
		_, err := checkedDiv(tt.a, tt.b)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("checkedDiv(%d, %d) error = %v, want %v", tt.a, tt.b, err, tt.err)
		}
	}
}

// TestMulDivBig checks mul and div against math/big on random operands.
func TestMulDivBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	two32 := big.NewInt(1 << 32)
	fits := func(x *big.Int) bool { return x.IsInt64() }
	for range 20000 {
		a, b := randQ(r), randQ(r)
		A, B := big.NewInt(a), big.NewInt(b)
		// mul: floor(a·b/2^32).
		p := new(big.Int).Mul(A, B)
		p.Div(p, two32) // big.Int.Div is Euclidean: floor for a positive divisor
		got, ok := mulFloor(a, b)
		if ok != fits(p) || (ok && got != p.Int64()) {
			t.Fatalf("mulFloor(%d, %d) = %d, %v; want %v", a, b, got, ok, p)
		}
		if b == 0 {
			continue
		}
		// div: trunc(a·2^32/b).
		d := new(big.Int).Mul(A, two32)
		d.Quo(d, B) // Quo truncates toward zero
		got, ok = divTrunc(a, b)
		if ok != fits(d) || (ok && got != d.Int64()) {
			t.Fatalf("divTrunc(%d, %d) = %d, %v; want %v", a, b, got, ok, d)
		}
	}
}

// randQ draws operands of assorted magnitudes and signs.
func randQ(r *rand.Rand) int64 {
	v := int64(r.Uint64() >> r.UintN(64))
	switch r.UintN(8) {
	case 0:
		return maxI - int64(r.UintN(3))
	case 1:
		return minI + int64(r.UintN(3))
	}
	if r.UintN(2) == 0 {
		return -v
	}
	return v
}

func TestToU16Prop(t *testing.T) {
	tests := []struct {
		a    int64
		u16  uint16
		prop uint16
	}{
		{0, 0, 0},
		{-1, 0, 0},
		{minI, 0, 0},
		{one - 1, 0, 65534},
		{one, 1, 65535},
		{half, 0, 32767},
		{q(65535), 65535, 65535},
		{q(65536), 65535, 65535},
		{maxI, 65535, 65535},
		{3221225472, 0, 49151}, // 0.75
	}
	for _, tt := range tests {
		if got := toU16(tt.a); got != tt.u16 {
			t.Errorf("toU16(%d) = %d, want %d", tt.a, got, tt.u16)
		}
		if got := prop(tt.a); got != tt.prop {
			t.Errorf("prop(%d) = %d, want %d", tt.a, got, tt.prop)
		}
	}
}

func TestFrac(t *testing.T) {
	tests := []struct {
		v    uint16
		want int64
	}{
		{0, 0},
		{65535, one},
		{32767, 0x7FFF7FFF}, // default κ (§3.6)
		{45875, 3006509875}, // default alpha_low (§3.12.3)
		{58982, 3865503334}, // default alpha_high
		{1, 65537},
	}
	for _, tt := range tests {
		if got := frac(tt.v); got != tt.want {
			t.Errorf("frac(%d) = %d, want %d", tt.v, got, tt.want)
		}
	}
}

func TestRound(t *testing.T) {
	tests := []struct{ a, want int64 }{
		{0, 0},
		{half - 1, 0},
		{half, one}, // tie away from zero
		{-half, -one},
		{-half + 1, 0},
		{one + half - 1, one},
		{-one - half, -2 * one},
		{maxI, maxI &^ fracMask},
		{minI, minI},
		{minI + 1, minI},
	}
	for _, tt := range tests {
		if got := round(tt.a); got != tt.want {
			t.Errorf("round(%d) = %d, want %d", tt.a, got, tt.want)
		}
	}
}

func TestRao(t *testing.T) {
	tests := []struct {
		x    int64
		e    uint64
		want uint64
	}{
		{one, 1_000_000_000, 1_000_000_000},
		{half, 3, 1},
		{-one, 5, 0},
		{0, math.MaxUint64, 0},
		{one, math.MaxUint64, math.MaxUint64},
		{2 * one, math.MaxUint64, math.MaxUint64}, // clamped
		{1486719448, 1_000_000_000, 346153846},    // §6 server emission
	}
	for _, tt := range tests {
		if got := rao(tt.x, tt.e); got != tt.want {
			t.Errorf("rao(%d, %d) = %d, want %d", tt.x, tt.e, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want []int64 }{
		{[]int64{}, []int64{}},
		{[]int64{0, 0}, []int64{0, 0}},
		{[]int64{3, 1}, []int64{3221225472, 1073741824}},
		{[]int64{1, 1, 1}, []int64{1431655765, 1431655765, 1431655765}}, // sums below ONE
		{[]int64{-1, 2}, []int64{-one, 2 * one}},
	}
	for _, tt := range tests {
		v := append([]int64(nil), tt.in...)
		normalize(v)
		for i := range v {
			if v[i] != tt.want[i] {
				t.Errorf("normalize(%v) = %v, want %v", tt.in, v, tt.want)
				break
			}
		}
	}
}

func TestFixedRatio(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	two32 := big.NewInt(1 << 32)
	for range 5000 {
		d := u128{r.Uint64() >> r.UintN(64), r.Uint64()}
		if d.hi >= 1<<33 {
			d.hi >>= 31
		}
		if d == (u128{}) {
			continue
		}
		f := u128{r.Uint64() % (d.hi + 1), r.Uint64()}
		if d.less(f) {
			f = d
		}
		F := new(big.Int).Lsh(new(big.Int).SetUint64(f.hi), 64)
		F.Or(F, new(big.Int).SetUint64(f.lo))
		D := new(big.Int).Lsh(new(big.Int).SetUint64(d.hi), 64)
		D.Or(D, new(big.Int).SetUint64(d.lo))
		want := new(big.Int).Div(F.Mul(F, two32), D)
		if got := fixedRatio(f, d); got != want.Int64() {
			t.Fatalf("fixedRatio(%v, %v) = %d, want %v", f, d, got, want)
		}
	}
}

// TestMulFastAndProp checks mulFast against mul and prop's fast path against
// its definition, on edge and random values.
func TestMulFastAndProp(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 43))
	edge := []int64{0, 1, -1, 2, half - 1, half, one - 1, one, one + 1, maxI, minI, 65535 << 32}
	check := func(a, b int64) {
		if got, want := mulFast(a, b), mul(a, b); got != want {
			t.Fatalf("mulFast(%d, %d) = %d, want %d", a, b, got, want)
		}
		if got, want := prop(a), toU16(mul(a, 65535<<32)); got != want {
			t.Fatalf("prop(%d) = %d, want %d", a, got, want)
		}
	}
	for _, a := range edge {
		for _, b := range edge {
			check(a, b)
		}
	}
	for range 200000 {
		a, b := randQ(r), randQ(r)
		if r.IntN(2) == 0 {
			a, b = r.Int64N(one+2), r.Int64N(one+2)
		}
		check(a, b)
	}
}
