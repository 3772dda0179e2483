package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/gguf"
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
	c.AddCommand(newModelSynthCmd(), newModelPullCmd(), newModelListCmd(), newModelInfoCmd(), newModelExportCmd())
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
so tests, the devnet and llama.cpp parity checks share one model. To run a
real model, pull a trained GGUF (tao model pull hf://OWNER/REPO/FILE.gguf)
and give it to tao generate or tao miner --model, or point a miner at an
Ollama, vLLM or llama.cpp server that runs one (tao miner --engine openai).

The model is stored in the model cache ($TAO_HOME/models or ~/.tao/models) as
CID.gguf, and also copied to --out if given. Prints the path and the CID.`,
		Example: `  tao model synth --preset stories15m --quant q8_0 --seed 1 --out stories15m.gguf`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := synth.LookupPreset(o.Preset); err != nil {
				return usageError(err)
			}
			if q, err := gguf.ParseTensorType(o.Quant); err != nil || !slices.Contains(synth.Quants, q) {
				return usageError(fmt.Errorf("synth: unsupported --quant %q (want %s)", o.Quant, synthQuantNames()))
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
			fmt.Fprintln(cmd.ErrOrStderr(), "note: synthetic model with random weights; its text is meaningless. For a real model: tao model pull hf://OWNER/REPO/FILE.gguf")
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Preset, "preset", "stories15m", fmt.Sprintf("architecture: %v", synth.PresetNames()))
	f.StringVar(&o.Quant, "quant", "q8_0", "matrix type: "+synthQuantNames()+" (a K-quant falls back as llama.cpp's does, q5_0, q5_1 or q8_0, for matrices not a multiple of 256 wide)")
	f.Uint64Var(&o.Seed, "seed", 1, "weight seed")
	f.StringVar(&out, "out", "", "also write the model to `FILE`")
	f.StringVar(&cache, "cache-dir", "", "model cache `DIR` (default $TAO_HOME/models or ~/.tao/models)")
	f.BoolVar(&jsonOut, "json", false, "print {\"path\", \"cid\"} as JSON")
	return c
}

// synthQuantNames lists synth.Quants by their lower-case names.
func synthQuantNames() string {
	names := make([]string, len(synth.Quants))
	for i, q := range synth.Quants {
		names[i] = strings.ToLower(q.String())
	}
	return strings.Join(names, ", ")
}

// jsonLine writes v as one line of JSON.
func jsonLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func newModelPullCmd() *cobra.Command {
	var (
		want    string
		out     string
		cache   string
		jsonOut bool
	)
	c := &cobra.Command{
		Use:   "pull URL|FILE.gguf",
		Short: "Download a GGUF model over HTTP into the model cache (resumable, checked)",
		Long: `Download a GGUF model into the model cache ($TAO_HOME/models or ~/.tao/models),
named by the CID of its bytes. hf://OWNER/REPO[@REVISION]/FILE.gguf downloads
from the Hugging Face hub (or the mirror in $HF_ENDPOINT); a private or gated
repository (Llama's, for one) needs an access token in $HF_TOKEN, which is sent
to the hub only. An interrupted
download resumes where it stopped when the same URL is pulled again, if the
server's file is still the one it began with (If-Range with the ETag, else
Last-Modified, it sent); a changed file downloads from the start, and so does
a plain URL whose server sent neither header (the hub's checksum, or --cid,
lets such a download resume and catches a change). The file
is checked against the SHA-256 and size the hub lists for it (X-Linked-Etag,
X-Linked-Size), and a model already cached under them is not downloaded again.
Any other URL pulled before is asked whether its file changed since, with the
ETag (else Last-Modified) the server sent then (If-None-Match, else
If-Modified-Since): an unchanged file is not downloaded again, a changed one
is. A server that sends neither header, or ignores the question, sends the
whole file again; give --cid to skip the request when that model is cached.
With --cid the file must also match that CID. A proxy is read from HTTPS_PROXY.
On a machine without internet, copy the .gguf file over and pull its path: it
is copied into the cache.`,
		Example: `  tao model pull hf://TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF/tinyllama-1.1b-chat-v1.0.Q4_0.gguf
  HF_TOKEN=hf_... tao model pull hf://OWNER/GATED-REPO/model.Q4_K_M.gguf
  tao model pull https://example.org/stories15m-q8_0.gguf --cid bafkrei...
  tao model pull ./tinyllama-1.1b-chat-v1.0.Q4_0.gguf`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(fmt.Errorf("model pull takes one URL or file argument (got %d)", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var o inference.PullOptions
			if want != "" {
				id, err := cid.Decode(want)
				if err != nil {
					return usageError(fmt.Errorf("model pull: bad --cid: %w", err))
				}
				o.CID = id
			}
			if cache == "" {
				var err error
				if cache, err = modelCacheDir(); err != nil {
					return err
				}
			}
			var path string
			var id cid.Cid
			var cached bool // nothing downloaded
			if fi, err := os.Stat(args[0]); err == nil && !fi.IsDir() && !strings.Contains(args[0], "://") {
				if o.CID.Defined() { // checked before the cache holds it
					got, err := inference.FileCID(args[0])
					if err != nil {
						return err
					}
					if !got.Equals(o.CID) {
						return usageError(fmt.Errorf("model pull: %w: %s is %s, want %s: check --cid", inference.ErrCIDMismatch, args[0], got, o.CID))
					}
				}
				if path, id, err = (inference.Cache{Dir: cache}).Add(args[0]); err != nil {
					return usageError(fmt.Errorf("model pull: %w", err))
				}
			} else {
				if !strings.Contains(args[0], "://") {
					switch {
					case err == nil: // a directory
						return usageError(fmt.Errorf("model pull: %s is a directory: give a .gguf file in it, an http(s) URL or hf://OWNER/REPO/FILE.gguf", args[0]))
					case errors.Is(err, fs.ErrNotExist):
						return usageError(fmt.Errorf("model pull: no file %s: give an existing .gguf file, an http(s) URL or hf://OWNER/REPO/FILE.gguf", args[0]))
					}
					return usageError(fmt.Errorf("model pull: %w", err))
				}
				u, err := inference.ResolveModelURL(args[0])
				if err != nil {
					return usageError(err)
				}
				o.URL, o.Token = u, inference.HubToken(u)
				bar := newProgressBar(cmd.ErrOrStderr())
				o.Progress = bar.update
				o.Log = warnLogger(cmd.ErrOrStderr())
				// Ctrl-C ends the download cleanly: the progress line
				// closed, the partial file kept, and the error says how
				// to resume.
				ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
				res, err := inference.Cache{Dir: cache}.Pull(ctx, o)
				stop()
				bar.finish()
				if err != nil {
					return err
				}
				path, id, cached = res.Path, res.CID, res.Cached
				if cached {
					fmt.Fprintf(cmd.ErrOrStderr(), "already cached: %s is %s at %s (not downloaded again)\n", args[0], id, path)
				}
			}
			if out != "" {
				if err := inference.CopyFile(out, path); err != nil {
					return err
				}
				path = out
			}
			if jsonOut {
				return jsonLine(cmd.OutOrStdout(), map[string]any{"path": path, "cid": id.String(), "cached": cached})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s\n", path, id)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&want, "cid", "", "expected `CID` of the model file")
	f.StringVar(&out, "out", "", "also write the model to `FILE`")
	f.StringVar(&cache, "cache-dir", "", "model cache `DIR` (default $TAO_HOME/models or ~/.tao/models)")
	f.BoolVar(&jsonOut, "json", false, "print {\"path\", \"cid\", \"cached\"} as JSON (cached: nothing was downloaded)")
	return c
}

// warnLogger writes warnings and errors to w as text lines, without the
// time (a command's output, not a log file).
func warnLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// progressBar draws download progress on one terminal line.
type progressBar struct {
	w     io.Writer
	start time.Time
	last  time.Time
	drawn bool
	base  int64 // bytes already there at the first update (a resumed download)
	based bool
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w, start: time.Now()} }

func (p *progressBar) update(done, total int64) {
	now := time.Now()
	if !p.based {
		p.base, p.based = done, true
	}
	if now.Sub(p.last) < 200*time.Millisecond && done != total {
		return
	}
	p.last = now
	const mib = 1 << 20
	rate := float64(done-p.base) / mib / max(now.Sub(p.start).Seconds(), 1e-3)
	if total > 0 {
		const width = 30
		n := int(done * width / total)
		fmt.Fprintf(p.w, "\r[%s%s] %6.1f / %.1f MiB %5.1f MiB/s", strings.Repeat("=", n), strings.Repeat(" ", width-n),
			float64(done)/mib, float64(total)/mib, rate)
	} else {
		fmt.Fprintf(p.w, "\r%6.1f MiB %5.1f MiB/s", float64(done)/mib, rate)
	}
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
