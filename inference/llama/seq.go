package llama

import (
	"errors"
	"fmt"
	"runtime"

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
	n        int      // positions filled
	cap      int      // positions allocated
	limit    int      // positions it may grow to (Cap)
	dev      cuda.Ptr // GPU cache: [layer][k|v][cap][KVDim] f16
	free     runtime.Cleanup
	gpuErr   error // why dev is 0 on a GPU model
}

// seqInitialCap is how many positions a cache holds at first: it grows
// (doubling) as positions are filled, so a request that may run to the
// whole context (a 128k-token Llama 3.1: 16 GiB at 8B) costs memory for
// what it uses.
const seqInitialCap = 256

// NewSeq makes a KV cache for up to n positions (at most the model's
// context length): it starts small and grows as it fills, in CPU or GPU
// memory.
func (m *Model) NewSeq(n int) *Seq {
	n = max(1, min(n, m.Ctx))
	if g := m.gpu; g != nil {
		s := &Seq{limit: min(n, g.maxPos)}
		s.cap = min(s.limit, seqInitialCap)
		g.newCache(s, m.Layers, m.KVDim())
		return s
	}
	s := &Seq{limit: n, flash: m.flashAttn}
	s.alloc(m, min(n, seqInitialCap))
	return s
}

// alloc gives s room for c positions, keeping the positions it holds.
func (s *Seq) alloc(m *Model, c int) {
	old, oldBlocks := s.cap, s.vBlocks
	s.cap, s.vBlocks = c, (c+31)/32
	// A sequence keeps the layout it was made with (SetKVCacheType applies
	// to new sequences only).
	if s.k16 != nil || (s.k == nil && (m.kvType == gguf.F16 || s.flash)) {
		s.k16, s.v16 = regrow(m, s.k16, s.v16, c, old, s.vBlocks, oldBlocks)
		return
	}
	s.k, s.v = regrow(m, s.k, s.v, c, old, s.vBlocks, oldBlocks)
}

// regrow makes per-layer key and value caches for c positions (values in
// blocks of 32 positions) and moves into them what k and v (nil for a new
// sequence) held for old positions.
func regrow[T uint16 | float32](m *Model, k, v [][]T, c, old, blocks, oldBlocks int) ([][]T, [][]T) {
	kv, hd := m.KVHeads, m.HeadDim
	nk, nv := make([][]T, m.Layers), make([][]T, m.Layers)
	for l := range m.Layers {
		nk[l] = make([]T, c*m.KVDim())
		nv[l] = make([]T, blocks*32*m.KVDim())
		if k != nil {
			moveHeads(nk[l], k[l], kv, c*hd, old*hd)
			moveHeads(nv[l], v[l], kv, blocks*32*hd, oldBlocks*32*hd)
		}
	}
	return nk, nv
}

// moveHeads copies each of heads regions of oldN values in src to the
// start of the head's region of newN values in dst: keys position after
// position, values in whole blocks of 32 positions, so what a head held
// stays where its readers look.
func moveHeads[T uint16 | float32](dst, src []T, heads, newN, oldN int) {
	for h := range heads {
		copy(dst[h*newN:h*newN+oldN], src[h*oldN:(h+1)*oldN])
	}
}

// Reserve makes room in s for n positions (at most its Cap) before a pass
// needs them: a scheduler that reserves for each sequence first fails
// only the request whose cache cannot grow (out of GPU memory), not the
// whole batch's pass.
func (m *Model) Reserve(s *Seq, n int) error { return s.reserve(m, min(n, s.limit)) }

// reserve makes room for n positions (at most the limit), doubling.
func (s *Seq) reserve(m *Model, n int) error {
	if m.gpu != nil && s.dev == 0 {
		// Said before the pass, so that a scheduler fails this request
		// alone.
		if s.gpuErr != nil {
			return fmt.Errorf("llama: sequence has no GPU KV cache: %w", s.gpuErr)
		}
		return errors.New("llama: sequence made before the model moved to the GPU")
	}
	if n <= s.cap {
		return nil
	}
	c := min(s.limit, max(n, 2*s.cap))
	if s.dev != 0 {
		return m.gpu.growCache(s, m.Layers, m.KVDim(), c)
	}
	s.alloc(m, c)
	return nil
}

// Len is the number of positions evaluated.
func (s *Seq) Len() int { return s.n }

// Cap is the number of positions the cache can hold (what NewSeq was
// asked for, within the context); on the CPU memory for them is taken as
// they are filled.
func (s *Seq) Cap() int { return s.limit }

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
