//go:build !amd64

package llama

func dotQ8(w []byte, a *q8Act) float32 { return dotQ8Go(w, a) }
func dotQ4(w []byte, a *q8Act) float32 { return dotQ4Go(w, a) }

func quantizeAct(dst *q8Act, x []float32) {
	quantizeActGo(dst, x)
	blockSums(dst)
}

const x8 = false

func mulQx8(q4 bool, w []byte, rowBytes, rows int, a *acts, g int, out []float32, stride int) {
	mulQx8Go(q4, w, rowBytes, rows, a, g, out, stride)
}

func maxOf(x []float32) float32                 { return maxOfGo(x) }
func sumExpNeg(x []float32, mx float32) float64 { return sumExpNegGo(x, mx) }

// FirstAbove is the first i with x[i] > v, or len(x); a NaN is above
// nothing.
func FirstAbove(x []float32, v float32) int { return firstAboveGo(x, v) }

func firstEq(x []float32, v float32) int {
	for i, u := range x {
		if u == v {
			return i
		}
	}
	return len(x)
}

func siluMul(gate, up []float32) { siluMulGo(gate, up) }

func mulQx1(q4 bool, w []byte, rowBytes, rows int, x *q8Act, out []float32) {
	mulQx1Go(q4, w, rowBytes, rows, x, out)
}

// dotGGML is dotGGMLGo.
func dotGGML(x, y []float32) float32 { return dotGGMLGo(x, y) }

// dot8 is dot8Go.
func dot8(x, y []float32) float32 { return dot8Go(x, y) }

// softmaxExp is softmaxExpGo.
func softmaxExp(x []float32, mx float32) float64 { return softmaxExpGo(x, mx) }

// scoresGGML is scoresGGMLGo.
func scoresGGML(q, k []float32, stride int, out []float32) { scoresGGMLGo(q, k, stride, out) }

// kqv is kqvGo.
func kqv(v []float32, p []float32, n int, prompt bool, out []float32) {
	kqvGo(v, p, n, prompt, out)
}

func rope(x, cos, sin []float32)     { ropeGo(x, cos, sin) }
func ropeNeox(x, cos, sin []float32) { ropeNeoxGo(x, cos, sin) }

// dotQ6K is dotQ6KGo.
func dotQ6K(w []byte, a *q8KAct) float32 { return dotQ6KGo(w, a) }

// dotQ4K is dotQ4KGo, or dotQ4KGemmGo for a row of llama.cpp's gemm.
func dotQ4K(w []byte, a *q8KAct, gemm bool) float32 {
	if gemm {
		return dotQ4KGemmGo(w, a)
	}
	return dotQ4KGo(w, a)
}

// dotQ5K is dotQ5KGo.
func dotQ5K(w []byte, a *q8KAct) float32 { return dotQ5KGo(w, a) }

// dotBF16 is dotBF16Go.
func dotBF16(x, y []float32) float32 { return dotBF16Go(x, y) }

// q4kx4 is false: the four-row K-quant paths are not taken.
const q4kx4 = false

func mulQ4Kx4(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	mulQ4Kx4Go(w, rowBytes, nrows, g, out)
}

func mulQ5Kx4(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	mulKx4Go(dotQ5KGo, w, rowBytes, nrows, g, out)
}

func mulQ6Kx4(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	mulKx4Go(dotQ6KGo, w, rowBytes, nrows, g, out)
}

func roundF16(x []float32) { roundF16Go(x) }

func scoresF16(q []float32, k []uint16, stride int, prompt bool, out []float32) {
	scoresF16Go(q, k, stride, prompt, out)
}

func kqvF16(v []uint16, p []float32, n int, prompt bool, out []float32) {
	kqvF16Go(v, p, n, prompt, out)
}

func toF16(dst []uint16, src []float32) { toF16Go(dst, src) }

func vecMadF16(y, x []uint16, v float32) { vecMadF16Go(y, x, v) }
func vecScaleF16(y []uint16, v float32)  { vecScaleF16Go(y, v) }

func flashKQ(kt, q, out []float32)                    { flashKQGo(kt, q, out) }
func vecMadF32F16(y []float32, x []uint16, v float32) { vecMadF32F16Go(y, x, v) }

func flashLoop(scores []float32, scale float32, v []uint16, acc32 []float32) (float32, bool) {
	return 0, false
}
