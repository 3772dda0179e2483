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
		h1, l1 := bits.Mul64(t1, y1)
		h2, l2 := bits.Mul64(t2, y2)
		bad |= h1 | h2
		t1 = divSmall63(h1<<32|l1>>32, i)
		t2 = divSmall63(h2<<32|l2>>32, i)
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

// expSafeQuad is expSafePair for four arguments.
func expSafeQuad(x1, x2, x3, x4 int64) (int64, int64, int64, int64) {
	x1 = min(max(x1, -20<<32), 20<<32)
	x2 = min(max(x2, -20<<32), 20<<32)
	x3 = min(max(x3, -20<<32), 20<<32)
	x4 = min(max(x4, -20<<32), 20<<32)
	if x1 == 0 || x1 == one || x2 == 0 || x2 == one || x3 == 0 || x3 == one || x4 == 0 || x4 == one {
		e1, e2 := expSafePair(x1, x2)
		e3, e4 := expSafePair(x3, x4)
		return e1, e2, e3, e4
	}
	y1, y2 := uint64(max(x1, -x1)), uint64(max(x2, -x2))
	y3, y4 := uint64(max(x3, -x3)), uint64(max(x4, -x4))
	r1, r2, r3, r4 := one+int64(y1), one+int64(y2), one+int64(y3), one+int64(y4)
	t1, t2, t3, t4 := y1, y2, y3, y4
	var bad uint64
	for i := uint64(2); i <= 31 && t1|t2|t3|t4 != 0; i++ {
		h1, l1 := bits.Mul64(t1, y1)
		h2, l2 := bits.Mul64(t2, y2)
		h3, l3 := bits.Mul64(t3, y3)
		h4, l4 := bits.Mul64(t4, y4)
		bad |= h1 | h2 | h3 | h4
		t1 = divSmall63(h1<<32|l1>>32, i)
		t2 = divSmall63(h2<<32|l2>>32, i)
		t3 = divSmall63(h3<<32|l3>>32, i)
		t4 = divSmall63(h4<<32|l4>>32, i)
		r1 += int64(t1)
		r2 += int64(t2)
		r3 += int64(t3)
		r4 += int64(t4)
	}
	if bad >= 1<<31 || (r1|r2|r3|r4) < 0 {
		e1, e2 := expSafePair(x1, x2)
		e3, e4 := expSafePair(x3, x4)
		return e1, e2, e3, e4
	}
	if x1 < 0 {
		r1 = div(one, r1)
	}
	if x2 < 0 {
		r2 = div(one, r2)
	}
	if x3 < 0 {
		r3 = div(one, r3)
	}
	if x4 < 0 {
		r4 = div(one, r4)
	}
	return r1, r2, r3, r4
}

// alphaOfMany sets alpha[js[k]] = s.alphaOf(ds[k]) for every k, four
// exponentials at a time.
func (s sigmoid) alphaOfMany(ds []int64, js []int32, alpha []int64) {
	k := 0
	for ; k+3 < len(ds); k += 4 {
		e1, e2, e3, e4 := expSafeQuad(s.expArg(ds[k]), s.expArg(ds[k+1]), s.expArg(ds[k+2]), s.expArg(ds[k+3]))
		alpha[js[k]], alpha[js[k+1]] = s.alphaOfExp(e1), s.alphaOfExp(e2)
		alpha[js[k+2]], alpha[js[k+3]] = s.alphaOfExp(e3), s.alphaOfExp(e4)
	}
	for ; k+1 < len(ds); k += 2 {
		e1, e2 := expSafePair(s.expArg(ds[k]), s.expArg(ds[k+1]))
		alpha[js[k]], alpha[js[k+1]] = s.alphaOfExp(e1), s.alphaOfExp(e2)
	}
	if k < len(ds) {
		alpha[js[k]] = s.alphaOf(ds[k])
	}
}
