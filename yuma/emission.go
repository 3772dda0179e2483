package yuma

// emissionSplit is §3.13: the normalized server, validator and combined
// emissions, with the fallback when I + D is all zero.
func emissionSplit(s, a, inc, d []int64) (nse, nve, nce []int64) {
	n := len(inc)
	x := make([]int64, n)
	for i := range n {
		x[i] = add(inc[i], d[i])
	}
	total := sum(x)
	nse, nve = make([]int64, n), make([]int64, n)
	if total != 0 {
		for i := range n {
			nse[i] = div(inc[i], total)
			nve[i] = div(d[i], total)
		}
	} else {
		copy(nse, inc)
		copy(nve, d)
	}
	nce = x
	normalize(nce)
	if total == 0 {
		// Fallback: no incentive and no dividends; emit by active stake,
		// or by stake when no uid has active stake.
		src := a
		if sum(a) == 0 {
			src = s
		}
		copy(nve, src)
		copy(nce, src)
	}
	return nse, nve, nce
}

// pruningScores is vec_max_upscale_to_u16 of nce (§3.14 pruning_score).
func pruningScores(nce []int64) []uint16 {
	out := make([]uint16, len(nce))
	var m int64
	for _, v := range nce {
		m = max(m, v)
	}
	if m == 0 {
		return out
	}
	for i, v := range nce {
		out[i] = toU16(round(div(mul(v, 65535<<32), m)))
	}
	return out
}

func props(v []int64) []uint16 {
	out := make([]uint16, len(v))
	for i, x := range v {
		out[i] = prop(x)
	}
	return out
}

func raos(v []int64, e uint64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = rao(x, e)
	}
	return out
}
