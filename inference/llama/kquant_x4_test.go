package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestMulQ4Kx4 holds the four-row Q4_K kernels (both orders) to dotQ4KGo
// and dotQ4KGemmGo row by row, bit for bit, over random blocks (any
// scale, min and nibble bytes) and activations as quantizeQ8K makes them
// (the kernels, like the one-row ones, add block sums in int16, which
// quantizeQ8K's sums of at most 16·127 never overflow), several rows and
// widths.
func TestMulQ4Kx4(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, nb := range []int{1, 2, 8, 22} {
		for _, nrows := range []int{1, 3, 8} {
			w, rows := kx4Case(r, gguf.Q4_K, nb, nrows)
			a := &acts{n: nb * 256, t: 4, k8: rows[:]}
			for _, gemm := range []bool{false, true} {
				a.gemm = []bool{gemm, gemm, gemm, gemm}
				a.k4[1].ok = false
				kg := a.groupK4(true)
				if len(kg.groups) != 1 || len(kg.rest) != 0 {
					t.Fatalf("%d groups, %d rows left", len(kg.groups), len(kg.rest))
				}
				got := make([]float32, nrows*4)
				mulQ4Kx4(w, nb*144, nrows, &kg.groups[0], got)
				for row := range nrows {
					for k := range 4 {
						var want float32
						if gemm {
							want = dotQ4KGemmGo(w[row*nb*144:(row+1)*nb*144], &rows[k])
						} else {
							want = dotQ4KGo(w[row*nb*144:(row+1)*nb*144], &rows[k])
						}
						if g := got[row*4+k]; math.Float32bits(g) != math.Float32bits(want) {
							t.Fatalf("nb=%d gemm=%v row %d act %d: kernel %v, Go %v", nb, gemm, row, k, g, want)
						}
					}
				}
			}
		}
	}
}

// TestMulKx4 holds the four-row Q5_K and Q6_K kernels to dotQ5KGo and
// dotQ6KGo row by row, bit for bit.
func TestMulKx4(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	for _, c := range []struct {
		ty  gguf.TensorType
		mul func([]byte, int, int, *k4Group, []float32)
		dot func([]byte, *q8KAct) float32
	}{{gguf.Q5_K, mulQ5Kx4, dotQ5KGo}, {gguf.Q6_K, mulQ6Kx4, dotQ6KGo}} {
		bb := c.ty.BlockBytes()
		for _, nb := range []int{1, 2, 8, 22} {
			for _, nrows := range []int{1, 3, 8} {
				w, rows := kx4Case(r, c.ty, nb, nrows)
				a := &acts{n: nb * 256, t: 4, k8: rows[:]}
				kg := a.groupK4(false)
				got := make([]float32, nrows*4)
				c.mul(w, nb*bb, nrows, &kg.groups[0], got)
				for row := range nrows {
					for k := range 4 {
						want := c.dot(w[row*nb*bb:(row+1)*nb*bb], &rows[k])
						if g := got[row*4+k]; math.Float32bits(g) != math.Float32bits(want) {
							t.Fatalf("%s nb=%d row %d act %d: kernel %v, Go %v", c.ty, nb, row, k, g, want)
						}
					}
				}
			}
		}
	}
}

// TestMatmulKx4 checks matmul's grouping: a batch mixing gemm and gemv
// rows (5 and 6, so each kind has rows left over for Q4_K; 11 rows, 3
// left over, for Q5_K and Q6_K) gives each row what the one-row product gives it
// alone, with rows narrow and wide (160 blocks: several chunks of weight
// rows per thread).
func TestMatmulKx4(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	const rowsW, T = 24, 11
	for _, c := range []struct {
		ty gguf.TensorType
		nb int
	}{{gguf.Q4_K, 3}, {gguf.Q5_K, 3}, {gguf.Q6_K, 3}, {gguf.Q4_K, 160}, {gguf.Q6_K, 160}} {
		ty, nb := c.ty, c.nb
		rb := ty.RowBytes(nb * 256)
		var w []byte
		for range rowsW {
			row, _ := kquantCase(r, ty, nb)
			w = append(w, row...)
		}
		m := &Matrix{Type: ty, Rows: rowsW, Cols: nb * 256, Data: w, rowBytes: rb}
		x := make([]float32, T*nb*256)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		gemm := make([]bool, T)
		for i := range 5 {
			gemm[2*i] = true
		}
		a := &acts{x: x, n: nb * 256, t: T, gemm: gemm}
		tm := startTeam(2)
		out := make([]float32, T*rowsW)
		matmul(out, m, a, tm)
		tm.stop()
		for t2 := range T {
			for row := range rowsW {
				var want float32
				switch ty {
				case gguf.Q4_K:
					want = dotQ4K(w[row*rb:(row+1)*rb], &a.k8[t2], gemm[t2])
				case gguf.Q5_K:
					want = dotQ5K(w[row*rb:(row+1)*rb], &a.k8[t2])
				default:
					want = dotQ6K(w[row*rb:(row+1)*rb], &a.k8[t2])
				}
				if g := out[t2*rowsW+row]; math.Float32bits(g) != math.Float32bits(want) {
					t.Fatalf("%s batch row %d weight row %d: %v, alone %v", ty, t2, row, g, want)
				}
			}
		}
	}
}

// kx4Case makes nrows random weight rows of nb blocks of ty and four
// activation rows for them (kquantCase's).
func kx4Case(r *rand.Rand, ty gguf.TensorType, nb, nrows int) ([]byte, [4]q8KAct) {
	var w []byte
	for range nrows {
		row, _ := kquantCase(r, ty, nb)
		w = append(w, row...)
	}
	var rows [4]q8KAct
	for k := range rows {
		_, rows[k] = kquantCase(r, ty, nb)
	}
	return w, rows
}
