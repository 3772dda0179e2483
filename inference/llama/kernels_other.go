//go:build !amd64

package llama

func dotF32(a, b []float32) float32    { return dotF32Go(a, b) }
func dotQ8(w []byte, a *q8Act) float32 { return dotQ8Go(w, a) }
func dotQ4(w []byte, a *q8Act) float32 { return dotQ4Go(w, a) }

func axpy(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func scores(q, k []float32, stride int, out []float32) { scoresGo(q, k, stride, out) }
func wsum(w, v []float32, stride int, out []float32)   { wsumGo(w, v, stride, out) }

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
