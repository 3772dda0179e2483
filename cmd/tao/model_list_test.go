package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/safetensors"
)

func TestModelListAndInfo(t *testing.T) {
	t.Setenv("TAO_HOME", t.TempDir())
	var out, errOut bytes.Buffer
	if code := runIO([]string{"model", "synth", "--preset", "stories15m", "--quant", "q8_0", "--seed", "3"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	if code := runIO([]string{"model", "list", "--json"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut.String())
	}
	var list []inference.CachedModel
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list) != 1 {
		t.Fatalf("list = %s (%v)", out.String(), err)
	}
	out.Reset()
	if code := runIO([]string{"model", "info", "--json", list[0].CID}, nil, &out, &errOut); code != 0 {
		t.Fatalf("info: exit %d: %s", code, errOut.String())
	}
	var s inference.ModelSummary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil || s.CID != list[0].CID || s.Layers != 6 || !s.Synthetic {
		t.Fatalf("info = %s (%v)", out.String(), err)
	}
	errOut.Reset()
	if code := runIO([]string{"model", "info", "nope.gguf"}, nil, &out, &errOut); code != 2 || !strings.HasPrefix(errOut.String(), "model info: ") {
		t.Fatalf("info of a missing file: exit %d, %q", code, errOut.String())
	}
}

func TestModelExport(t *testing.T) {
	t.Setenv("TAO_HOME", t.TempDir())
	var out, errOut bytes.Buffer
	if code := runIO([]string{"model", "synth", "--preset", "stories15m", "--quant", "bf16", "--json"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errOut.String())
	}
	var synth struct{ CID string }
	if err := json.Unmarshal(out.Bytes(), &synth); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "hf")
	out.Reset()
	if code := runIO([]string{"model", "export", synth.CID, "--safetensors", "--out", dir}, nil, &out, &errOut); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if tt, ok := f.Tensor("lm_head.weight"); !ok || tt.DType != "BF16" || tt.Shape[0] != 32000 {
		t.Fatalf("lm_head: %+v", tt)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil || !strings.Contains(string(cfg), `"torch_dtype": "bfloat16"`) {
		t.Fatalf("config.json: %s (%v)", cfg, err)
	}
	for _, args := range [][]string{
		{"model", "export", synth.CID, "--out", dir},                                     // no format
		{"model", "export", synth.CID, "--safetensors"},                                  // no --out
		{"model", "export", "nope.gguf", "--safetensors", "--out", dir},                  // no file
		{"model", "export", synth.CID, "--safetensors", "--out", dir, "--dtype", "int4"}, // bad type
	} {
		errOut.Reset()
		if code := runIO(args, nil, &out, &errOut); code != 2 || !strings.HasPrefix(errOut.String(), "model export: ") {
			t.Errorf("%v: exit %d, %q", args, code, errOut.String())
		}
	}
}
