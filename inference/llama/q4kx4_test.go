package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestMulQ4Kx4 holds the four-row Q4_K kernels (both orders) to dotQ4KGo
// and dotQ4KGemmGo row by row, bit for bit, over random blocks (any
// scale, min and nibble bytes) and activations, several rows and widths.
func TestMulQ4Kx4(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, nb := range []int{1, 2, 8, 22} {
		for _, nrows := range []int{1, 3, 8} {
			var w []byte
			for range nrows {
				row, _ := kquantCase(r, gguf.Q4_K, nb)
				w = append(w, row...)
			}
			var rows [4]q8KAct
			for k := range rows {
				_, rows[k] = kquantCase(r, gguf.Q4_K, nb)
			}
			a := &acts{n: nb * 256, t: 4, k8: rows[:]}
			for _, gemm := range []bool{false, true} {
				a.gemm = []bool{gemm, gemm, gemm, gemm}
				a.k4ok = false
				a.groupK4()
				if len(a.k4) != 1 || len(a.k4rest) != 0 {
					t.Fatalf("%d groups, %d rows left", len(a.k4), len(a.k4rest))
				}
				got := make([]float32, nrows*4)
				mulQ4Kx4(w, nb*144, nrows, &a.k4[0], got)
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

// TestMatmulQ4Kx4 checks matmul's grouping: a batch mixing gemm and gemv
// rows (5 and 6, so each kind has rows left over) gives each row what
// dotQ4K gives it alone.
func TestMatmulQ4Kx4(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	const nb, rowsW, T = 3, 24, 11
	var w []byte
	for range rowsW {
		row, _ := kquantCase(r, gguf.Q4_K, nb)
		w = append(w, row...)
	}
	m := &Matrix{Type: gguf.Q4_K, Rows: rowsW, Cols: nb * 256, Data: w, rowBytes: nb * 144}
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
	defer tm.stop()
	out := make([]float32, T*rowsW)
	matmul(out, m, a, tm)
	for t2 := range T {
		for row := range rowsW {
			want := dotQ4K(w[row*nb*144:(row+1)*nb*144], &a.k8[t2], gemm[t2])
			if g := out[t2*rowsW+row]; math.Float32bits(g) != math.Float32bits(want) {
				t.Fatalf("batch row %d weight row %d: %v, alone %v", t2, row, g, want)
			}
		}
	}
}
