package llama

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestMatmulDequantTypes: the types computed by dequantizing rows (bf16,
// q4_1, q5_0 and q5_1, which layers.go re-encodes at load) give Σ Row(r)·x, for batches of 1
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
		{gguf.BF16, nil},
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
							x := a.x[tt*cols+i]
							if c.t == gguf.BF16 { // llama.cpp's vec_dot_type for BF16
								x = gguf.BF16ToF32(gguf.F32ToBF16(x))
							}
							want += float64(w) * float64(x)
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

// TestMatmulKQuants: a Q6_K, Q5_K or Q4_K matrix product is, row by row,
// that type's dot product (Q4_K's by rows a multiple of 8 or not) against the
// activations quantized to Q8_K (llama.cpp's vec_dot_type for them), the
// rows llama.cpp's Q4_K gemm takes in fours by dotQ4KGemmGo, for batches
// of 1 and 5 rows on two threads.
func TestMatmulKQuants(t *testing.T) {
	const rows, cols = 8, 512
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		ty   gguf.TensorType
		rows int
	}{{gguf.Q6_K, rows}, {gguf.Q5_K, rows}, {gguf.Q4_K, rows}, {gguf.Q4_K, rows - 1}} {
		ty, rows := c.ty, c.rows
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
					case rows%8 != 0: // not repacked by llama.cpp
						want = dotQ4KPlainGo(w, &q)
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

// TestAsQ8 checks the re-encoding of Q5_0, Q4_1 and Q5_1 as Q8_0: every
// row dequantizes to the same bits, and a matrix product is the Q8_0 one
// plus, for the types with mins, Σ m·s.
func TestAsQ8(t *testing.T) {
	const rows, cols = 9, 96
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		t      gguf.TensorType
		halves []int
	}{{gguf.Q5_0, []int{0}}, {gguf.Q4_1, []int{0, 2}}, {gguf.Q5_1, []int{0, 2}}} {
		rb := c.t.RowBytes(cols)
		data := make([]byte, rows*rb)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		be := c.t.BlockBytes()
		for b := 0; b < len(data)/be; b++ {
			for _, off := range c.halves {
				binary.LittleEndian.PutUint16(data[b*be+off:], gguf.F32ToF16(float32(r.NormFloat64()*0.02)))
			}
		}
		m := &Matrix{Type: c.t, Rows: rows, Cols: cols, Data: data, rowBytes: rb}
		q := asQ8(m)
		if q.Type != gguf.Q8_0 || (q.mins == nil) != (c.t == gguf.Q5_0) {
			t.Fatalf("%v: asQ8 gave %v, mins %v", c.t, q.Type, q.mins != nil)
		}
		want, got := make([]float32, cols), make([]float32, cols)
		for rr := range rows {
			m.Row(want, rr)
			q.Row(got, rr)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v row %d [%d]: %v, want %v", c.t, rr, i, got[i], want[i])
				}
			}
		}
		for _, T := range []int{1, 5, 8} {
			a := &acts{n: cols, t: T}
			a.set(make([]float32, T*cols))
			for i := range a.x {
				a.x[i] = float32(r.NormFloat64())
			}
			out := make([]float32, T*rows)
			matmul(out, q, a, nil)
			plain := *q
			plain.mins = nil
			base := make([]float32, T*rows)
			b := &acts{n: cols, t: T}
			b.set(a.x)
			matmul(base, &plain, b, nil)
			for tt := range T {
				x := a.x[tt*cols : (tt+1)*cols]
				for rr := range rows {
					var sum float32
					if q.mins != nil {
						for blk := range cols / 32 {
							var mx float32
							var qs int32
							for _, v := range x[blk*32 : (blk+1)*32] {
								mx = max(mx, float32(math.Abs(float64(v))))
							}
							for _, v := range b.q8[tt].qs[blk*32 : (blk+1)*32] {
								qs += int32(v)
							}
							s := f16Table[gguf.F32ToF16(mx/127*float32(qs))]
							sum = fma32(q.mins[rr*(cols/32)+blk], s, sum)
						}
					}
					if w := base[tt*rows+rr] + sum; math.Float32bits(out[tt*rows+rr]) != math.Float32bits(w) {
						t.Fatalf("%v T=%d row %d: %v, want %v", c.t, T, rr, out[tt*rows+rr], w)
					}
				}
			}
		}
	}
}
