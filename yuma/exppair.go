package yuma

import "math/bits"

// expSafePair returns expSafe(x1), expSafe(x2). Liquid alpha evaluates
// thousands of independent exponentials per epoch, each a chain of ~30
// dependent multiply-divide steps (expFixed); running two series in
// lockstep lets the CPU overlap them. Each lane computes exactly
// expFixed's terms: a lane whose t reached 0 keeps t = 0 and r unchanged,
// as expFixed's early exit does. A lane whose term would overflow, and the
// special arguments, take expSafe.
func expSafePair(x1, x2 int64) (int64, int64) {
	x1 = min(max(x1, -20<<32), 20<<32)
	x2 = min(max(x2, -20<<32), 20<<32)
	if x1 == 0 || x1 == one || x2 == 0 || x2 == one {
		return expSafe(x1), expSafe(x2)
	}
	y1, y2 := uint64(max(x1, -x1)), uint64(max(x2, -x2)) // ≤ 20·2^32
	r1, r2 := one+int64(y1), one+int64(y2)
	t1, t2 := y1, y2
	var bad uint64 // high words of the products; ≥ 2^31 means overflow
	for i := uint64(2); i <= 31 && t1|t2 != 0; i++ {
		m := smallRecip[i]
		h1, l1 := bits.Mul64(t1, y1)
		h2, l2 := bits.Mul64(t2, y2)
		bad |= h1 | h2
		t1 = divSmallDividend(h1<<32|l1>>32, i, m)
		t2 = divSmallDividend(h2<<32|l2>>32, i, m)
		r1 += int64(t1) // terms and sums stay below e^20·2^32 < 2^61
		r2 += int64(t2)
	}
	if bad >= 1<<31 || r1 < 0 || r2 < 0 {
		return expSafe(x1), expSafe(x2)
	}
	if x1 < 0 {
		r1 = div(one, r1) // r1 ≥ ONE: the quotient fits, as checkedDiv's
	}
	if x2 < 0 {
		r2 = div(one, r2)
	}
	return r1, r2
}

// alphaOfMany sets alpha[js[k]] = s.alphaOf(ds[k]) for every k, two
// exponentials at a time.
func (s sigmoid) alphaOfMany(ds []int64, js []int32, alpha []int64) {
	k := 0
	for ; k+1 < len(ds); k += 2 {
		e1, e2 := expSafePair(s.expArg(ds[k]), s.expArg(ds[k+1]))
		alpha[js[k]], alpha[js[k+1]] = s.alphaOfExp(e1), s.alphaOfExp(e2)
	}
	if k < len(ds) {
		alpha[js[k]] = s.alphaOf(ds[k])
	}
}
