package yuma

import (
	"math/big"
	"slices"
)

// refEpoch is an independent reference of the whole epoch: spec/yuma.md
// §3.1–§3.14 written literally, dense and quadratic, on the math/big
// operations of ref_fixed_test.go, sharing no arithmetic with the
// implementation. Epoch must agree with it bit for bit on every input
// (ref_compare_test.go); it also meets the public vectors
// (TestReferenceVectors). Bonds: ref_bonds_test.go.
func refEpoch(in Input) Output {
	n, h := in.N, in.Hyper
	b := in.CurrentBlock
	rb := func(j int) uint64 { return u64At(in.BlockAtRegistration, j) }

	// §3.1
	active := make([]bool, n)
	for i := range n {
		end := new(big.Int).Add(new(big.Int).SetUint64(u64At(in.LastUpdate, i)), new(big.Int).SetUint64(in.ActivityCutoff))
		if end.Cmp(bU64) > 0 {
			end.Set(bU64)
		}
		active[i] = !(end.Cmp(new(big.Int).SetUint64(b)) < 0)
	}

	// §3.2
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	f := make([]*big.Int, n)
	for i := range n {
		if in.AlphaStake != nil {
			wt := new(big.Int).Mul(new(big.Int).SetUint64(in.TaoWeight), bTwo)
			wt.Div(wt, bU64)
			r := new(big.Int).Mul(new(big.Int).SetUint64(in.AlphaStake[i]), two64)
			t := new(big.Int).Mul(new(big.Int).SetUint64(u64At(in.TaoStake, i)), wt)
			r.Add(r, t.Mul(t, bTwo))
			f[i] = r
		} else {
			f[i] = new(big.Int).Mul(new(big.Int).SetUint64(in.Stake[i]), two64)
		}
		owner := in.HasOwner && i == in.OwnerUID
		if !owner && new(big.Int).Div(f[i], two64).Cmp(new(big.Int).SetUint64(h.StakeThreshold)) < 0 {
			f[i] = new(big.Int)
		}
	}
	total := new(big.Int)
	for _, x := range f {
		total.Add(total, x)
	}
	s := make([]int64, n)
	if total.Sign() != 0 {
		for i := range n {
			q := new(big.Int).Mul(f[i], bTwo)
			s[i] = q.Div(q, total).Int64()
		}
	}

	// §3.3
	permit := make([]bool, n)
	if in.ValidatorPermit != nil {
		copy(permit, in.ValidatorPermit)
	}
	if in.HasOwner {
		permit[in.OwnerUID] = true
	}
	newPermit := make([]bool, n)
	for i := range n {
		newPermit[i] = s[i] != 0
	}
	if k := int(h.MaxAllowedValidators); n >= k {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(x, y int) int {
			switch {
			case s[x] < s[y]:
				return -1
			case s[x] > s[y]:
				return 1
			}
			return 0
		})
		for _, i := range order[:n-k] {
			newPermit[i] = false
		}
	}
	if in.HasOwner {
		newPermit[in.OwnerUID] = true
	}

	// §3.4
	a := make([]int64, n)
	for i := range n {
		if active[i] && permit[i] {
			a[i] = s[i]
		}
	}
	rNormalize(a)

	// §3.5
	w := make([][]rEnt, n)
	for i := range n {
		w[i] = []rEnt{}
		if in.Weights == nil || !permit[i] {
			continue
		}
		lu := u64At(in.LastUpdate, i)
		for _, e := range in.Weights[i] {
			j := int(e.UID)
			if j == i && !(in.HasOwner && i == in.OwnerUID) {
				continue
			}
			if lu <= rb(j) {
				continue
			}
			if h.CommitReveal && in.CommitBlocks != nil && in.CommitBlocks[i].Valid && in.CommitBlocks[i].Block < rb(j) {
				continue
			}
			w[i] = append(w[i], rEnt{j, rQ(int64(e.Value))})
		}
		var rs []int64
		for _, e := range w[i] {
			rs = append(rs, e.v)
		}
		if sm := rSum(rs); sm > 0 {
			for k := range w[i] {
				w[i][k].v = rDiv(w[i][k].v, sm)
			}
		}
	}

	// §3.6
	c := make([]int64, n)
	var uids []int
	var sp []int64
	for i := range n {
		if a[i] > 0 {
			uids, sp = append(uids, i), append(sp, a[i])
		}
	}
	if len(uids) > 0 {
		rNormalize(sp)
		mu := rSub(rSum(sp), rFrac(h.Kappa))
		for j := range n {
			x := make([]int64, len(uids))
			for k, i := range uids {
				x[k] = rDense(w[i], n)[j]
			}
			best, found := int64(0), false
			for _, xk := range x {
				var fs []int64
				for l, xl := range x {
					if xl <= xk {
						fs = append(fs, sp[l])
					}
				}
				if rSum(fs) > mu && (!found || xk < best) {
					best, found = xk, true
				}
			}
			if !found {
				best = slices.Max(x)
			}
			c[j] = best
		}
	}

	// §3.7
	wbar := make([][]rEnt, n)
	vt := make([]int64, n)
	for i := range n {
		wbar[i] = []rEnt{}
		for _, e := range w[i] {
			v := e.v
			if c[e.j] < v {
				if c[e.j] == 0 {
					continue
				}
				v = c[e.j]
			}
			wbar[i] = append(wbar[i], rEnt{e.j, v})
			vt[i] = rAdd(vt[i], v)
		}
	}

	// §3.8
	r, pr := make([]int64, n), make([]int64, n)
	for i := range n {
		for _, e := range wbar[i] {
			r[e.j] = rAdd(r[e.j], rMul(a[i], e.v))
		}
		for _, e := range w[i] {
			pr[e.j] = rAdd(pr[e.j], rMul(a[i], e.v))
		}
	}
	inc := slices.Clone(r)
	rNormalize(inc)
	trust := make([]int64, n)
	for j := range n {
		trust[j] = rDiv(r[j], pr[j])
	}

	// §3.9
	beta := rFrac(h.BondsPenalty)
	var wb [][]rEnt
	switch beta {
	case 0:
		wb = w
	case one:
		wb = wbar
	default:
		wb = make([][]rEnt, n)
		for i := range n {
			wr, br := rDense(w[i], n), rDense(wbar[i], n)
			wb[i] = []rEnt{}
			for j := range n {
				if x := rAdd(wr[j], rMul(beta, rSub(br[j], wr[j]))); x > 0 {
					wb[i] = append(wb[i], rEnt{j, x})
				}
			}
		}
	}

	d, emaOut := refBonds(in, wb, a, c, inc)

	// §3.13
	x := make([]int64, n)
	for i := range n {
		x[i] = rAdd(inc[i], d[i])
	}
	sx := rSum(x)
	nse, nve := make([]int64, n), make([]int64, n)
	if sx != 0 {
		for i := range n {
			nse[i], nve[i] = rDiv(inc[i], sx), rDiv(d[i], sx)
		}
	} else {
		copy(nse, inc)
		copy(nve, d)
	}
	nce := slices.Clone(x)
	rNormalize(nce)
	if sx == 0 {
		src := a
		if rSum(a) == 0 {
			src = s
		}
		copy(nve, src)
		copy(nce, src)
	}

	// §3.14
	props := func(v []int64) []uint16 {
		o := make([]uint16, len(v))
		for i, y := range v {
			o[i] = rProp(y)
		}
		return o
	}
	raos := func(v []int64) []uint64 {
		o := make([]uint64, len(v))
		for i, y := range v {
			o[i] = rRao(y, in.RaoEmission)
		}
		return o
	}
	prune := make([]uint16, n)
	var m int64
	for _, y := range nce {
		m = max(m, y)
	}
	if m != 0 {
		for j := range n {
			prune[j] = rToU16(rRound(rDiv(rMul(nce[j], rQ(65535)), m)))
		}
	}
	outBonds := make([][]Entry, n)
	for i := range n {
		outBonds[i] = []Entry{}
		if newPermit[i] {
			for _, e := range emaOut[i] {
				outBonds[i] = append(outBonds[i], Entry{uint16(e.j), rProp(e.v)})
			}
		}
	}
	return Output{
		Active: active, NewValidatorPermit: newPermit,
		StakeWeight: props(s), Consensus: props(c), ValidatorTrust: props(vt), Incentive: props(inc),
		Dividends: props(d), Ranks: props(inc), Trust: props(trust), PruningScore: prune,
		Emission: raos(nce), ServerEmission: raos(nse), ValidatorEmission: raos(nve),
		Bonds: outBonds,
		Q32: Q32Vectors{Stake: s, ActiveStake: a, Consensus: c, ValidatorTrust: vt, Incentive: inc,
			Dividends: d, NormalizedServerEmission: nse, NormalizedValidatorEmission: nve, NormalizedCombinedEmission: nce},
	}
}
