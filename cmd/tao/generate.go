package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
)

func newGenerateCmd() *cobra.Command {
	var (
		o        inference.GenerateOptions
		jsonOut  bool
		quiet    bool
		stopSeqs []string
	)
	c := &cobra.Command{
		Use:   "generate [flags] PROMPT",
		Short: "Generate text from a GGUF model with the builtin CPU engine",
		Long: `Generate text from a local llama-family GGUF model with tao's builtin engine.

With --json, prints exactly one JSON object on stdout:
  {"model": CID, "prompt_tokens": [...], "tokens": [...], "text": "...",
   "prefill_tok_s": x, "decode_tok_s": y}
prompt_tokens include BOS when the model adds one. Otherwise the text streams
to stdout and speeds go to stderr.

Synthetic models from 'tao model synth' have random weights: their text is
meaningless, by design. For real text, pull a trained GGUF model
(tao model pull hf://OWNER/REPO/FILE.gguf) and give its path or CID.`,
		Example: `  tao model synth --preset stories15m --quant q8_0 --seed 1 --out model.gguf
  tao generate --model model.gguf --max-tokens 32 --temperature 0 --json "Once upon a time"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(fmt.Errorf("generate takes one PROMPT argument (got %d); quote it", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Prompt = args[0]
			if o.Model == "" {
				return usageError(errors.New("generate: --model FILE.gguf is required"))
			}
			if o.Prompt == "" && !o.Chat {
				return usageError(errors.New(`generate: the PROMPT is empty: give some text, e.g. "Once upon a time"`))
			}
			if o.MaxTokens < 0 {
				return usageError(fmt.Errorf("--max-tokens %d: want 0 (up to the context) or more", o.MaxTokens))
			}
			if o.Threads < 0 {
				return usageError(fmt.Errorf("--threads %d: want 0 (all cores) or more", o.Threads))
			}
			o.Stop = stopSeqs
			path, err := modelPathArg("generate", o.Model) // a file, or a CID in the cache
			if err != nil {
				return err
			}
			o.Model = path
			if _, err := inference.ParseKVCache(o.KVCache); err != nil {
				return usageError(fmt.Errorf("--kv-cache: %w", err))
			}
			if _, err := inference.ParseFlashAttn(o.FlashAttn); err != nil {
				return usageError(fmt.Errorf("--flash-attn: %w", err))
			}
			if _, err := inference.ParseDevice(o.Device); err != nil {
				return usageError(fmt.Errorf("--device: %w", err))
			}
			out := cmd.OutOrStdout()
			if !jsonOut {
				o.OnToken = func(t inference.Token) { fmt.Fprint(out, t.Text) }
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			rep, err := inference.RunGenerate(ctx, o)
			if err != nil {
				if errors.Is(err, inference.ErrBadModel) {
					return badModelError("generate", err)
				}
				return err
			}
			if jsonOut {
				return jsonLine(out, rep)
			}
			fmt.Fprintln(out)
			if !quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "model %s: %d prompt tokens at %.1f tok/s, %d tokens at %.1f tok/s\n",
					rep.Model, len(rep.PromptTokens), rep.PrefillTokS, len(rep.Tokens), rep.DecodeTokS)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Model, "model", "", "GGUF model `FILE`, or the CID of a cached model (required)")
	f.IntVar(&o.MaxTokens, "max-tokens", 128, "most tokens to generate (0: up to the context)")
	f.Float32Var(&o.Sampling.Temperature, "temperature", 0.8, "sampling temperature; 0 is greedy")
	f.IntVar(&o.Sampling.TopK, "top-k", 40, "sample among the K most likely tokens (0: all)")
	f.Float32Var(&o.Sampling.TopP, "top-p", 0.95, "nucleus sampling mass (1: off)")
	f.Float32Var(&o.Sampling.RepeatPenalty, "repeat-penalty", 1, "penalty for recently seen tokens (1: off)")
	f.Uint64Var(&o.Sampling.Seed, "seed", 0, "sampling seed: the same seed gives the same text")
	f.StringArrayVar(&stopSeqs, "stop", nil, "stop when the text contains `STRING` (repeatable)")
	f.IntVar(&o.Threads, "threads", 0, "CPU threads (0: all cores)")
	f.StringVar(&o.Device, "device", "cpu", "where the model runs: cpu, cuda (an NVIDIA GPU) or auto")
	f.StringVar(&o.KVCache, "kv-cache", "f16", "KV cache type on the CPU with --flash-attn off: f16 (llama.cpp's default) or f32 (twice the memory; llama.cpp's --cache-type-k/v f32); flash attention computes in f16 either way, as llama.cpp's")
	f.StringVar(&o.FlashAttn, "flash-attn", "on", "attention as llama.cpp computes it with flash attention on (its default; an F16 cache) or off (llama.cpp's -fa off)")
	f.BoolVar(&o.Chat, "chat", false, "wrap PROMPT as a user message in the model's chat template")
	f.BoolVar(&jsonOut, "json", false, "print one JSON object instead of streaming text")
	f.BoolVarP(&quiet, "quiet", "q", false, "do not print speeds to stderr")
	return c
}

// oneLine flattens an error message to one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
