package synth

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/tokenizer"
)

func TestDeterministicAndLoadable(t *testing.T) {
	var a, b bytes.Buffer
	o := Options{Preset: "stories15m", Quant: gguf.Q4_0, Seed: 7}
	if err := Write(&a, o); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, o); err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Fatal("same options gave different bytes")
	}
	f, err := gguf.Decode(a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.Int("llama.embedding_length"); n != 288 {
		t.Errorf("embedding_length = %d", n)
	}
	if len(f.Tensors) != 3+9*6 {
		t.Errorf("%d tensors", len(f.Tensors))
	}
	v, err := tokenizer.VocabFromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tokens) != 32000 || v.BOS != 1 || v.EOS != 2 {
		t.Errorf("vocab: %d tokens, bos %d eos %d", len(v.Tokens), v.BOS, v.EOS)
	}
	o.Seed = 8
	var c bytes.Buffer
	if err := Write(&c, o); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("different seeds gave the same bytes")
	}
}
