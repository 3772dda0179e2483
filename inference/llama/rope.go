package llama

import "math"

// YaRN's ramp bounds, llama.cpp's defaults (yarn_beta_fast, yarn_beta_slow):
// pairs rotating more than 32 times over the original context keep their
// angles, pairs rotating less than once are fully interpolated.
const yarnBetaFast, yarnBetaSlow = 32, 1

// ropeTables computes cos and sin of each position's rotation angles the
// way ggml's rope cache does (ggml_rope_cache_init and rope_yarn), in
// float32 with glibc's powf and sincosf, bit for bit: theta = pos *
// base^(-2i/n), accumulated by repeated multiplication, divided by pair
// i's frequency factor (rope_freqs.weight) and multiplied by RopeScale;
// with YaRN the scaled and unscaled angles are mixed by a ramp over the
// pairs and cos and sin are scaled up.
func (m *Model) ropeTables(pos []int) (cos, sin [][]float32) {
	n := m.RopeDim
	// powf(base, -2.0f/n) as glibc computes it: the exponent is a float32
	// quotient.
	step := powf(m.RopeBase, float32(-2)/float32(n))
	scale, ff := m.RopeScale, m.ropeFreqs
	var low, high float32
	mscale := float32(1)
	if m.RopeYarn && scale != 1 {
		low, high = yarnCorrDims(n, m.RopeOrigCtx, m.RopeBase)
		mscale = fma32(0.1, float32(math.Log(float64(1/scale))), 1)
	}
	cos, sin = make([][]float32, len(pos)), make([][]float32, len(pos))
	for i, p := range pos {
		c, s := make([]float32, n/2), make([]float32, n/2)
		theta := float32(p)
		for j := range n / 2 {
			extrap := theta
			if ff != nil {
				extrap /= ff[j]
			}
			t := scale * extrap
			if mscale != 1 {
				mix := yarnRamp(low, high, j)
				t = fma32(t, 1-mix, float32(extrap*mix))
			}
			sn, cs := sincosf(t) // glibc's, as ggml's rope cache
			c[j], s[j] = cs*mscale, sn*mscale
			theta *= step
		}
		cos[i], sin[i] = c, s
	}
	return cos, sin
}

// yarnCorrDims are the first and last pair indices of YaRN's ramp
// (ggml_rope_yarn_corr_dims).
func yarnCorrDims(n, origCtx int, base float32) (low, high float32) {
	dim := func(rot float64) float64 {
		return float64(n) * math.Log(float64(origCtx)/(rot*2*math.Pi)) / (2 * math.Log(float64(base)))
	}
	low = float32(max(0, math.Floor(dim(yarnBetaFast))))
	high = float32(min(float64(n-1), math.Ceil(dim(yarnBetaSlow))))
	return low, high
}

// yarnRamp is the share of pair j's angle left unscaled: 1 below low, 0
// above high (ggml's rope_yarn_ramp with ext_factor 1).
func yarnRamp(low, high float32, j int) float32 {
	y := (float32(j) - low) / max(0.001, high-low)
	return 1 - min(1, max(0, y))
}

// ropeGo rotates adjacent pairs (x[2j], x[2j+1]) by the angles of one
// position (llama.cpp's NORM rope mode, used for the llama architecture),
// rounding as ggml's compiled loop does: x0·cos − x1·sin and
// x0·sin + x1·cos, each with the x1 product rounded and the x0 product
// fused into the sum.
func ropeGo(x, cos, sin []float32) {
	for j := range cos {
		x0, x1 := x[2*j], x[2*j+1]
		x[2*j] = fma32(x0, cos[j], -float32(x1*sin[j]))
		x[2*j+1] = fma32(x0, sin[j], float32(x1*cos[j]))
	}
}

// ropeNeoxGo rotates the pairs (x[j], x[j+n/2]) of the first n = 2*len(cos)
// dimensions (llama.cpp's NEOX rope mode, used for Qwen2 and Qwen3, whose
// converter does not permute Q and K), rounding as ropeGo does.
func ropeNeoxGo(x, cos, sin []float32) {
	h := len(cos)
	for j := range cos {
		x0, x1 := x[j], x[j+h]
		x[j] = fma32(x0, cos[j], -float32(x1*sin[j]))
		x[j+h] = fma32(x0, sin[j], float32(x1*cos[j]))
	}
}
