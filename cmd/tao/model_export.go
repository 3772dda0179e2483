package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/llama"
)

// modelPathArg resolves a model argument, a GGUF file or the CID of a model
// in the cache, to a path; a missing file or a directory is a usage error
// that says what to give instead. name prefixes the error ("generate").
func modelPathArg(name, arg string) (string, error) {
	path := arg
	fi, err := os.Stat(arg)
	if errors.Is(err, fs.ErrNotExist) {
		id, cerr := cid.Decode(arg)
		if cerr != nil {
			return "", usageError(fmt.Errorf("%s: no file %s: give a GGUF file, or the CID of a model in `tao model list` (get one with `tao model pull URL`)", name, arg))
		}
		dir, derr := modelCacheDir()
		if derr != nil {
			return "", derr
		}
		path = inference.Cache{Dir: dir}.Path(id)
		if fi, err = os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return "", usageError(fmt.Errorf("%s: model %s is not in the model cache %s: download it with `tao model pull URL --cid %s`, or see `tao model list`", name, id, dir, id))
		}
	}
	if err != nil {
		return "", usageError(fmt.Errorf("%s: %w", name, err))
	}
	if fi.IsDir() {
		return "", usageError(fmt.Errorf("%s: %s is a directory: give a GGUF file (FILE.gguf), or the CID of a model in `tao model list`", name, arg))
	}
	return path, nil
}

// badModelError is the one-line usage error for a file that is not a usable
// GGUF model (inference.ErrBadModel).
func badModelError(name string, err error) error {
	return usageError(fmt.Errorf("%s: %s: give a llama-family GGUF file (`tao model pull URL` downloads one)", name, oneLine(err)))
}

func newModelExportCmd() *cobra.Command {
	var (
		out, dtype  string
		safeTensors bool
	)
	c := &cobra.Command{
		Use:   "export FILE.gguf|CID --safetensors --out DIR",
		Short: "Write a GGUF model as a Hugging Face checkpoint (config.json, model.safetensors)",
		Long: `Export writes a llama-architecture GGUF model as a Hugging Face checkpoint
that transformers' LlamaForCausalLM (or vLLM) loads with from_pretrained:
DIR/config.json and DIR/model.safetensors, tensors under transformers'
names, q and k rows put back in Hugging Face's rotary order. Quantized
weights are dequantized; --dtype chooses the type (default: f16 and bf16
files keep theirs, anything else becomes f32). The tokenizer is not
exported: pass token ids, or use the original model's tokenizer files.`,
		Example: `  tao model synth --preset tinyllama1b --quant bf16 --out tl.gguf
  tao model export tl.gguf --safetensors --out tl-hf/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !safeTensors {
				return usageError(errors.New("model export: say which format: --safetensors (the only one so far)"))
			}
			if out == "" {
				return usageError(errors.New("model export: --out DIR is required"))
			}
			switch dtype {
			case "", "bf16", "f16", "f32":
			default:
				return usageError(fmt.Errorf("model export: --dtype %q: want bf16, f16 or f32", dtype))
			}
			path, err := modelPathArg("model export", args[0])
			if err != nil {
				return err
			}
			m, err := llama.Open(path)
			if err != nil {
				return badModelError("model export", err)
			}
			defer m.Close()
			bar := newProgressBar(cmd.ErrOrStderr())
			err = m.ExportSafetensors(out, llama.ExportOptions{DType: dtype, Progress: bar.update})
			bar.finish()
			if err != nil {
				return fmt.Errorf("model export: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), filepath.Join(out, "model.safetensors"))
			return nil
		},
	}
	f := c.Flags()
	f.BoolVar(&safeTensors, "safetensors", false, "write safetensors with a Hugging Face config.json")
	f.StringVar(&out, "out", "", "output `DIR` (created)")
	f.StringVar(&dtype, "dtype", "", "weights' type: bf16, f16 or f32 (default: the file's f16/bf16, else f32)")
	return c
}
