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

// TestDivSmallDividend checks the one-correction reciprocal against the
// hardware divide, with edge dividends and divisors.
func TestDivSmallDividend(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	bs := []uint64{2, 3, 7, 1 << 32, 1<<32 + 1, 1<<63 - 1, 1 << 63, ^uint64(0), ^uint64(0) - 1}
	us := []uint64{0, 1, 2, 1<<63 - 1, 1 << 63, ^uint64(0), ^uint64(0) - 1}
	check := func(u, b uint64) {
		if got, want := divSmallDividend(u, b, ^uint64(0)/b), u/b; got != want {
			t.Fatalf("divSmallDividend(%d, %d) = %d, want %d", u, b, got, want)
		}
	}
	for _, b := range bs {
		for _, u := range us {
			check(u, b)
			check(u/b*b, b)
			check(u/b*b-1, b)
		}
	}
	for range 500000 {
		b := max(2, r.Uint64()>>r.UintN(64))
		u := r.Uint64() >> r.UintN(64)
		check(u, b)
		check(u/b*b, b)
		if u >= b {
			check(u/b*b-1, b)
		}
	}
}

// TestDivColsMatchesDiv checks the per-column reciprocal of divCols against
// div entry by entry, with edge values in entries and divisors.
func TestDivColsMatchesDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	edge := []int64{0, 1, -1, 2, half - 1, half, one - 1, one, one + 1, maxI, minI, 65535 << 32}
	pick := func() int64 {
		switch r.IntN(4) {
		case 0:
			return edge[r.IntN(len(edge))]
		case 1:
			return randQ(r)
		default:
			return r.Int64N(one + 1)
		}
	}
	for range 300 {
		n := 1 + r.IntN(40)
		m := newSparse(n, 0)
		for range n {
			for range r.IntN(3 * n) {
				m.push(int32(r.IntN(n)), pick())
			}
			m.endRow()
		}
		by := make([]int64, n)
		scaled := r.IntN(2) == 0 // divisors B·2^32 (divColsScaled)
		for j := range by {
			by[j] = pick()
			if scaled {
				by[j] = max(0, by[j]) &^ fracMask
				if r.IntN(4) == 0 {
					by[j] = int64(r.IntN(4)) << 32
				}
			}
		}
		want := make([]int64, len(m.val))
		for k, j := range m.col {
			want[k] = m.val[k]
			if by[j] != 0 {
				want[k] = div(m.val[k], by[j])
			}
		}
		m.divCols(by)
		for k := range want {
			if m.val[k] != want[k] {
				t.Fatalf("entry %d (col %d, by %d): got %d, want %d", k, m.col[k], by[m.col[k]], m.val[k], want[k])
			}
		}
	}
}

// TestColSums checks the unchecked column sums against add, with entries
// that overflow, saturate or are negative.
func TestColSums(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	for it := range 500 {
		n := 1 + r.IntN(30)
		m := newSparse(n, 0)
		for range n {
			for range r.IntN(2 * n) {
				v := r.Int64N(one + 1)
				switch r.IntN(20 + it%7*10) {
				case 0:
					v = randQ(r)
				case 1:
					v = maxI - r.Int64N(3)
				case 2:
					v = 1 << (40 + r.IntN(20))
				}
				m.push(int32(r.IntN(n)), v)
			}
			m.endRow()
		}
		want := make([]int64, n)
		for k, j := range m.col {
			want[j] = add(want[j], m.val[k])
		}
		got := m.colSums(n)
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("case %d col %d: got %d, want %d", it, j, got[j], want[j])
			}
		}
	}
}

// TestDivSmall63 checks the correction-free magic division against t/i for
// dividends below 2^63, with the edges of each quotient.
func TestDivSmall63(t *testing.T) {
	r := rand.New(rand.NewPCG(87, 89))
	for i := uint64(2); i <= 31; i++ {
		xs := []uint64{0, 1, i - 1, i, i + 1, 1<<63 - 1, 1<<63 - i, (1<<63 - 1) / i * i, (1<<63-1)/i*i - 1}
		for range 50000 {
			x := r.Uint64() >> (1 + r.UintN(63))
			xs = append(xs, x, x/i*i, max(x/i*i, 1)-1)
		}
		for _, x := range xs {
			if got := divSmall63(x, i); got != x/i {
				t.Fatalf("divSmall63(%d, %d) = %d, want %d", x, i, got, x/i)
			}
		}
	}
}
