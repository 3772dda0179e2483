package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestF16CacheKernels checks the F16 cache's kernels (vectorized where the
// CPU allows) bit for bit against their Go definitions: rounding to
// float16 (in place and into halves), flash attention's multiply-adds and
// scalings in float16, attention scores of decode and prompt rows for head widths
// with and without leftovers, and the weighted sums of values.
func TestF16CacheKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 8, 13, 64, 100} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-20)))
		}
		x[0] = 70000 // beyond float16: infinity
		got, want := append([]float32(nil), x...), append([]float32(nil), x...)
		roundF16(got)
		roundF16Go(want)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d round(%v) = %v, Go %v", n, x[i], got[i], want[i])
			}
		}
	}
	for _, n := range []int{1, 8, 13, 48, 100} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(50)-25)))
		}
		got, want := make([]uint16, n), make([]uint16, n)
		toF16(got, x)
		toF16Go(want, x)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("n=%d float16(%v) = %#x, Go %#x", n, x[i], got[i], want[i])
			}
		}
	}
	for _, n := range []int{1, 8, 13, 48, 100} {
		y, x := make([]uint16, n), make([]uint16, n)
		for i := range y {
			y[i] = gguf.F32ToF16(float32(r.NormFloat64()))
			x[i] = gguf.F32ToF16(float32(r.NormFloat64()))
		}
		v := float32(r.Float64())
		got, want := append([]uint16(nil), y...), append([]uint16(nil), y...)
		vecMadF16(got, x, v)
		vecMadF16Go(want, x, v)
		vecScaleF16(got, v)
		vecScaleF16Go(want, v)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("n=%d mad/scale [%d] = %#x, Go %#x", n, i, got[i], want[i])
			}
		}
	}
	for _, hd := range []int{8, 48, 64} {
		kt, q := make([]float32, hd*flashTile), make([]float32, hd)
		for i := range kt {
			kt[i] = float32(r.NormFloat64())
		}
		for i := range q {
			q[i] = float32(r.NormFloat64())
		}
		got, want := make([]float32, flashTile), make([]float32, flashTile)
		flashKQ(kt, q, got)
		flashKQGo(kt, q, want)
		y := make([]float32, hd)
		x := make([]uint16, hd)
		for i := range y {
			y[i] = float32(r.NormFloat64())
			x[i] = gguf.F32ToF16(float32(r.NormFloat64()))
		}
		y2 := append([]float32(nil), y...)
		vecMadF32F16(y, x, 0.37)
		vecMadF32F16Go(y2, x, 0.37)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("hd=%d tile scores[%d] = %v, Go %v", hd, i, got[i], want[i])
			}
		}
		for i := range y {
			if math.Float32bits(y[i]) != math.Float32bits(y2[i]) {
				t.Fatalf("hd=%d f32 mad [%d] = %v, Go %v", hd, i, y[i], y2[i])
			}
		}
	}
	halves := func(n int) []uint16 {
		h := make([]uint16, n)
		for i := range h {
			h[i] = gguf.F32ToF16(float32(r.NormFloat64()))
		}
		return h
	}
	for _, hd := range []int{4, 8, 16, 20, 32, 40, 48, 64, 72, 128} {
		// 13 positions: three groups of four for the leftover's kernel
		// and one on its own; 3: none. Query values spread over 2^±12, so
		// that the float64 leftover rounds and its order shows.
		for _, npos := range []int{3, 13} {
			const stride = 200
			q := make([]float32, hd)
			for i := range q {
				q[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(25)-12)))
			}
			roundF16Go(q)
			k := halves(npos * stride)
			for _, prompt := range []bool{false, true} {
				got, want := make([]float32, npos), make([]float32, npos)
				scoresF16(q, k[3:], stride, prompt, got)
				scoresF16Go(q, k[3:], stride, prompt, want)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("hd=%d npos=%d prompt=%v scores[%d] = %v, Go %v", hd, npos, prompt, i, got[i], want[i])
					}
				}
			}
		}
	}
	for _, hd := range []int{1, 2, 5, 48, 64} {
		for _, n := range []int{8, 32, 40, 96} {
			v, p := halves((n+31)/32*32*hd), make([]float32, n)
			for i := range p {
				p[i] = float32(r.Float64())
			}
			roundF16Go(p)
			for _, prompt := range []bool{false, true} {
				if !prompt && n%32 != 0 {
					continue
				}
				got, want := make([]float32, hd), make([]float32, hd)
				kqvF16(v, p, n, prompt, got)
				kqvF16Go(v, p, n, prompt, want)
				for d := range got {
					if math.Float32bits(got[d]) != math.Float32bits(want[d]) {
						t.Fatalf("hd=%d n=%d prompt=%v out[%d] = %v, Go %v", hd, n, prompt, d, got[d], want[d])
					}
				}
			}
		}
	}
}

// TestDotF16Leftovers checks ggml_vec_dot_f16's leftover rule against a
// direct sum: with no part a multiple of 32, the products (exact in
// float32) are added in float64 and the total rounded once.
func TestDotF16Leftovers(t *testing.T) {
	x := []float32{1, 1, 1}
	y := []uint16{gguf.F32ToF16(1 << 12), gguf.F32ToF16(1), gguf.F32ToF16(-(1 << 12))}
	// float32 would lose the 1 in 4096+1 only past 2^24; use a small
	// addend that float32 drops against 2^12 but float64 keeps.
	x[1] = float32(math.Ldexp(1, -14)) // a float16 value
	if got := dotF16Go(x, y); got != x[1] {
		t.Fatalf("dotF16Go = %v, want %v (the sum in float64)", got, x[1])
	}
}

