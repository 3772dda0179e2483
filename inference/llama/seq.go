package llama

import (
	"github.com/taonet/tao/gpu/cuda"
	"github.com/taonet/tao/inference/gguf"
)

// Seq is one sequence's KV cache: keys and values of every layer for
// positions [0, Len). It is used by one caller at a time. On a model moved
// to a GPU the cache is in GPU memory (f16), freed when the Seq is
// garbage collected.
type Seq struct {
	// k holds, per layer and KV head, cap positions of HeadDim floats (a
	// head's keys are read position after position: one stream). v holds the
	// values transposed as llama.cpp's cache does without flash attention,
	// so that attention sums over positions as ggml does, and blocked so
	// that those sums stream: per KV head, vBlocks blocks of 32 positions,
	// each HeadDim rows of 32 floats (the tail of the last block zero).
	// An F16 cache (Model.SetKVCacheType) holds the same in k16 and v16,
	// each value rounded to float16 as llama.cpp's F16 cache stores it.
	// With flash attention (flash) the values are not transposed: v16
	// holds, per KV head, a row of HeadDim halves per position.
	k, v     [][]float32
	k16, v16 [][]uint16
	flash    bool
	vBlocks  int
	n        int // positions filled
	cap      int
	dev      cuda.Ptr // GPU cache: [layer][k|v][cap][KVDim] f16
	gpuErr   error    // why dev is 0 on a GPU model
}

// NewSeq allocates a KV cache for up to n positions (at most the model's
// context length).
func (m *Model) NewSeq(n int) *Seq {
	n = max(1, min(n, m.Ctx))
	if g := m.gpu; g != nil {
		s := &Seq{cap: min(n, g.maxPos)}
		g.newCache(s, m.Layers, m.KVDim())
		return s
	}
	s := &Seq{cap: n, vBlocks: (n + 31) / 32, flash: m.flashAttn}
	if m.kvType == gguf.F16 || s.flash {
		s.k16, s.v16 = make([][]uint16, m.Layers), make([][]uint16, m.Layers)
		for l := range m.Layers {
			s.k16[l] = make([]uint16, n*m.KVDim())
			s.v16[l] = make([]uint16, s.vBlocks*32*m.KVDim())
		}
		return s
	}
	s.k, s.v = make([][]float32, m.Layers), make([][]float32, m.Layers)
	for l := range m.Layers {
		s.k[l] = make([]float32, n*m.KVDim())
		s.v[l] = make([]float32, s.vBlocks*32*m.KVDim())
	}
	return s
}

// Len is the number of positions evaluated.
func (s *Seq) Len() int { return s.n }

// Cap is the number of positions the cache holds.
func (s *Seq) Cap() int { return s.cap }

// Truncate forgets positions from n on, so a caller can rewind (reuse a
// shared prompt prefix, or re-score).
func (s *Seq) Truncate(n int) { s.n = max(0, min(n, s.n)) }

// kHead is the key cache of layer l's KV head h (positions × hd).
func (s *Seq) kHead(l, h, hd int) []float32 {
	n := s.cap * hd
	return s.k[l][h*n : (h+1)*n]
}

// vHead is the blocked value cache of layer l's KV head h.
func (s *Seq) vHead(l, h, hd int) []float32 {
	n := s.vBlocks * 32 * hd
	return s.v[l][h*n : (h+1)*n]
}

// kHead16 and vHead16 are kHead and vHead of an F16 cache.
func (s *Seq) kHead16(l, h, hd int) []uint16 {
	n := s.cap * hd
	return s.k16[l][h*n : (h+1)*n]
}

func (s *Seq) vHead16(l, h, hd int) []uint16 {
	n := s.vBlocks * 32 * hd
	return s.v16[l][h*n : (h+1)*n]
}
