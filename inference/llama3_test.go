package inference

import (
	"bytes"
	"context"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/synth"
)

// TestLlama3Vocabulary runs a synthetic model carrying Llama 3's BPE
// vocabulary end to end: BOS, the header chat format, generation, scoring.
func TestLlama3Vocabulary(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes a 40 MB model")
	}
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Preset: "stories15m-llama3", Quant: gguf.Q4_0, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	e, err := LoadBuiltin(buf.Bytes(), BuiltinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if info := e.Info(); info.VocabSize != 128256 || info.BOS != 128000 {
		t.Fatalf("info %+v", info)
	}
	res := generate(t, e, Request{Messages: []Message{{Role: "user", Content: "Hello"}}, MaxTokens: 4})
	want := "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
	var got string
	for _, id := range res.PromptTokens {
		got += e.Model().Tok.Vocab().Tokens[id]
	}
	got = string(bytes.ReplaceAll([]byte(got), []byte("ĊĊ"), []byte("\n\n")))
	if got != want {
		t.Errorf("chat prompt %q, want %q", got, want)
	}
	lps, err := e.Score(context.Background(), res.PromptTokens, res.Tokens)
	if err != nil || len(lps) != len(res.Tokens) {
		t.Fatalf("score: %v, %d log-probs", err, len(lps))
	}
}
