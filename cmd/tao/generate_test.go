package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateContract runs `tao model synth` and `tao generate --json` as a
// user would and checks the JSON contract other tools rely on.
func TestGenerateContract(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TAO_HOME", home)
	model := filepath.Join(t.TempDir(), "m.gguf")
	code, out, errOut := runWallet(t, "", "model", "synth", "--preset", "stories15m", "--quant", "q4_0", "--seed", "1", "--out", model)
	if code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errOut)
	}
	lines := strings.Fields(out)
	if len(lines) != 2 || lines[0] != model {
		t.Fatalf("synth printed %q", out)
	}
	if _, err := os.Stat(filepath.Join(home, "models", lines[1]+".gguf")); err != nil {
		t.Errorf("model not in cache: %v", err)
	}
	code, out, errOut = runWallet(t, "", "generate", "--model", model, "--max-tokens", "5", "--temperature", "0", "--json", "Once upon a time")
	if code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	var rep struct {
		Model        string   `json:"model"`
		PromptTokens []int32  `json:"prompt_tokens"`
		Tokens       []int32  `json:"tokens"`
		Text         *string  `json:"text"`
		PrefillTokS  *float64 `json:"prefill_tok_s"`
		DecodeTokS   *float64 `json:"decode_tok_s"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("stdout is not the JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("more than one JSON value on stdout: %q", out)
	}
	if rep.Model != lines[1] || len(rep.PromptTokens) == 0 || rep.PromptTokens[0] != 1 || len(rep.Tokens) != 5 || rep.Text == nil || rep.PrefillTokS == nil || rep.DecodeTokS == nil {
		t.Errorf("report %+v", rep)
	}
	// A cached model by CID.
	code, out, errOut = runWallet(t, "", "generate", "--model", lines[1], "--max-tokens", "5", "--temperature", "0", "--json", "Once upon a time")
	if code != 0 || !strings.Contains(out, `"tokens":`+fmtInts(rep.Tokens)) {
		t.Errorf("generate by CID: exit %d, %s %s", code, out, errOut)
	}
	// The defaults (flash attention, F16 cache) and both caches without
	// flash attention hold to llama.cpp's tokens with the same settings.
	for _, kv := range []struct{ flags, refs string }{
		{"", "llamacpp-stories15m-q4_0-seed1-fa.json"},
		{"--flash-attn off --kv-cache f16", "llamacpp-stories15m-q4_0-seed1-f16cache.json"},
		{"--flash-attn off --kv-cache f32", "llamacpp-stories15m-q4_0-seed1.json"},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "inference", "llama", "testdata", kv.refs))
		if err != nil {
			t.Fatal(err)
		}
		var refs struct {
			Cases []struct {
				Tokens []int32 `json:"tokens"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(b, &refs); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"generate", "--model", model}, strings.Fields(kv.flags)...)
		code, out, errOut = runWallet(t, "", append(args, "--max-tokens", "40", "--temperature", "0", "--json", "Once upon a time")...)
		if want := `"tokens":` + fmtInts(refs.Cases[0].Tokens[:40]); code != 0 || !strings.Contains(out, want) {
			t.Errorf("generate %s: exit %d, %s %s; want %s", kv.flags, code, out, errOut, want)
		}
	}
	code, _, errOut = runWallet(t, "", "generate", "--model", model, "--kv-cache", "q8_0", "x")
	if code != 2 || !strings.Contains(errOut, "want f16") {
		t.Errorf("--kv-cache q8_0: exit %d, %s", code, errOut)
	}
	code, _, errOut = runWallet(t, "", "generate", "--model", model, "--flash-attn", "maybe", "x")
	if code != 2 || !strings.Contains(errOut, "want on") {
		t.Errorf("--flash-attn maybe: exit %d, %s", code, errOut)
	}
	// Not a GGUF file: exit status 2 and a one-line error.
	bad := filepath.Join(t.TempDir(), "bad.gguf")
	os.WriteFile(bad, []byte("not a model"), 0o644)
	code, out, errOut = runWallet(t, "", "generate", "--model", bad, "--json", "x")
	if code != 2 || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
		t.Errorf("bad model: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func fmtInts(v []int32) string {
	b, _ := json.Marshal(v)
	return string(b)
}
