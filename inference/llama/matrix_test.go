package llama

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestMatmulDequantTypes: the types computed by dequantizing rows (bf16,
// q4_1, q5_0, q5_1, and q4_K with rows not a multiple of 8) give Σ Row(r)·x, for batches of 1
// and 5 rows. Blocks are random bytes with sane f16 scales written at
// each type's scale offsets.
func TestMatmulDequantTypes(t *testing.T) {
	const rows, cols = 7, 512
	r := rand.New(rand.NewPCG(1, 2))
	f16 := func(b []byte, off int) {
		binary.LittleEndian.PutUint16(b[off:], gguf.F32ToF16(float32(r.Float64()*0.02+0.001)))
	}
	for _, c := range []struct {
		t      gguf.TensorType
		halves []int // byte offsets of f16 fields in a block
	}{
		{gguf.Q4_1, []int{0, 2}}, {gguf.Q5_0, []int{0}}, {gguf.Q5_1, []int{0, 2}},
		{gguf.Q4_K, []int{0, 2}}, {gguf.BF16, nil},
	} {
		t.Run(c.t.String(), func(t *testing.T) {
			rb := c.t.RowBytes(cols)
			data := make([]byte, rows*rb)
			for i := range data {
				data[i] = byte(r.Uint32())
			}
			if c.t == gguf.BF16 {
				for i := 0; i < len(data); i += 2 {
					binary.LittleEndian.PutUint16(data[i:], gguf.F32ToBF16(float32(r.NormFloat64())))
				}
			}
			be := c.t.BlockBytes()
			for b := 0; b < len(data)/be; b++ {
				for _, off := range c.halves {
					f16(data[b*be:], off)
				}
			}
			m := &Matrix{Type: c.t, Rows: rows, Cols: cols, Data: data, rowBytes: rb}
			if !m.dequantRows() {
				t.Fatal("not a dequantized-row type")
			}
			for _, T := range []int{1, 5} {
				a := &acts{n: cols, t: T, x: make([]float32, T*cols)}
				for i := range a.x {
					a.x[i] = float32(r.NormFloat64())
				}
				out := make([]float32, T*rows)
				matmul(out, m, a, nil)
				row := make([]float32, cols)
				for rr := range rows {
					m.Row(row, rr)
					for tt := range T {
						var want float64
						for i, w := range row {
							want += float64(w) * float64(a.x[tt*cols+i])
						}
						if got := float64(out[tt*rows+rr]); math.IsNaN(got) || math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
							t.Fatalf("T=%d row %d: %g, want %g", T, rr, got, want)
						}
					}
				}
			}
		})
	}
}

// TestMatmulKQuants: a Q6_K, Q5_K or (rows a multiple of 8) Q4_K matrix
// product is, row by row, that type's dot product against the
// activations quantized to Q8_K (llama.cpp's vec_dot_type for them), the
// rows llama.cpp's Q4_K gemm takes in fours by dotQ4KGemmGo, for batches
// of 1 and 5 rows on two threads.
func TestMatmulKQuants(t *testing.T) {
	const rows, cols = 8, 512
	r := rand.New(rand.NewPCG(3, 4))
	for _, ty := range []gguf.TensorType{gguf.Q6_K, gguf.Q5_K, gguf.Q4_K} {
		rb := ty.RowBytes(cols)
		var data []byte
		for range rows {
			w, _ := kquantCase(r, ty, cols/256)
			data = append(data, w...)
		}
		m := &Matrix{Type: ty, Rows: rows, Cols: cols, Data: data, rowBytes: rb}
		if m.dequantRows() {
			t.Fatalf("%v computed from dequantized rows", ty)
		}
		for _, T := range []int{1, 5} {
			a := &acts{n: cols, t: T}
			a.set(make([]float32, T*cols))
			for i := range a.x {
				a.x[i] = float32(r.NormFloat64())
			}
			a.gemm = []bool{true, true, true, true, false}[:T]
			out := make([]float32, T*rows)
			tm := startTeam(2)
			matmul(out, m, a, tm)
			tm.stop()
			for tt := range T {
				q := q8KAct{qs: make([]int8, cols), d: make([]float32, cols/256), bsums: make([]int16, cols/16)}
				quantizeQ8K(&q, a.x[tt*cols:(tt+1)*cols])
				for rr := range rows {
					w := data[rr*rb : (rr+1)*rb]
					var want float32
					switch {
					case ty == gguf.Q6_K:
						want = dotQ6KGo(w, &q)
					case ty == gguf.Q5_K:
						want = dotQ5KGo(w, &q)
					case a.gemm[tt]:
						want = dotQ4KGemmGo(w, &q)
					default:
						want = dotQ4KGo(w, &q)
					}
					if got := out[tt*rows+rr]; math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%v T=%d row %d: %v, want %v", ty, T, rr, got, want)
					}
				}
			}
		}
	}
}
