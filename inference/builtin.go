package inference

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/gpu/cuda"
	"github.com/taonet/tao/inference/llama"
)

// BuiltinOptions configures the builtin engine. The zero value works.
type BuiltinOptions struct {
	// Threads for the CPU kernels; 0 uses GOMAXPROCS.
	Threads int
	// MaxBatch bounds how many requests decode together; 0 means 8.
	MaxBatch int
	// PrefillChunk bounds the prompt tokens evaluated per step, so a long
	// prompt does not stall other requests; 0 means 256 on the CPU, 1024
	// on a GPU.
	PrefillChunk int
	// Device is where the model runs: "cpu" (also ""), "cuda" (an NVIDIA
	// GPU, loaded at run time; an error without one) or "auto" (CUDA where
	// usable, else the CPU). See ParseDevice.
	Device string
	// KVCache is the element type of the CPU KV cache: "f16" (also ""),
	// llama.cpp's default, or "f32" (twice the memory; llama.cpp's
	// --cache-type-k/v f32). Either way the arithmetic is llama.cpp's for
	// that type (ParseKVCache). A GPU keeps its cache in f16.
	KVCache string
	// FlashAttn is "on" (also ""), llama.cpp's default on the CPU, or
	// "off": attention computed as llama.cpp's flash attention computes it
	// (over an F16 cache, whatever KVCache says, as llama.cpp casts an F32
	// one), or as its plain graph does. ParseFlashAttn.
	FlashAttn string
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

// Builtin is the builtin engine for llama-family GGUF models: pure-Go CPU
// kernels, or CUDA on an NVIDIA GPU (BuiltinOptions.Device). Requests
// share one scheduler goroutine (started by the first request) that steps
// all active requests together, so concurrent requests are batched: one
// pass over the weights serves every sequence.
type Builtin struct {
	m    *llama.Model
	gpu  *cuda.Device // nil on the CPU; closed after the model
	info ModelInfo
	opts BuiltinOptions
	log  *slog.Logger

	submit chan *job
	logits []float32     // the scheduler's: a sampled step's logits (ForwardInto)
	quit   chan struct{} // closed by Close
	done   chan struct{} // closed when the scheduler exits

	mu      sync.Mutex // guards closed, running, and busy.Add
	closed  bool
	running bool
	busy    sync.WaitGroup // Score calls in flight; Close waits for them
}

var _ Engine = (*Builtin)(nil)

// OpenBuiltin loads the GGUF model at path. A file that is not a loadable
// GGUF llama model fails with an error wrapping ErrBadModel.
func OpenBuiltin(path string, opts BuiltinOptions) (*Builtin, error) {
	m, err := llama.Open(path)
	if err != nil {
		if _, ok := errors.AsType[*fs.PathError](err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrBadModel, err)
	}
	c, err := FileCID(path)
	if err != nil {
		m.Close()
		return nil, err
	}
	return newBuiltin(m, c, opts)
}

// LoadBuiltin loads a model from the bytes of a GGUF file, which must not
// change while the engine is in use.
func LoadBuiltin(b []byte, opts BuiltinOptions) (*Builtin, error) {
	m, err := llama.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadModel, err)
	}
	return newBuiltin(m, CIDOf(b), opts)
}

func newBuiltin(m *llama.Model, c cid.Cid, opts BuiltinOptions) (*Builtin, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 8
	}
	kv, err := ParseKVCache(opts.KVCache)
	if err == nil {
		err = m.SetKVCacheType(kv)
	}
	fa, faErr := ParseFlashAttn(opts.FlashAttn)
	m.SetFlashAttention(fa)
	if err == nil {
		err = faErr
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "inference")
	d, err := placeModel(m, opts.Device, log)
	if err != nil {
		m.Close()
		return nil, err
	}
	if opts.PrefillChunk <= 0 {
		// A GPU's matrix products want more rows than a CPU's: 256-row
		// chunks held an 8B model's prefill to 0.8× transformers (H200).
		opts.PrefillChunk = 256
		if d != nil {
			opts.PrefillChunk = 1024
		}
	}
	name, _ := m.File.String("general.name")
	v := m.Tok.Vocab()
	return &Builtin{
		m: m, gpu: d, opts: opts, log: log,
		info:   ModelInfo{Name: name, CID: c, ContextLength: m.Ctx, VocabSize: m.Vocab, BOS: v.BOS, EOS: v.EOS},
		submit: make(chan *job), quit: make(chan struct{}), done: make(chan struct{}),
	}, nil
}

