package llama

import (
	"math"

	"github.com/taonet/tao/inference/gguf"
)

// Flash attention as llama.cpp's CPU backend computes it (its default:
// flash attention "auto" is on for the CPU), over an F16 cache
// (Model.SetFlashAttention). Keys are stored as without flash attention;
// values row by row, each cell's row of HeadDim halves (Seq.flash). Two
// kernels, chosen as ggml_compute_forward_flash_attn_ext_f16 chooses them:
//
//   - one query row at a time (a decode step, or a prompt of fewer than 64
//     rows): the query rounded to float16; for each unmasked cell in
//     order, its score by ggml_vec_dot_f16, scaled, then an online
//     softmax with glibc's expf whose weighted sum of values is kept in
//     float16, rounded after every cell (ggml_vec_mad_f16 and
//     ggml_vec_scale_f16); finally divided by the weights' sum;
//   - tiles of 64 cells (a prompt of 64 rows or more, HeadDim a multiple
//     of 8): scores by one chain of fused multiply-adds per cell from the
//     float32 query, a running maximum per tile (glibc's expf rescales),
//     ggml's softmax over the tile (vExpf, float64 sum), and the values
//     summed in float32, one chain of fused multiply-adds per dimension.
//
// llama.cpp splits a lone decode row's cells across its threads once its
// cache view reaches 512 cells (more than 256 in use), which makes its
// sums depend on its thread count; the engine does not reproduce that
// split, so past 256 positions its flash-attention bits may differ from
// llama.cpp's (the logits agree to the last few bits).

// flashTileRows is the prompt length from which llama.cpp takes the tiled
// kernel (its Q_TILE_SZ), and flashTile its tile of cells (KV_TILE_SZ).
const (
	flashTileRows = 64
	flashTile     = 64
)

// flashOne writes to out one query row's attention over cells [0, n) of
// one KV head (keys k and value rows v, HeadDim apart): llama.cpp's
// one-query kernel. q16 is the query rounded to float16; scores and acc
// are scratch of at least n and len(out) elements.
func flashOne(q16 []float32, k, v []uint16, n int, scale float32, scores []float32, acc []uint16, out []float32) {
	hd := len(out)
	scoresF16(q16, k, hd, false, scores[:n])
	if s, ok := flashLoop(scores[:n], scale, v, out); ok {
		var inv float32
		if s != 0 {
			inv = 1 / s
		}
		for d := range out {
			out[d] *= inv
		}
		return
	}
	acc = acc[:hd]
	clear(acc)
	m := float32(math.Inf(-1))
	var s float32
	for t, x := range scores[:n] {
		x = x*scale + 0 // the mask's 0 for an unmasked cell, added as ggml does
		row := v[t*hd : (t+1)*hd]
		if x > m {
			ms := glibcExpf(m - x)
			m = x
			vecScaleF16(acc, ms)
			vecMadF16(acc, row, 1)
			s = s*ms + 1
		} else {
			vs := glibcExpf(x - m)
			vecMadF16(acc, row, vs)
			s += vs
		}
	}
	var inv float32
	if s != 0 {
		inv = 1 / s
	}
	for d, h := range acc {
		out[d] = f16Table[h] * inv
	}
}

// flashTiled writes to out one query row's attention over cells [0, n)
// of one KV head: llama.cpp's tiled kernel (n the row's position plus 1).
// q is the query in float32, kt the head's keys as flashKeyTiles
// transposes them, v its value rows; p (flashTile elements) is scratch.
func flashTiled(q, kt []float32, v []uint16, n int, scale float32, p []float32, out []float32) {
	hd := len(out)
	p = p[:flashTile]
	clear(out)
	m := float32(math.Inf(-1))
	var s float32
	for c0 := 0; c0 < n; c0 += flashTile {
		live := min(flashTile, n-c0) // cells of the tile this row sees
		flashKQ(kt[c0*hd:(c0+flashTile)*hd], q, p)
		for t := range p {
			if t < live {
				p[t] = p[t]*scale + 0 // the mask's 0 for an unmasked cell
			} else {
				p[t] = float32(math.Inf(-1))
			}
		}
		tmax := maxOfGo(p)
		mn := max(m, tmax)
		if mn > m {
			ms := glibcExpf(m - mn)
			for d := range out {
				out[d] *= ms
			}
			s *= ms
		}
		m = mn
		s = float32(float64(s) + softmaxExp(p, mn))
		for t := range live {
			vecMadF32F16(out, v[(c0+t)*hd:(c0+t+1)*hd], p[t])
		}
	}
	var inv float32
	if s != 0 {
		inv = 1 / s
	}
	for d := range out {
		out[d] *= inv
	}
}

// flashKeyTiles writes to kt the keys of cells [0, n) (rows of hd halves
// in k) widened and transposed by tiles of flashTile cells, as llama.cpp's
// tiled kernel packs them: tile c's element (d, t) at kt[(c*hd+d)*64+t];
// a tile's cells from n on are zero. kt has room for (n+63)/64 tiles.
func flashKeyTiles(kt []float32, k []uint16, hd, n int) {
	nt := (n + flashTile - 1) / flashTile
	kt = kt[:nt*hd*flashTile]
	clear(kt[(nt-1)*hd*flashTile:])
	for c := range nt {
		tile := kt[c*hd*flashTile : (c+1)*hd*flashTile]
		for t := range min(flashTile, n-c*flashTile) {
			row := k[(c*flashTile+t)*hd : (c*flashTile+t+1)*hd]
			for d, h := range row {
				tile[d*flashTile+t] = f16Table[h]
			}
		}
	}
}

// flashKQGo sets out[j] (j < 64) to the fused multiply-add chain of q with
// column j of a transposed key tile kt (hd rows of 64), from 0.
func flashKQGo(kt, q, out []float32) {
	for j := range out[:flashTile] {
		var a float32
		for d, x := range q {
			a = fma32(kt[d*flashTile+j], x, a)
		}
		out[j] = a
	}
}

// vecMadF32F16Go sets y[i] = fma(float32(x[i]), v, y[i]).
func vecMadF32F16Go(y []float32, x []uint16, v float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] = fma32(f16Table[x[i]], v, y[i])
	}
}

// vecMadF16Go is ggml_vec_mad_f16: y[i] = float16(x[i]·v + y[i]), the
// product and sum fused in float32.
func vecMadF16Go(y, x []uint16, v float32) {
	x = x[:len(y)]
	for i, h := range y {
		y[i] = gguf.F32ToF16(fma32(f16Table[x[i]], v, f16Table[h]))
	}
}

// vecScaleF16Go is ggml_vec_scale_f16: y[i] = float16(y[i]·v).
func vecScaleF16Go(y []uint16, v float32) {
	for i, h := range y {
		y[i] = gguf.F32ToF16(f16Table[h] * v)
	}
}
