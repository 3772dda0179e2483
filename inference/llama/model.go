package llama

import (
	"errors"
	"fmt"
	"sync"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/tokenizer"
)

// Model is a loaded llama model. Weights alias the mapped file until Close.
type Model struct {
	Config
	File *gguf.File
	Tok  *tokenizer.Tokenizer

	embd    *Matrix
	layers  []layer
	outNorm []float32
	output  *Matrix
	tied    bool // the file has no output.weight: output is token_embd (perhaps re-encoded, plainQ4)
	// ropeFreqs divides each rotary frequency (rope_freqs.weight, which
	// llama.cpp's converter writes for Llama 3.1's rope scaling); nil
	// when the file has none.
	ropeFreqs []float32
	gpu       *gpuModel // non-nil after ToDevice
	// kvType is the CPU KV cache's element type: F16 (llama.cpp's
	// default) or F32. SetKVCacheType sets it.
	kvType gguf.TensorType
	// flashAttn: attention as llama.cpp's CPU flash attention computes it
	// (its default), over an F16 cache; SetFlashAttention sets it.
	flashAttn bool
	scratch   sync.Pool // *forwardScratch of CPU passes

	release   func() error
	closeOnce sync.Once
	closeErr  error
}

type layer struct {
	attnNorm, ffnNorm []float32
	wq, wk, wv, wo    *Matrix
	wGate, wUp, wDown *Matrix
	// Optional biases added after each projection (nil when absent):
	// Qwen2 has bq, bk and bv; llama.cpp accepts any of them on llama.
	bq, bk, bv, bo    []float32
	bGate, bUp, bDown []float32
	qNorm, kNorm      []float32 // Qwen3's per-head RMSNorm weights (HeadDim), nil when absent
}

// Open memory-maps and loads the GGUF model at path.
func Open(path string) (*Model, error) {
	b, release, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Load(b)
	if err != nil {
		_ = release()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.release = release
	return m, nil
}

// Load loads a model from the bytes of a GGUF file, which must stay
// unmodified while the Model is in use.
func Load(b []byte) (*Model, error) {
	f, err := gguf.Decode(b)
	if err != nil {
		return nil, err
	}
	c, err := configFromGGUF(f)
	if err != nil {
		return nil, err
	}
	voc, err := tokenizer.VocabFromGGUF(f)
	if err != nil {
		return nil, err
	}
	if len(voc.Tokens) > maxVocab {
		return nil, fmt.Errorf("llama: vocabulary of %d tokens", len(voc.Tokens))
	}
	tok, err := tokenizer.New(voc)
	if err != nil {
		return nil, err
	}
	c.Vocab = len(voc.Tokens)
	m := &Model{Config: c, File: f, Tok: tok, kvType: gguf.F16, flashAttn: true}
	if m.embd, err = newMatrix(f, "token_embd.weight", c.Dim, c.Vocab); err != nil {
		return nil, err
	}
	if m.outNorm, err = vector(f, "output_norm.weight", c.Dim); err != nil {
		return nil, err
	}
	if _, ok := f.Tensor("output.weight"); ok {
		if m.output, err = newMatrix(f, "output.weight", c.Dim, c.Vocab); err != nil {
			return nil, err
		}
	} else {
		// Tied embeddings: llama.cpp loads a copy for the output, which
		// it repacks like any other Q4_0 matrix (scripts/llamacpp-dump.sh).
		m.output, m.tied = m.embd, true
	}
	if m.output.Type == gguf.Q4_0 && m.output.Rows%8 != 0 {
		m.output = plainQ4(m.output)
	}
	m.output = asQ8(m.output) // a copy when tied: the embedding keeps its type
	if m.embd.Type != gguf.F32 && m.embd.Type != gguf.F16 && m.embd.Cols%gguf.QK != 0 {
		return nil, errors.New("llama: quantized embedding width not a multiple of 32")
	}
	if err := m.loadLayers(f); err != nil {
		return nil, err
	}
	return m, nil
}

// SetKVCacheType sets the element type of the KV caches that NewSeq makes
// from now on: gguf.F16, llama.cpp's default and the engine's (half the
// memory; each key and value rounded to float16 as llama.cpp's cache
// does), or gguf.F32 (llama.cpp's --cache-type-k/v f32). Either way the
// arithmetic is llama.cpp's for that cache type, flash attention off. A
// model on a GPU keeps its caches in f16 whatever this says.
func (m *Model) SetKVCacheType(t gguf.TensorType) error {
	if t != gguf.F16 && t != gguf.F32 {
		return fmt.Errorf("llama: KV cache type %s is not supported (use f16 or f32)", t)
	}
	m.kvType = t
	return nil
}

// KVCacheType is the element type of the CPU KV caches (SetKVCacheType).
func (m *Model) KVCacheType() gguf.TensorType { return m.kvType }

// SetFlashAttention chooses, for the sequences NewSeq makes from now on,
// between attention as llama.cpp's CPU flash attention computes it (on:
// llama.cpp's default, "-fa auto"; flashattn.go) and as its plain graph
// does ("-fa off"). Flash attention rounds keys and values to float16
// whatever the cache type (llama.cpp casts an F32 cache), so with it
// the cache is F16.
func (m *Model) SetFlashAttention(on bool) { m.flashAttn = on }

// FlashAttention reports SetFlashAttention's choice.
func (m *Model) FlashAttention() bool { return m.flashAttn }

// Close frees the model's GPU memory, if any, and unmaps the file. The Model must not be used afterwards; a second
// call is a no-op.
func (m *Model) Close() error {
	m.closeOnce.Do(func() {
		if g := m.gpu; g != nil {
			m.closeErr = g.dev.Run(g.free)
		}
		if m.release != nil {
			m.closeErr = errors.Join(m.closeErr, m.release())
		}
	})
	return m.closeErr
}
