package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/synth"
)

// modelCacheDir is $TAO_HOME/models, else ~/.tao/models.
func modelCacheDir() (string, error) {
	if h := os.Getenv("TAO_HOME"); h != "" {
		return filepath.Join(h, "models"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory: set TAO_HOME (%w)", err)
	}
	return filepath.Join(home, ".tao", "models"), nil
}

func newModelCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "model",
		Short: "Manage local models (GGUF files named by CID)",
	}
	c.AddCommand(newModelSynthCmd())
	return c
}

func newModelSynthCmd() *cobra.Command {
	var (
		o       inference.SynthOptions
		out     string
		cache   string
		jsonOut bool
	)
	c := &cobra.Command{
		Use:   "synth",
		Short: "Write a synthetic llama model (real architecture and tokenizer, seeded random weights)",
		Long: `Write a synthetic llama-family GGUF model: a real architecture (stories15m:
dim 288, 6 layers; tinyllama1b: dim 2048, 22 layers, 4 KV heads), Mistral-7B's
real 32,000-token SentencePiece tokenizer (stories15m-llama3: Llama 3's 128k
BPE), and random weights drawn deterministically from --seed.

THE WEIGHTS ARE NOT TRAINED: text generated with these models is meaningless.
They exist because no registry reachable from tao's build machines ships
pretrained weights; the same flags always give the same bytes (the same CID),
so tests, the devnet and llama.cpp parity checks share one model.

The model is stored in the model cache ($TAO_HOME/models or ~/.tao/models) as
CID.gguf, and also copied to --out if given. Prints the path and the CID.`,
		Example: `  tao model synth --preset stories15m --quant q8_0 --seed 1 --out stories15m.gguf`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := synth.LookupPreset(o.Preset); err != nil {
				return usageError(err)
			}
			switch o.Quant {
			case "f32", "f16", "q8_0", "q4_0":
			default:
				return usageError(fmt.Errorf("synth: unsupported --quant %q (want f32, f16, q8_0 or q4_0)", o.Quant))
			}
			if cache == "" {
				var err error
				if cache, err = modelCacheDir(); err != nil {
					return err
				}
			}
			path, id, err := inference.Cache{Dir: cache}.Synth(o)
			if err != nil {
				return err
			}
			if out != "" {
				if err := inference.CopyFile(out, path); err != nil {
					return err
				}
				path = out
			}
			w := cmd.OutOrStdout()
			if jsonOut {
				return jsonLine(w, map[string]string{"path": path, "cid": id.String()})
			}
			fmt.Fprintf(w, "%s\n%s\n", path, id)
			fmt.Fprintln(cmd.ErrOrStderr(), "note: synthetic model with random weights; its text is meaningless")
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Preset, "preset", "stories15m", fmt.Sprintf("architecture: %v", synth.PresetNames()))
	f.StringVar(&o.Quant, "quant", "q8_0", "matrix type: f32, f16, q8_0 or q4_0")
	f.Uint64Var(&o.Seed, "seed", 1, "weight seed")
	f.StringVar(&out, "out", "", "also write the model to `FILE`")
	f.StringVar(&cache, "cache-dir", "", "model cache `DIR` (default $TAO_HOME/models or ~/.tao/models)")
	f.BoolVar(&jsonOut, "json", false, "print {\"path\", \"cid\"} as JSON")
	return c
}

// jsonLine writes v as one line of JSON.
func jsonLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
