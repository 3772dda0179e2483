package llama

import "math"

// LogSumExp is log(sum(exp(x))), with float32 exponentials summed in
// float64: cheap enough to run over a vocabulary on every token.
func LogSumExp(x []float32) float64 {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var sum float64
	for _, v := range x {
		sum += float64(expf(v - mx))
	}
	return float64(mx) + math.Log(sum)
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

// Argmax returns the index of the largest value (the first on ties).
func Argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
