package inference

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/inference/llama"
)

// ModelSummary describes a GGUF model file (tao model info).
type ModelSummary struct {
	Path       string `json:"path"`
	CID        string `json:"cid"`
	Bytes      int64  `json:"bytes"`
	Name       string `json:"name,omitempty"`
	Arch       string `json:"arch"`
	Layers     int    `json:"layers"`
	Dim        int    `json:"dim"`
	Heads      int    `json:"heads"`
	KVHeads    int    `json:"kv_heads"`
	FFN        int    `json:"ffn"`
	Vocab      int    `json:"vocab"`
	Context    int    `json:"context"`
	Tokenizer  string `json:"tokenizer"`
	TensorType string `json:"tensor_types"` // e.g. "q8_0×43, f32×13"
	Synthetic  bool   `json:"synthetic"`    // written by tao model synth: random weights
}

// Describe maps path (read-only), checks it is a model the builtin engine
// can run, and summarises it. The CID is computed over the whole file.
func Describe(path string) (*ModelSummary, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	m, err := llama.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadModel, err)
	}
	defer m.Close()
	c, err := FileCID(path)
	if err != nil {
		return nil, err
	}
	s := &ModelSummary{
		Path: path, CID: c.String(), Bytes: st.Size(), Arch: m.Arch, Layers: m.Layers, Dim: m.Dim,
		Heads: m.Heads, KVHeads: m.KVHeads, FFN: m.FFN, Vocab: m.Vocab, Context: m.Ctx,
	}
	s.Name, _ = m.File.String("general.name")
	s.Tokenizer, _ = m.File.String("tokenizer.ggml.model")
	if strings.HasPrefix(s.Name, "tao-synthetic-") {
		s.Synthetic = true
	}
	counts := map[string]int{}
	for _, t := range m.File.Tensors {
		counts[strings.ToLower(t.Type.String())]++
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s×%d", k, n))
	}
	sort.Strings(parts)
	s.TensorType = strings.Join(parts, ", ")
	return s, nil
}

// CachedModel is one file of the model cache.
type CachedModel struct {
	CID      string    `json:"cid"`
	Path     string    `json:"path"`
	Bytes    int64     `json:"bytes"`
	Modified time.Time `json:"modified"`
}

// List returns the cache's models (files named <CID>.gguf), newest first.
// A missing cache directory is an empty cache.
func (c Cache) List() ([]CachedModel, error) {
	ents, err := os.ReadDir(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []CachedModel
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".gguf")
		if !ok || e.IsDir() {
			continue
		}
		if _, err := cid.Decode(name); err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, CachedModel{CID: name, Path: filepath.Join(c.Dir, e.Name()), Bytes: info.Size(), Modified: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Modified.After(out[j].Modified) })
	return out, nil
}
