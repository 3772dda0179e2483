package inference

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/synth"
)

// Cache is a directory of models named <CID>.gguf. The zero value is not
// usable: Dir is required. Safe for concurrent use by several processes:
// files appear by atomic rename.
type Cache struct {
	Dir string
}

// Path is where the model named c lives in the cache.
func (c Cache) Path(id cid.Cid) string { return filepath.Join(c.Dir, id.String()+".gguf") }

// Put writes a model through write into the cache, naming it by the CID of
// the bytes written, and returns its path and CID.
func (c Cache) Put(write func(io.Writer) error) (string, cid.Cid, error) {
	if c.Dir == "" {
		return "", cid.Undef, errors.New("inference: cache directory not set")
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", cid.Undef, err
	}
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*.gguf")
	if err != nil {
		return "", cid.Undef, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, h), 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return "", cid.Undef, err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return "", cid.Undef, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", cid.Undef, err
	}
	if err := tmp.Close(); err != nil {
		return "", cid.Undef, err
	}
	id := cidFromDigest(h.Sum(nil))
	path := c.Path(id)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", cid.Undef, err
	}
	return path, id, nil
}

// SynthOptions selects a synthetic model; see package synth.
type SynthOptions struct {
	Preset string // a synth preset: "stories15m", "tinyllama1b", …
	Quant  string // a type of synth.Quants by name ("q8_0", "q4_k", …); "" means f32
	Seed   uint64
}

// DefaultSynth is the default model of the devnet and the tests: synthetic
// stories15m, Q8_0, seed 1 (meaningless text; see package synth).
func DefaultSynth() SynthOptions {
	return SynthOptions{Preset: "stories15m", Quant: "q8_0", Seed: 1}
}

// Synth writes the synthetic model o into the cache (a model already there
// is rewritten identically) and returns its path and CID. The weights are
// seeded random numbers: the model's text is meaningless.
func (c Cache) Synth(o SynthOptions) (string, cid.Cid, error) {
	q := gguf.F32
	if o.Quant != "" {
		var err error
		if q, err = gguf.ParseTensorType(o.Quant); err != nil {
			return "", cid.Undef, err
		}
	}
	if _, err := synth.LookupPreset(o.Preset); err != nil {
		return "", cid.Undef, err
	}
	return c.Put(func(w io.Writer) error {
		return synth.Write(w, synth.Options{Preset: o.Preset, Quant: q, Seed: o.Seed})
	})
}

// CopyFile copies the file at src to dst (for `--out`), via a temporary
// file and rename.
func CopyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