// TestKVCacheType checks the cache types a model takes, that an F16
// cache holds halves (half an F32 cache's bytes), and that flash attention
// keeps an F16 cache whatever the type asked for, as llama.cpp does.
func TestKVCacheType(t *testing.T) {
	m, err := Load(synthPreset(t, "qwen3-tiny", gguf.F32, 1))
	if err != nil {
		t.Fatal(err)
	}
	if m.KVCacheType() != gguf.F16 {
		t.Fatalf("default KV cache %s, want f16 (llama.cpp's)", m.KVCacheType())
	}
	if err := m.SetKVCacheType(gguf.Q8_0); err == nil {
		t.Fatal("a Q8_0 cache was accepted")
	}
	s := m.NewSeq(64)
	if s.k != nil || len(s.k16) != m.Layers || len(s.k16[0]) != 64*m.KVDim() || len(s.v16[0]) != 64*m.KVDim() {
		t.Fatalf("f16 cache: %d layers of %d keys", len(s.k16), len(s.k16[0]))
	}
	if err := m.SetKVCacheType(gguf.F32); err != nil {
		t.Fatal(err)
	}
	if s := m.NewSeq(64); s.k != nil || !s.flash {
		t.Fatal("flash attention (the default) did not keep the cache in f16")
	}
	m.SetFlashAttention(false)
	if s := m.NewSeq(64); s.k16 != nil || s.flash || len(s.k[0]) != 64*m.KVDim() {
		t.Fatal("f32 cache not made")
	}
}

// TestPromptSplitKeepsBits checks that a prompt fed in pieces, each row
// marked with the ubatch llama.cpp would evaluate it in (Row.Batch), gives
// the bits of the prompt fed at once, with each attention setting: flash
// attention's tiled kernel (a prompt of 64 rows or more) and tinyBLAS's
// order must not depend on how a scheduler splits the prompt.
func TestPromptSplitKeepsBits(t *testing.T) {
	m, err := Load(synthPreset(t, "stories15m", gguf.Q8_0, 1))
	if err != nil {
		t.Fatal(err)
	}
	prompt := make([]int32, 100)
	for i := range prompt {
		prompt[i] = int32(300 + 7*i)
	}
	run := func(pieces ...int) []float32 {
		seq := m.NewSeq(128)
		var last []float32
		p := 0
		for _, n := range pieces {
			rows := make([]Row, n)
			for i := range rows {
				rows[i] = Row{Seq: seq, Token: prompt[p+i], Logits: p+i == len(prompt)-1, Batch: UBatchRows(len(prompt), p+i)}
			}
			out, err := m.Forward(rows, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) > 0 {
				last = out[0]
			}
			p += n
		}
		return last
	}
	for _, c := range []struct {
		kv gguf.TensorType
		fa bool
	}{{gguf.F16, true}, {gguf.F16, false}, {gguf.F32, false}} {
		if err := m.SetKVCacheType(c.kv); err != nil {
			t.Fatal(err)
		}
		m.SetFlashAttention(c.fa)
		whole := logitsSHA256(run(100))
		if split := logitsSHA256(run(40, 56, 3, 1)); split != whole {
			t.Errorf("kv %s, flash %v: split prompt's logits %s, whole %s", c.kv, c.fa, split, whole)
		}
	}
}

// TestFlashKernelsAttend checks both flash-attention kernels against
// attention computed plainly in float64 from the same f16 keys and values:
// softmax(q·k/sqrt(hd)) weighted values, to f16's precision.
func TestFlashKernelsAttend(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, hd := range []int{16, 48, 64} {
		for _, n := range []int{1, 7, 64, 65, 200} {
			q := make([]float32, hd)
			for i := range q {
				q[i] = float32(r.NormFloat64())
			}
			k, v := make([]uint16, n*hd), make([]uint16, n*hd)
			for i := range k {
				k[i] = gguf.F32ToF16(float32(r.NormFloat64()))
				v[i] = gguf.F32ToF16(float32(r.NormFloat64()))
			}
			scale := 1 / float32(math.Sqrt(float64(hd)))
			want := make([]float64, hd)
			w := make([]float64, n)
			mx, sum := math.Inf(-1), 0.0
			for c := range n {
				for d := range hd {
					w[c] += float64(q[d]) * float64(f16Table[k[c*hd+d]])
				}
				w[c] *= float64(scale)
				mx = math.Max(mx, w[c])
			}
			for c := range n {
				w[c] = math.Exp(w[c] - mx)
				sum += w[c]
			}
			for c := range n {
				for d := range hd {
					want[d] += w[c] / sum * float64(f16Table[v[c*hd+d]])
				}
			}
			q16 := append([]float32(nil), q...)
			roundF16Go(q16)
			one := make([]float32, hd)
			flashOne(q16, k, v, n, scale, make([]float32, n), make([]uint16, hd), one)
			kt := make([]float32, (n+flashTile-1)/flashTile*hd*flashTile)
			flashKeyTiles(kt, k, hd, n)
			tiled := make([]float32, hd)
			flashTiled(q, kt, v, n, scale, make([]float32, flashTile), tiled)
			for d := range hd {
				// The one-query kernel keeps its sum in f16 (about 3 decimal
				// digits, rounded once per cell); the tiled one in f32.
				if math.Abs(float64(one[d])-want[d]) > 0.02 || math.Abs(float64(tiled[d])-want[d]) > 1e-4 {
					t.Fatalf("hd=%d n=%d dim %d: one-query %v, tiled %v, plain %v", hd, n, d, one[d], tiled[d], want[d])
				}
			}
		}
	}
}
