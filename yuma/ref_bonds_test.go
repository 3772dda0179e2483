package yuma

import (
	"math/big"
	"slices"
)

// refBonds is §3.10–§3.12 literally: D (normalized) and EMA_out.
func refBonds(in Input, wb [][]rEnt, a, c, inc []int64) ([]int64, [][]rEnt) {
	n, h, b := in.N, in.Hyper, in.CurrentBlock
	rb := func(j int) uint64 { return u64At(in.BlockAtRegistration, j) }

	// §3.10
	var lastTempo uint64
	switch {
	case in.LastMechanismStepBlock == ^uint64(0): // saturating_add(1) on the chain
		lastTempo = ^uint64(0)
	case in.LastMechanismStepBlock != 0:
		lastTempo = in.LastMechanismStepBlock + 1
	case b > uint64(in.Tempo):
		lastTempo = b - uint64(in.Tempo)
	}
	bonds := make([][]rEnt, n)
	for i := range n {
		bonds[i] = []rEnt{}
		if in.Bonds == nil {
			continue
		}
		for _, e := range in.Bonds[i] {
			if lastTempo <= rb(int(e.UID)) {
				continue
			}
			v := rQ(int64(e.Value))
			if h.Yuma3 {
				v = rFrac(e.Value)
			}
			bonds[i] = append(bonds[i], rEnt{int(e.UID), v})
		}
	}

	alpha := one - int64(new(big.Int).Div(new(big.Int).Mul(new(big.Int).SetUint64(h.BondsMovingAverage), bTwo), big.NewInt(1_000_000)).Uint64())
	d := make([]int64, n)
	var emaOut [][]rEnt
	if !h.Yuma3 { // §3.11
		rColNormalize(bonds, n)
		delta := make([][]rEnt, n)
		for i := range n {
			delta[i] = []rEnt{}
			for _, e := range wb[i] {
				delta[i] = append(delta[i], rEnt{e.j, rMul(e.v, a[i])})
			}
		}
		rColNormalize(delta, n)
		ema := rDenseEMA(delta, bonds, alpha, n)
		rColNormalize(ema, n)
		for i := range n {
			for _, e := range ema[i] {
				d[i] = rAdd(d[i], rMul(inc[e.j], e.v))
			}
		}
		rNormalize(d)
		mx := make([]int64, n)
		for _, row := range ema {
			for _, e := range row {
				mx[e.j] = max(mx[e.j], e.v)
			}
		}
		for _, row := range ema {
			for k, e := range row {
				if mx[e.j] != 0 {
					row[k].v = rDiv(e.v, mx[e.j])
				}
			}
		}
		emaOut = ema
	} else { // §3.12
		var ema [][]rEnt
		if h.LiquidAlpha && slices.ContainsFunc(c, func(x int64) bool { return x != 0 }) {
			ema = make([][]rEnt, n)
			for i := range n {
				al := make([]int64, n)
				pw, pb := 0, 0
				for j := range n {
					var wt, bt int64
					for ; pw < len(wb[i]); pw++ {
						if wb[i][pw].j >= j {
							if wb[i][pw].j == j {
								wt = wb[i][pw].v
							}
							break
						}
					}
					for ; pb < len(bonds[i]); pb++ {
						if bonds[i][pb].j >= j {
							if bonds[i][pb].j == j {
								bt = bonds[i][pb].v
							}
							break
						}
					}
					al[j] = rAlphaSigmoid(h, c[j], wt, bt)
				}
				dec := make([]int64, n)
				for _, e := range bonds[i] {
					dec[e.j] = rMul(rSub(one, al[e.j]), e.v)
				}
				ema[i] = []rEnt{}
				for _, e := range wb[i] {
					if x := min(one, rAdd(dec[e.j], max(0, rMul(al[e.j], e.v)))); x > 0 {
						ema[i] = append(ema[i], rEnt{e.j, x})
					}
				}
			}
		} else {
			ema = rDenseEMA(wb, bonds, alpha, n)
		}
		bh := make([][]rEnt, n)
		for i := range n {
			bh[i] = slices.Clone(ema[i])
		}
		rColNormalize(bh, n)
		for i := range n {
			var t int64
			for _, e := range bh[i] {
				t = rAdd(t, rMul(e.v, inc[e.j]))
			}
			if p := rMulBig(t, a[i]); fits(p) {
				d[i] = p.Int64()
			}
		}
		rNormalize(d)
		emaOut = ema
	}
	return d, emaOut
}
