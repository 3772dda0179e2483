package yuma

import (
	"errors"
	"math/big"
)

// The Q32 operations of spec/yuma.md §1 and the exp and alpha_sigmoid of
// §3.12.3 on math/big, for the reference epoch (ref_test.go): written from
// the spec's table, sharing no code with fixed.go or sigmoid.go.

var (
	bMinI = big.NewInt(minI)
	bMaxI = big.NewInt(maxI)
	bTwo  = new(big.Int).Lsh(big.NewInt(1), 32) // 2^32
	bU64  = new(big.Int).SetUint64(^uint64(0))
)

var errRef = errors.New("ref: overflow")

func bi(a int64) *big.Int { return big.NewInt(a) }

func fits(x *big.Int) bool { return x.Cmp(bMinI) >= 0 && x.Cmp(bMaxI) <= 0 }

func clampI(x *big.Int) int64 {
	switch {
	case x.Cmp(bMinI) < 0:
		return minI
	case x.Cmp(bMaxI) > 0:
		return maxI
	}
	return x.Int64()
}

func rAdd(a, b int64) int64 { return clampI(new(big.Int).Add(bi(a), bi(b))) }
func rSub(a, b int64) int64 { return clampI(new(big.Int).Sub(bi(a), bi(b))) }

// rMulBig is floor(a·b/2^32) unclamped (Euclidean division by a positive
// divisor is the floor).
func rMulBig(a, b int64) *big.Int {
	p := new(big.Int).Mul(bi(a), bi(b))
	return p.Div(p, bTwo)
}

func rMul(a, b int64) int64 { return clampI(rMulBig(a, b)) }

// rDivBig is trunc(a·2^32/b) unclamped, b ≠ 0.
func rDivBig(a, b int64) *big.Int {
	p := new(big.Int).Mul(bi(a), bTwo)
	return p.Quo(p, bi(b))
}

func rDiv(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	t := rDivBig(a, b)
	if !fits(t) {
		return 0
	}
	return t.Int64()
}

func rSdiv(a, b int64) int64 { return clampI(rDivBig(a, b)) }

func rQ(k int64) int64 { return k << 32 }

func rToU16(a int64) uint16 {
	f := new(big.Int).Div(bi(a), bTwo).Int64()
	return uint16(max(0, min(65535, f)))
}

func rProp(a int64) uint16 { return rToU16(rMul(a, rQ(65535))) }

func rFrac(v uint16) int64 { return rDiv(rQ(int64(v)), rQ(65535)) }

func rRound(a int64) int64 {
	m := new(big.Int).Abs(bi(a))
	m.Add(m, bi(half))
	m.Div(m, bTwo)
	m.Mul(m, bTwo)
	if a < 0 {
		m.Neg(m)
	}
	return clampI(m)
}

func rRao(x int64, e uint64) uint64 {
	p := new(big.Int).Mul(bi(x), new(big.Int).SetUint64(e))
	p.Div(p, bTwo)
	if p.Sign() < 0 {
		return 0
	}
	if p.Cmp(bU64) > 0 {
		return ^uint64(0)
	}
	return p.Uint64()
}

func rSum(v []int64) int64 {
	s := new(big.Int)
	for _, x := range v {
		s.Add(s, bi(x))
	}
	return clampI(s)
}

func rNormalize(v []int64) {
	s := rSum(v)
	if s == 0 {
		return
	}
	for i := range v {
		v[i] = rDiv(v[i], s)
	}
}

// rExp is §3.12.3's exp with checked operations.
func rExp(x int64) (int64, error) {
	if x == 0 {
		return one, nil
	}
	if x == one {
		return 11674931200, nil
	}
	y := x
	if y < 0 {
		y = -y
	}
	chk := func(v *big.Int) (int64, error) {
		if !fits(v) {
			return 0, errRef
		}
		return v.Int64(), nil
	}
	r, err := chk(new(big.Int).Add(bi(one), bi(y)))
	if err != nil {
		return 0, err
	}
	t := y
	for i := int64(2); i <= 31; i++ {
		if t, err = chk(rMulBig(t, y)); err != nil {
			return 0, err
		}
		if t, err = chk(rDivBig(t, rQ(i))); err != nil {
			return 0, err
		}
		if r, err = chk(new(big.Int).Add(bi(r), bi(t))); err != nil {
			return 0, err
		}
	}
	if x < 0 {
		return chk(rDivBig(one, r))
	}
	return r, nil
}

func rExpSafe(x int64) int64 {
	x = max(rQ(-20), min(rQ(20), x))
	r, err := rExp(x)
	if err != nil {
		if x <= 0 {
			return 0
		}
		return maxI
	}
	return r
}

func rAlphaSigmoid(h Hyper, c, w, bo int64) int64 {
	lo, hi, k := rFrac(h.AlphaLow), rFrac(h.AlphaHigh), rQ(int64(h.AlphaSigmoidSteepness))
	buy := max(min(rSub(w, c), one), 0)
	sell := max(min(rSub(bo, w), one), 0)
	d := sell
	if w >= bo {
		d = buy
	}
	x := rMul(rSdiv(k, rQ(-100)), rSub(d, half))
	sg := rSdiv(one, rAdd(one, rExpSafe(x)))
	return max(min(rAdd(lo, rMul(sg, rSub(hi, lo))), hi), lo)
}

type rEnt struct {
	j int
	v int64
}

// rDense reads a row with absent entries as 0 (the last entry of a uid
// would win; inputs never repeat one).
func rDense(row []rEnt, n int) []int64 {
	d := make([]int64, n)
	for _, e := range row {
		d[e.j] = e.v
	}
	return d
}

func rColNormalize(m [][]rEnt, n int) {
	colsum := make([]int64, n)
	for _, row := range m {
		for _, e := range row {
			colsum[e.j] = rAdd(colsum[e.j], e.v)
		}
	}
	for _, row := range m {
		for k, e := range row {
			if colsum[e.j] != 0 {
				row[k].v = rDiv(e.v, colsum[e.j])
			}
		}
	}
}

// rDenseEMA is §3.11.4.
func rDenseEMA(next, old [][]rEnt, alpha int64, n int) [][]rEnt {
	out := make([][]rEnt, n)
	for i := range n {
		acc := make([]int64, n)
		for _, e := range next[i] {
			acc[e.j] = rAdd(acc[e.j], rMul(alpha, e.v))
		}
		for _, e := range old[i] {
			acc[e.j] = rAdd(acc[e.j], rMul(rSub(one, alpha), e.v))
		}
		out[i] = []rEnt{}
		for j, v := range acc {
			if v > 0 {
				out[i] = append(out[i], rEnt{j, v})
			}
		}
	}
	return out
}

func u64At(v []uint64, i int) uint64 {
	if v == nil {
		return 0
	}
	return v[i]
}
