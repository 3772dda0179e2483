package inference

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BenchOptions configures Bench (tao bench inference).
type BenchOptions struct {
	Model   string // GGUF file
	Threads int
	// Prompt tokens for prefill and tokens to decode. Zero: 128 and 64.
	PromptTokens, DecodeTokens int
	// Batch is the number of concurrent requests of the batched row. Zero: 8.
	Batch int
	// Batches are extra concurrency levels to measure (BenchResult.Batches).
	Batches []int
	// Device is where the engine runs (BuiltinOptions.Device).
	Device string
	// PrefillChunk is BuiltinOptions.PrefillChunk (0: the engine's default).
	PrefillChunk int
	// KVCache is BuiltinOptions.KVCache: f16 ("") or f32.
	KVCache string
	// FlashAttn is BuiltinOptions.FlashAttn: on ("") or off.
	FlashAttn string
}

// BatchFigure is the aggregate decode speed of Batch concurrent requests.
type BatchFigure struct {
	Batch int     `json:"batch"`
	TokS  float64 `json:"tok_s"`
}

// BenchResult is one row of tao bench inference.
type BenchResult struct {
	Model        string  `json:"model"`
	Threads      int     `json:"threads"`
	PrefillTokS  float64 `json:"prefill_tok_s"`
	DecodeTokS   float64 `json:"decode_tok_s"`       // batch 1
	BatchTokS    float64 `json:"batch_decode_tok_s"` // Batch concurrent requests, aggregate
	Batch        int     `json:"batch"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"` // of this process so far (VmHWM)
	// SingleTokS is one request measured as BatchTokS measures Batch of
	// them: a 2-token prompt and its decode, tokens over the wall clock
	// (DecodeTokS leaves the prompt and the first token out).
	SingleTokS   float64 `json:"single_request_tok_s"`
	BatchSpeedup float64 `json:"batch_speedup"`       // BatchTokS / SingleTokS
	LlamaCpp     *Other  `json:"llama_cpp,omitempty"` // filled by the caller when measured
	Ratio        float64 `json:"decode_vs_llama_cpp,omitempty"`
	// Device is "cpu" or the GPU's name; Batches the figures of
	// BenchOptions.Batches.
	Device  string        `json:"device"`
	Batches []BatchFigure `json:"batches,omitempty"`
	// WeightBytes are the weights resident on the GPU (0 on the CPU).
	WeightBytes int64 `json:"gpu_weight_bytes,omitempty"`
}

// Other is another engine's figures on the same file and threads.
type Other struct {
	PrefillTokS float64 `json:"prefill_tok_s"`
	DecodeTokS  float64 `json:"decode_tok_s"`
	// BatchTokS is its aggregate decode of Batch sequences decoded
	// together, and BatchSpeedup that over its own one sequence measured
	// the same way (scripts/llamacpp-batched.sh); 0 when not measured.
	BatchTokS    float64 `json:"batch_decode_tok_s,omitempty"`
	BatchSpeedup float64 `json:"batch_speedup,omitempty"`
}

// Bench measures the builtin engine on o.Model: prefill tokens/s of one
// prompt, greedy decode tokens/s of one request, and aggregate decode
// tokens/s of o.Batch concurrent requests, and its gain over one request
// measured the same way (the wall clock over the prompt and the decode, as
// scripts/llamacpp-batched.sh times llama.cpp's). Each figure is the best
// of three runs, as llama.cpp's bench reports best-of too; the one and the
// batched requests run side by side in each round, so both see the same
// machine load.
func Bench(ctx context.Context, o BenchOptions) (*BenchResult, error) {
	if o.PromptTokens == 0 {
		o.PromptTokens = 128
	}
	if o.DecodeTokens == 0 {
		o.DecodeTokens = 64
	}
	if o.Batch == 0 {
		o.Batch = 8
	}
	maxBatch := o.Batch
	for _, b := range o.Batches {
		maxBatch = max(maxBatch, b)
	}
	eng, err := OpenBuiltin(o.Model, BuiltinOptions{Threads: o.Threads, MaxBatch: maxBatch, Device: o.Device, PrefillChunk: o.PrefillChunk, KVCache: o.KVCache, FlashAttn: o.FlashAttn})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	prompt := make([]int32, o.PromptTokens)
	for i := range prompt {
		prompt[i] = int32(100 + i)
	}
	r := &BenchResult{Model: o.Model, Threads: o.Threads, Batch: o.Batch, Device: eng.Device(), WeightBytes: eng.Model().GPUWeightBytes()}
	one := func(tokens []int32, max int) (Result, error) {
		return eng.Generate(ctx, Request{PromptTokens: tokens, MaxTokens: max}, func(Token) error { return nil })
	}
	// batched runs n concurrent requests of two prompt tokens and returns
	// their aggregate tokens/s.
	batched := func(n int) (float64, error) {
		began := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		var firstErr error
		for i := range n {
			wg.Go(func() {
				res, err := one([]int32{int32(100 + i), int32(101 + i)}, o.DecodeTokens)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				total += len(res.Tokens)
			})
		}
		wg.Wait()
		return float64(total) / time.Since(began).Seconds(), firstErr
	}
	for range 3 {
		res, err := one(prompt, 1)
		if err != nil {
			return nil, err
		}
		r.PrefillTokS = max(r.PrefillTokS, float64(len(prompt))/res.Prefill.Seconds())
		res, err = one(prompt[:8], o.DecodeTokens)
		if err != nil {
			return nil, err
		}
		if n := len(res.Tokens) - 1; n > 0 && res.Decode > 0 {
			r.DecodeTokS = max(r.DecodeTokS, float64(n)/res.Decode.Seconds())
		}
		tps, err := batched(1)
		if err != nil {
			return nil, err
		}
		r.SingleTokS = max(r.SingleTokS, tps)
		if tps, err = batched(o.Batch); err != nil {
			return nil, err
		}
		r.BatchTokS = max(r.BatchTokS, tps)
	}
	for _, b := range o.Batches {
		f := BatchFigure{Batch: b}
		for range 3 {
			tps, err := batched(b)
			if err != nil {
				return nil, err
			}
			f.TokS = max(f.TokS, tps)
		}
		r.Batches = append(r.Batches, f)
	}
	if r.SingleTokS > 0 {
		r.BatchSpeedup = r.BatchTokS / r.SingleTokS
	}
	r.PeakRSSBytes = peakRSS()
	return r, nil
}

// peakRSS reads this process's resident-set high-water mark (Linux);
// 0 elsewhere.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				n, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return n << 10
				}
			}
		}
	}
	return 0
}

// String formats a row for a terminal table.
func (r *BenchResult) String() string {
	s := fmt.Sprintf("%-44s %2d  %9.0f  %9.0f  %9.0f (%d, ×%.1f)  %6.0f MiB",
		r.Model, r.Threads, r.PrefillTokS, r.DecodeTokS, r.BatchTokS, r.Batch, r.BatchSpeedup, float64(r.PeakRSSBytes)/(1<<20))
	if o := r.LlamaCpp; o != nil {
		s += fmt.Sprintf("  %9.0f  %9.0f  ×%.2f", o.PrefillTokS, o.DecodeTokS, r.Ratio)
		if o.BatchTokS > 0 {
			s += fmt.Sprintf("  %9.0f (×%.1f)", o.BatchTokS, o.BatchSpeedup)
		}
	}
	return s
}
