package cuda_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/gpu/cuda"
	"github.com/taonet/tao/gpu/gputest"
)

func TestOpenWithoutGPU(t *testing.T) {
	d, err := cuda.Open(0)
	if err != nil {
		t.Logf("no GPU (as expected off the GPU machine): %v", err)
		return
	}
	t.Logf("device %s, sm %d.%d, driver %d, libraries %+v", d.Name(), first(d.ComputeCapability()), second(d.ComputeCapability()), d.DriverVersion(), d.Libraries())
	d.Close()
}

func first(a, _ int) int  { return a }
func second(_, b int) int { return b }

// run opens the device, compiles the kernels and runs fn in its context.
func run(t *testing.T, fn func(d *cuda.Device, k *cuda.LLM) error) {
	d := gputest.RequireCUDA(t)
	err := d.Run(func() error {
		k, err := cuda.NewLLM(d, cuda.F16)
		if err != nil {
			return err
		}
		t.Logf("%s: kernels compiled for %s; NVRTC log: %q; attention holds %d positions", d.Name(), k.Mod.Target, k.Mod.Log, k.MaxPositions())
		return fn(d, k)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func halves(v []float32) []uint16 {
	h := make([]uint16, len(v))
	for i, x := range v {
		h[i] = f32ToF16(x)
	}
	return h
}

func upload[T any](t *testing.T, d *cuda.Device, v []T, size int) cuda.Ptr {
	t.Helper()
	p, err := d.Alloc(len(v) * size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Run(func() error { return d.Free(p) }) })
	if err := cuda.CopyIn(d, p, v); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGemm checks cuBLAS GEMM (f16 in, f32 out, f32 accumulation, with and
// without accumulation into C) against a float64 reference.
func TestGemm(t *testing.T) {
	run(t, func(d *cuda.Device, k *cuda.LLM) error {
		r := rand.New(rand.NewPCG(1, 2))
		for _, sh := range []struct{ m, n, k int }{{1, 96, 64}, {7, 288, 288}, {8, 2050, 2048}, {33, 1000, 256}} {
			a, w, c := randVec(r, sh.m*sh.k), randVec(r, sh.n*sh.k), randVec(r, sh.m*sh.n)
			ah, wh := halves(a), halves(w)
			pa, pw, pc := upload(t, d, ah, 2), upload(t, d, wh, 2), upload(t, d, c, 4)
			if err := d.Gemm(sh.m, sh.n, sh.k, pa, cuda.F16, pw, cuda.F16, pc, sh.n, true); err != nil {
				return err
			}
			got := make([]float32, sh.m*sh.n)
			if err := cuda.CopyOut(d, got, pc); err != nil {
				return err
			}
			var worst float64
			for i := range sh.m {
				for j := range sh.n {
					want := float64(c[i*sh.n+j])
					for x := range sh.k {
						want += float64(f16ToF32(ah[i*sh.k+x])) * float64(f16ToF32(wh[j*sh.k+x]))
					}
					worst = max(worst, math.Abs(want-float64(got[i*sh.n+j])))
				}
			}
			t.Logf("gemm %v: max |Δ| %.2e", sh, worst)
			if worst > 1e-3*math.Sqrt(float64(sh.k)) {
				t.Errorf("gemm %v: max |Δ| %.3e", sh, worst)
			}
			if sh.m > cuda.MaxGemvRows {
				continue
			}
			// The gemv kernel, accumulating into C again: C + 2·A·Wᵀ.
			if err := k.Gemv(sh.m, sh.n, sh.k, pa, pw, pc, sh.n, true); err != nil {
				return err
			}
			got2 := make([]float32, sh.m*sh.n)
			if err := cuda.CopyOut(d, got2, pc); err != nil {
				return err
			}
			worst = 0
			for i := range got2 {
				prod := float64(got[i]) - float64(c[i])
				worst = max(worst, math.Abs(float64(got2[i])-(float64(got[i])+prod)))
			}
			t.Logf("gemv %v: max |Δ| vs cuBLAS %.2e", sh, worst)
			if worst > 1e-3*math.Sqrt(float64(sh.k)) {
				t.Errorf("gemv %v: max |Δ| %.3e", sh, worst)
			}
		}
		return nil
	})
}

// TestRMSNormSiLUArgmax checks the elementwise kernels against Go.
func TestRMSNormSiLUArgmax(t *testing.T) {
	run(t, func(d *cuda.Device, k *cuda.LLM) error {
		r := rand.New(rand.NewPCG(3, 4))
		const rows, dim = 5, 288
		x, w := randVec(r, rows*dim), randVec(r, dim)
		px, pw := upload(t, d, x, 4), upload(t, d, w, 4)
		idx := []int32{4, 0, 2}
		pidx := upload(t, d, idx, 4)
		pout, err := d.Alloc(2 * rows * dim)
		if err != nil {
			return err
		}
		defer d.Free(pout)
		if err := k.RMSNorm(px, pw, pout, pidx, len(idx), dim, 1e-5); err != nil {
			return err
		}
		got := make([]uint16, len(idx)*dim)
		if err := cuda.CopyOut(d, got, pout); err != nil {
			return err
		}
		var worst float64
		for j, src := range idx {
			row := x[int(src)*dim : int(src+1)*dim]
			var ss float64
			for _, v := range row {
				ss += float64(v) * float64(v)
			}
			sc := 1 / math.Sqrt(ss/dim+1e-5)
			for i, v := range row {
				want := float64(v) * sc * float64(w[i])
				worst = max(worst, math.Abs(want-float64(f16ToF32(got[j*dim+i])))/max(1, math.Abs(want)))
			}
		}
		t.Logf("rmsnorm: max rel |Δ| %.2e", worst)
		if worst > 2e-3 {
			t.Errorf("rmsnorm: max rel |Δ| %.3e", worst)
		}

		const ffn = 100
		gu := randVec(r, rows*2*ffn)
		pgu := upload(t, d, gu, 4)
		if err := k.SiLUMul(pgu, pout, rows, ffn); err != nil {
			return err
		}
		h := make([]uint16, rows*ffn)
		if err := cuda.CopyOut(d, h, pout); err != nil {
			return err
		}
		worst = 0
		for i := range rows {
			for c := range ffn {
				g, u := float64(gu[i*2*ffn+c]), float64(gu[i*2*ffn+ffn+c])
				want := g / (1 + math.Exp(-g)) * u
				worst = max(worst, math.Abs(want-float64(f16ToF32(h[i*ffn+c])))/max(1, math.Abs(want)))
			}
		}
		t.Logf("silu_mul: max rel |Δ| %.2e", worst)
		if worst > 2e-3 {
			t.Errorf("silu_mul: max rel |Δ| %.3e", worst)
		}

		const n = 32000
		lg := randVec(r, 3*n)
		lg[n+777] = 50
		lg[2*n+5], lg[2*n+9] = 60, 60 // tie: the first wins
		plg := upload(t, d, lg, 4)
		if err := k.Argmax(plg, pout, 3, n); err != nil {
			return err
		}
		am := make([]int32, 3)
		if err := cuda.CopyOut(d, am, pout); err != nil {
			return err
		}
		want0 := 0
		for i, v := range lg[:n] {
			if v > lg[want0] {
				want0 = i
			}
		}
		if am[0] != int32(want0) || am[1] != 777 || am[2] != 5 {
			t.Errorf("argmax %v, want [%d 777 5]", am, want0)
		}
		return nil
	})
}

// f32ToF16 rounds v to half precision (to nearest even; normal range and
// zero only, which is all these tests produce).
func f32ToF16(v float32) uint16 {
	b := math.Float32bits(v)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	if exp <= 0 {
		return sign
	}
	h := uint32(exp)<<10 | mant>>13
	rest := mant & 0x1fff
	if rest > 0x1000 || (rest == 0x1000 && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

func f16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h >> 10 & 0x1f)
	mant := uint32(h & 0x3ff)
	if exp == 0 && mant == 0 {
		return math.Float32frombits(sign)
	}
	return math.Float32frombits(sign | (exp-15+127)<<23 | mant<<13)
}
