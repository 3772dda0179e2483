package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/gguf"
)

func newBenchCmd() *cobra.Command {
	c := &cobra.Command{Use: "bench", Short: "Measure this machine: inference speed"}
	c.AddCommand(newBenchInferenceCmd())
	return c
}

func newBenchInferenceCmd() *cobra.Command {
	var (
		presets, quants, threads string
		llamaDir                 string
		asJSON                   bool
		device, batches, kvCache string
		flashAttn                string
		promptN, decodeN, chunk  int
	)
	c := &cobra.Command{
		Use:   "inference",
		Short: "Prefill and decode tokens/s (batch 1 and 8) and peak memory of the builtin engine, beside llama.cpp",
		Long: `Measure the builtin CPU engine on synthetic models (written once into the model
cache): prefill of a 128-token prompt, greedy decode at batch 1, aggregate
decode of 8 concurrent requests and its gain over one request timed the
same way (each with a 2-token prompt, tokens over the wall clock), and the
process's peak memory. When
node-llama-cpp is installed (scripts/llamacpp-install.sh puts it in
build/llamacpp), llama.cpp runs on the same file with the same thread count
and attention settings (KV cache type, flash attention)
and the table shows the decode ratio; where gcc is installed too,
scripts/llamacpp-batched.sh adds llama.cpp's own batched decode (the same
number of sequences per llama_decode, through its C API) and its gain over
one sequence (CPP BATCH).`,
		Example: `  tao bench inference
  tao bench inference --preset stories15m,tinyllama1b --quant q8_0,q4_0 --threads 1,2`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := modelCacheDir()
			if err != nil {
				return err
			}
			th, err := parseInts(threads)
			if err != nil {
				return usageError(fmt.Errorf("--threads: %w", err))
			}
			if _, err := inference.ParseDevice(device); err != nil {
				return usageError(fmt.Errorf("--device: %w", err))
			}
			if _, err := inference.ParseKVCache(kvCache); err != nil {
				return usageError(fmt.Errorf("--kv-cache: %w", err))
			}
			fa, err := inference.ParseFlashAttn(flashAttn)
			if err != nil {
				return usageError(fmt.Errorf("--flash-attn: %w", err))
			}
			llamaEnv := []string{"KV_CACHE=" + kvCacheName(kvCache), "FLASH_ATTN=off"}
			if fa {
				llamaEnv[1] = "FLASH_ATTN=on"
			}
			var bs []int
			if batches != "" {
				if bs, err = parseInts(batches); err != nil {
					return usageError(fmt.Errorf("--batches: %w", err))
				}
			}
			out := cmd.OutOrStdout()
			script, nodePath := llamaCppBench(llamaDir)
			if !asJSON {
				if script == "" {
					fmt.Fprintln(out, "(llama.cpp not installed: run scripts/llamacpp-install.sh from the repository for the comparison)")
				}
				fmt.Fprintf(out, "%-44s %2s  %9s  %9s  %9s %9s  %9s  %9s  %9s  %5s  %s\n", "MODEL", "TH", "PREFILL", "DECODE", "BATCH", "", "PEAK RSS", "CPP PRE", "CPP DEC", "RATIO", "CPP BATCH")
			}
			var rows []*inference.BenchResult
			for _, p := range strings.Split(presets, ",") {
				for _, q := range strings.Split(quants, ",") {
					path, _, err := inference.Cache{Dir: dir}.Synth(inference.SynthOptions{Preset: p, Quant: q, Seed: 1})
					if err != nil {
						return usageError(fmt.Errorf("synthesize %s %s: %w", p, q, err))
					}
					for _, t := range th {
						r, err := inference.Bench(cmd.Context(), inference.BenchOptions{Model: path, Threads: t, Device: device,
							Batches: bs, PromptTokens: promptN, DecodeTokens: decodeN, PrefillChunk: chunk, KVCache: kvCache, FlashAttn: flashAttn})
						if err != nil {
							return err
						}
						r.Model = p + "-" + q
						if script != "" {
							if o, err := runLlamaCpp(script, nodePath, path, t, llamaEnv); err == nil {
								r.LlamaCpp = o
								if o.DecodeTokS > 0 {
									r.Ratio = r.DecodeTokS / o.DecodeTokS
								}
								if err := runLlamaCppBatched(o, path, t, r.Batch, decodeN, llamaEnv); err != nil {
									fmt.Fprintf(cmd.ErrOrStderr(), "llama.cpp batched on %s: %v\n", r.Model, err)
								}
							} else {
								fmt.Fprintf(cmd.ErrOrStderr(), "llama.cpp on %s: %v\n", r.Model, err)
							}
						}
						rows = append(rows, r)
						if !asJSON {
							fmt.Fprintln(out, r)
							for _, b := range r.Batches {
								fmt.Fprintf(out, "  %s: batch %d decode %.0f tok/s\n", r.Device, b.Batch, b.TokS)
							}
						}
					}
				}
			}
			if asJSON {
				return printJSON(out, rows)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&presets, "preset", "stories15m", "synthetic model presets, comma-separated (stories15m, tinyllama1b)")
	f.StringVar(&quants, "quant", "q8_0,q4_0", "quantizations, comma-separated (f32, f16, q8_0, q4_0, q4_k, q5_k, q6_k, ...: tao model synth's)")
	f.StringVar(&threads, "threads", "1,2", "CPU thread counts, comma-separated")
	f.StringVar(&llamaDir, "llama-cpp", "build/llamacpp", "directory where scripts/llamacpp-install.sh put node-llama-cpp")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.StringVar(&device, "device", "cpu", "where the builtin engine runs: cpu, cuda (an NVIDIA GPU) or auto")
	f.StringVar(&kvCache, "kv-cache", "f16", "KV cache type of both engines: f16 (llama.cpp's default) or f32")
	f.StringVar(&flashAttn, "flash-attn", "on", "flash attention in both engines: on (llama.cpp's default) or off")
	f.StringVar(&batches, "batches", "", "extra concurrency levels to measure aggregate decode at, comma-separated (e.g. 1,8,32)")
	f.IntVar(&promptN, "prompt", 0, "prompt tokens of the prefill figure (default 128)")
	f.IntVar(&decodeN, "decode", 0, "tokens each request decodes (default 64)")
	f.IntVar(&chunk, "prefill-chunk", 0, "prompt tokens per engine step (default 256 on the CPU, 1024 on a GPU)")
	return c
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", p)
		}
		out = append(out, n)
	}
	return out, nil
}

