package llama

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestDotQ6K checks the Q6_K kernel bit for bit against dotQ6KGo on
// random blocks (scales of both signs and at the int8 extremes, 6-bit
// values at 0 and 63, activations at ±127), and dotQ6KGo against the
// dequantized row times the dequantized activations to within rounding.
func TestDotQ6K(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, nb := range []int{1, 2, 3, 11} {
		for trial := range 50 {
			w := make([]byte, nb*210)
			for i := range w {
				w[i] = byte(r.IntN(256))
			}
			for b := range nb {
				blk := w[b*210:]
				binary.LittleEndian.PutUint16(blk[208:], gguf.F32ToF16(float32(r.NormFloat64()*0.01)))
				if trial%5 == 0 {
					for j := range 16 {
						blk[192+j] = []byte{0x80, 0x7f}[j%2] // scales -128 and 127
					}
					for j := range 192 {
						blk[j] = 0xff // every value 63
					}
				}
			}
			x := make([]float32, nb*256)
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			if trial%7 == 0 {
				x[3] = 0 // a zero block elsewhere
				clear(x[:256])
			}
			a := q8KAct{qs: make([]int8, nb*256), d: make([]float32, nb), bsums: make([]int16, nb*16)}
			quantizeQ8K(&a, x)
			got, want := dotQ6K(w, &a), dotQ6KGo(w, &a)
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("nb=%d trial %d: dotQ6K = %v, dotQ6KGo %v", nb, trial, got, want)
			}
			checkDequantDot(t, gguf.Q6_K, w, &a, want)
		}
	}
}

// TestQuantizeQ8K checks quantize_row_q8_K_ref's rules: the value of
// largest magnitude maps to -127 (its sign flips: iscale = -127/max),
// values round to nearest with ties to even, sums per 16, a zero block.
func TestQuantizeQ8K(t *testing.T) {
	x := make([]float32, 512)
	for i := range 256 {
		x[i] = float32(i%17) - 8
	}
	x[5] = 127 // max; -127/127 = -1: every value negates exactly
	x[6] = 2.5 // then -2.5 rounds to -2 (even)
	a := q8KAct{qs: make([]int8, 512), d: make([]float32, 2), bsums: make([]int16, 32)}
	quantizeQ8K(&a, x)
	if a.qs[5] != -127 || a.qs[6] != -2 || a.qs[0] != 8 || a.d[0] != -1 {
		t.Fatalf("qs[0,5,6] = %d %d %d, d = %v", a.qs[0], a.qs[5], a.qs[6], a.d[0])
	}
	for j := range 16 {
		var s int16
		for _, q := range a.qs[j*16 : (j+1)*16] {
			s += int16(q)
		}
		if a.bsums[j] != s {
			t.Fatalf("bsums[%d] = %d, want %d", j, a.bsums[j], s)
		}
	}
	if a.d[1] != 0 || a.qs[300] != 0 {
		t.Fatal("a zero block is not zero")
	}
}

// kquantCase returns nb random blocks of type t (sane f16 scales) and
// Q8_K activations of random values.
func kquantCase(r *rand.Rand, t gguf.TensorType, nb int) ([]byte, q8KAct) {
	be := t.BlockBytes()
	w := make([]byte, nb*be)
	for i := range w {
		w[i] = byte(r.IntN(256))
	}
	for b := range nb {
		blk := w[b*be:]
		switch t {
		case gguf.Q6_K:
			binary.LittleEndian.PutUint16(blk[208:], gguf.F32ToF16(float32(r.NormFloat64()*0.01)))
		default: // d and dmin first
			binary.LittleEndian.PutUint16(blk, gguf.F32ToF16(float32(r.Float64()*0.01)))
			binary.LittleEndian.PutUint16(blk[2:], gguf.F32ToF16(float32(r.Float64()*0.01)))
		}
	}
	x := make([]float32, nb*256)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	a := q8KAct{qs: make([]int8, nb*256), d: make([]float32, nb), bsums: make([]int16, nb*16)}
	quantizeQ8K(&a, x)
	return w, a
}

// TestKQuantDots checks each K-quant dot product against the dequantized
// row times the quantized activations (to rounding), and pins their bits:
// the digest below was taken when scripts/llamacpp-dump.sh found every
// tensor of llama-k-tiny quantized by llama.cpp to Q4_K_S, Q4_K_M and
// Q5_K_M (scripts/llamacpp-quantize.sh) identical to llama.cpp's, prompts
// of 5 and 10 tokens included, and llama-k-odd's 260-row Q4_K matrices
// (dotQ4KPlainGo); a change of summation order changes it.
func TestKQuantDots(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	h := sha256.New()
	for _, c := range []struct {
		t           gguf.TensorType
		dot, kernel func([]byte, *q8KAct) float32 // the Go reference, its AVX2 form
	}{
		{gguf.Q4_K, dotQ4KGo, func(w []byte, a *q8KAct) float32 { return dotQ4K(w, a, false) }},
		{gguf.Q4_K, dotQ4KGemmGo, func(w []byte, a *q8KAct) float32 { return dotQ4K(w, a, true) }},
		{gguf.Q5_K, dotQ5KGo, dotQ5K}, {gguf.Q6_K, dotQ6KGo, dotQ6K}, {gguf.Q4_K, dotQ4KPlainGo, nil},
	} {
		for _, nb := range []int{1, 2, 5} {
			for range 20 {
				w, a := kquantCase(r, c.t, nb)
				got := c.dot(w, &a)
				if c.kernel != nil {
					if fast := c.kernel(w, &a); math.Float32bits(fast) != math.Float32bits(got) {
						t.Fatalf("%v nb=%d: kernel %v, Go %v", c.t, nb, fast, got)
					}
				}
				checkDequantDot(t, c.t, w, &a, got)
				binary.Write(h, binary.LittleEndian, math.Float32bits(got))
			}
		}
	}
	const want = "bc312141d50d789d48d09e3385fd23147e6f29b13fd1c16f8e6c23020b2932d1"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Fatalf("K-quant dot products' digest %s, want %s: the summation order changed (check against llama.cpp with scripts/llamacpp-dump.sh before updating)", got, want)
	}
}

// checkDequantDot fails t unless got is the product of the dequantized
// weight row w (type ty) with a's dequantized activations, to rounding.
func checkDequantDot(t *testing.T, ty gguf.TensorType, w []byte, a *q8KAct, got float32) {
	t.Helper()
	row := make([]float32, len(a.qs))
	if err := gguf.Dequantize(row, ty, w); err != nil {
		t.Fatal(err)
	}
	var ref, mag float64
	for i, v := range row {
		xq := float64(a.qs[i]) * float64(a.d[i/256])
		ref += float64(v) * xq
		mag += math.Abs(float64(v) * xq)
	}
	if math.Abs(float64(got)-ref) > 1e-4*mag+1e-6 {
		t.Fatalf("%v (%d blocks): %v, dequantized product %v", ty, len(a.d), got, ref)
	}
}

// TestDotBF16 holds the AVX2 BF16 dot product to dotBF16Go bit for bit.
func TestDotBF16(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{32, 64, 288, 2048} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*10)
		}
		if got, want := dotBF16(x, y), dotBF16Go(x, y); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("n=%d: %v, Go %v", n, got, want)
		}
	}
}
