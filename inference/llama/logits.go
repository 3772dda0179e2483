package llama

import "math"

// LogSumExp is log(sum(exp(x))), with float32 exponentials summed in
// float64: cheap enough to run over a vocabulary on every token (on
// amd64, eight exponentials at a time).
func LogSumExp(x []float32) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	mx := maxOf(x)
	if math.IsInf(float64(mx), 0) || mx != mx {
		var sum float64 // the general path for the odd cases
		for _, v := range x {
			sum += float64(expf(v - mx))
		}
		return float64(mx) + math.Log(sum)
	}
	return float64(mx) + math.Log(sumExpNeg(x, mx))
}

// maxOfGo is the largest of x (not empty), NaN if any is NaN.
func maxOfGo(x []float32) float32 {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	return mx
}

// firstAboveGo is FirstAbove in Go.
func firstAboveGo(x []float32, v float32) int {
	for i, u := range x {
		if u > v {
			return i
		}
	}
	return len(x)
}

// sumExpNegGo is the float64 sum of expNeg(v - mx) over x (every
// v - mx <= 0). Four independent sums keep the CPU's pipelines full.
func sumExpNegGo(x []float32, mx float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(expNeg(x[i] - mx))
		s1 += float64(expNeg(x[i+1] - mx))
		s2 += float64(expNeg(x[i+2] - mx))
		s3 += float64(expNeg(x[i+3] - mx))
	}
	for ; i < len(x); i++ {
		s0 += float64(expNeg(x[i] - mx))
	}
	return (s0 + s1) + (s2 + s3)
}

// expNeg is expf for x ≤ 0 (NaN not expected), small enough to inline:
// the same range reduction and polynomial, with round-to-nearest by the
// 1.5·2^23 trick instead of math.Floor, and no overflow branch.
func expNeg(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
		magic = 12582912 // 1.5·2^23: adding it rounds a float32 of magnitude < 2^22 to an integer
	)
	if x < -87.33654 {
		return 0
	}
	n := (x*log2e + magic) - magic
	r := x - n*ln2hi - n*ln2lo
	p := ((((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r+5.0000001201e-1)*r*r + r) + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// LogSoftmax returns log(softmax(logits)) in a new slice.
func LogSoftmax(logits []float32) []float32 {
	lse := LogSumExp(logits)
	out := make([]float32, len(logits))
	for i, v := range logits {
		out[i] = float32(float64(v) - lse)
	}
	return out
}

// GreedyPick is the greedy choice from logits x (not empty): Argmax's
// token and its log-probability x[id] - LogSumExp(x), the same bits as
// those two, with the one scan for the maximum they share.
func GreedyPick(x []float32) Pick {
	mx := maxOf(x)
	if math.IsInf(float64(mx), 0) || mx != mx {
		id := Argmax(x)
		return Pick{ID: int32(id), LogProb: float32(float64(x[id]) - LogSumExp(x))}
	}
	id := firstEq(x, mx)
	lse := float64(mx) + math.Log(sumExpNeg(x, mx))
	return Pick{ID: int32(id), LogProb: float32(float64(x[id]) - lse)}
}

// Argmax returns the index of the largest value (the first on ties).
func Argmax(x []float32) int {
	if mx := maxOf(x); len(x) > 0 && mx == mx {
		return firstEq(x, mx) // the first of the largest; -0 == +0 as below
	}
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// SoftmaxWeights sets w[i] = exp((x[i] - max(x)) / temp) for a sampler's
// draw, by ggml's vectorized expf (eight at a time on amd64, the same bits
// elsewhere), and returns their sum (eights summed in float32, those in
// float64, as ggml's softmax does). len(w) must be at least len(x).
func SoftmaxWeights(w, x []float32, temp float32) float64 {
	if len(x) == 0 {
		return 0
	}
	w = w[:len(x)]
	mx := maxOf(x)
	for i, v := range x {
		w[i] = (v - mx) / temp
	}
	n8 := len(x) &^ 7
	var sum float64
	if n8 > 0 {
		sum = softmaxExp(w[:n8], 0)
	}
	for i := n8; i < len(w); i++ {
		w[i] = vExpf(w[i])
		sum += float64(w[i])
	}
	return sum
}