// llamaCppBench finds scripts/llamacpp-bench.mjs and node-llama-cpp; empty
// when either is missing.
func llamaCppBench(dir string) (script, nodePath string) {
	nodePath = filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(nodePath, "node-llama-cpp")); err != nil {
		return "", ""
	}
	script = filepath.Join("scripts", "llamacpp-bench.mjs")
	if _, err := os.Stat(script); err != nil {
		return "", ""
	}
	if _, err := exec.LookPath("node"); err != nil {
		return "", ""
	}
	abs, _ := filepath.Abs(nodePath)
	return script, abs
}

// batchedScript is llama.cpp's batched decode through its C API, built
// with gcc against node-llama-cpp's libraries.
const batchedScript = "scripts/llamacpp-batched.sh"

// runLlamaCppBatched fills o's batch figures by batchedScript: batch
// sequences decoding steps tokens each (64 if 0), beside one. It does
// nothing where the script or gcc is missing.
func runLlamaCppBatched(o *inference.Other, model string, threads, batch, steps int, env []string) error {
	if _, err := os.Stat(batchedScript); err != nil {
		return nil
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		return nil
	}
	if steps == 0 {
		steps = 64
	}
	cmd := exec.Command("bash", batchedScript, model, strconv.Itoa(threads), strconv.Itoa(batch), strconv.Itoa(steps))
	cmd.Env = append(os.Environ(), env...)
	b, err := cmd.Output()
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var got struct {
		Decode float64 `json:"decode_tok_s"`
		Batch  float64 `json:"batch_tok_s"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		return fmt.Errorf("llama.cpp batched output: %w", err)
	}
	o.BatchTokS = got.Batch
	if got.Decode > 0 {
		o.BatchSpeedup = got.Batch / got.Decode
	}
	return nil
}

func runLlamaCpp(script, nodePath, model string, threads int, env []string) (*inference.Other, error) {
	cmd := exec.Command("node", script, model, strconv.Itoa(threads))
	cmd.Env = append(append(os.Environ(), "NODE_PATH="+nodePath), env...)
	b, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var o inference.Other
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &o); err != nil {
		return nil, fmt.Errorf("llama.cpp bench output: %w", err)
	}
	return &o, nil
}

// kvCacheName is the KV cache type that --kv-cache names (f16 or f32), for
// the llama.cpp scripts' KV_CACHE (their FLASH_ATTN follows --flash-attn).
func kvCacheName(s string) string {
	if t, err := inference.ParseKVCache(s); err == nil && t == gguf.F32 {
		return "f32"
	}
	return "f16"
}
