package tokenizer

import (
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
)

// Token types, as llama.cpp's llama_token_type.
const (
	TypeNormal      = 1
	TypeUnknown     = 2
	TypeControl     = 3
	TypeUserDefined = 4
	TypeUnused      = 5
	TypeByte        = 6
)

// Vocab is a vocabulary as GGUF stores it under tokenizer.ggml.*.
type Vocab struct {
	Name   string    `json:"name"`
	Model  string    `json:"model"` // "llama" (SentencePiece) or "gpt2" (byte-level BPE)
	Pre    string    `json:"pre"`   // pre-tokenizer for "gpt2", e.g. "llama-bpe"
	Tokens []string  `json:"tokens"`
	Scores []float32 `json:"scores"` // "llama" only
	Types  []int32   `json:"types"`
	Merges []string  `json:"merges"` // "gpt2" only, "left right" in rank order
	BOS    int32     `json:"bos"`
	EOS    int32     `json:"eos"`
	UNK    int32     `json:"unk"` // -1 if none
	AddBOS bool      `json:"add_bos"`
	AddEOS bool      `json:"add_eos"`
	// EOT holds tokenizer.ggml.eot_token_id and eom_token_id when the
	// file sets them: more ids that end generation.
	EOT []int32 `json:"-"`
	// NoSpacePrefix turns off SentencePiece's space before the text and
	// after each special token (tokenizer.ggml.add_space_prefix = false).
	NoSpacePrefix bool `json:"no_space_prefix,omitempty"`
	// ChatTemplate is the Jinja template from tokenizer_config.json, empty
	// if the model has none.
	ChatTemplate string `json:"chat_template"`
	License      string `json:"license"`
}

//go:embed data/*.json.gz
var data embed.FS

// Builtin returns an embedded vocabulary: "llama2" or "llama3". Each call
// decodes a fresh copy.
func Builtin(name string) (*Vocab, error) {
	f, err := data.Open("data/" + name + ".json.gz")
	if err != nil {
		return nil, fmt.Errorf("tokenizer: no builtin vocabulary %q (want llama2 or llama3)", name)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: builtin %s: %w", name, err)
	}
	var v Vocab
	if err := json.NewDecoder(io.Reader(zr)).Decode(&v); err != nil {
		return nil, fmt.Errorf("tokenizer: builtin %s: %w", name, err)
	}
	if v.Model == "llama" && len(v.Scores) != len(v.Tokens) {
		return nil, fmt.Errorf("tokenizer: builtin %s: %d scores for %d tokens", name, len(v.Scores), len(v.Tokens))
	}
	return &v, nil
}