// start launches the scheduler on first use.
func (e *Builtin) start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if !e.running {
		e.running = true
		go e.loop()
	}
	return nil
}

// Close stops the scheduler, waits for it, and unmaps the model. Requests in
// flight fail with ErrClosed. A second call is a no-op.
func (e *Builtin) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	running := e.running
	e.mu.Unlock()
	close(e.quit)
	if running {
		<-e.done
	}
	e.busy.Wait() // the weights may be unmapped only when nobody reads them
	err := e.m.Close()
	if e.gpu != nil {
		err = errors.Join(err, e.gpu.Close())
	}
	return err
}

// Device is "cpu" or the name of the GPU the model runs on.
func (e *Builtin) Device() string {
	if name, ok := e.m.OnGPU(); ok {
		return name
	}
	return DeviceCPU
}

// Info describes the model.
func (e *Builtin) Info() ModelInfo { return e.info }

// Model exposes the loaded model (tokenizer, configuration); its weights
// are valid until Close.
func (e *Builtin) Model() *llama.Model { return e.m }

// Tokenize encodes text as Generate encodes a Prompt.
func (e *Builtin) Tokenize(text string) []int32 { return e.m.Tok.Encode(text, true, true) }

// Score implements Engine: one forward pass over prompt and tokens.
func (e *Builtin) Score(ctx context.Context, prompt, tokens []int32) ([]float32, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	e.busy.Add(1)
	e.mu.Unlock()
	defer e.busy.Done()
	if len(prompt) == 0 {
		return nil, errors.New("inference: score needs a non-empty prompt")
	}
	if len(tokens) == 0 {
		return nil, nil
	}
	n := len(prompt) + len(tokens)
	if n > e.m.Ctx {
		return nil, fmt.Errorf("%w: %d tokens, context %d", ErrContext, n, e.m.Ctx)
	}
	if err := e.checkTokens("prompt", prompt); err != nil {
		return nil, err
	}
	if err := e.checkTokens("scored", tokens); err != nil {
		return nil, err
	}
	seq := e.m.NewSeq(n)
	all := append(append([]int32(nil), prompt...), tokens...)
	out := make([]float32, 0, len(tokens))
	// Chunks keep the logits buffer near 16 MiB (rows × vocabulary) and
	// let ctx interrupt; a multiple of four rows, so that llama.cpp's
	// K-quant groups of four fall as in one batch (see prefillRows).
	chunk := min(e.opts.PrefillChunk, max(16, (4<<20)/e.m.Vocab))
	if chunk >= 4 {
		chunk &^= 3
	}
	var buf []float32 // each chunk's logits, used up before the next
	for start := 0; start < n-1; start += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(n-1, start+chunk)
		rows := make([]llama.Row, end-start)
		for i := range rows {
			p := start + i
			rows[i] = llama.Row{Seq: seq, Token: all[p], Logits: p >= len(prompt)-1, Batch: llama.UBatchRows(n-1, p)}
		}
		logits, err := e.m.ForwardInto(rows, e.opts.Threads, &buf)
		if err != nil {
			return nil, err
		}
		first := max(start, len(prompt)-1)
		for i, lg := range logits {
			out = append(out, float32(float64(lg[all[first+i+1]])-logSumExp(lg)))
		}
	}
	return out, nil
}

// checkTokens reports the first id in ids outside the vocabulary.
func (e *Builtin) checkTokens(what string, ids []int32) error {
	for i, id := range ids {
		if id < 0 || int(id) >= e.m.Vocab {
			return fmt.Errorf("%w: %s token %d is %d, the vocabulary has %d (ids come from this model's tokenizer)", ErrToken, what, i, id, e.m.Vocab)
		}
	}
	return nil
}

// promptTokens tokenizes req and checks it fits the model.
func (e *Builtin) promptTokens(req Request) ([]int32, error) {
	var p []int32
	switch {
	case req.Prompt != "":
		p = e.m.Tok.Encode(req.Prompt, true, true)
	case len(req.Messages) > 0:
		var err error
		if p, err = chatTokens(e.m.Tok, req.Messages); err != nil {
			return nil, err
		}
	default:
		p = append([]int32(nil), req.PromptTokens...)
	}
	if len(p) == 0 {
		return nil, errors.New("inference: empty prompt")
	}
	if err := e.checkTokens("prompt", p); err != nil {
		return nil, err
	}
	if len(p) >= e.m.Ctx {
		return nil, fmt.Errorf("%w: prompt of %d tokens, context %d", ErrContext, len(p), e.m.Ctx)
	}
	return p, nil
}
