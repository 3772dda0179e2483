package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/taonet/tao/inference"
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
