package inference

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// GenerateOptions is one `tao generate` run.
type GenerateOptions struct {
	Model     string // path of a GGUF file
	Prompt    string
	Chat      bool // format Prompt as one user message with the chat template
	MaxTokens int
	Sampling  Sampling
	Stop      []string
	Threads   int         // 0: GOMAXPROCS
	Device    string      // BuiltinOptions.Device: cpu (""), cuda or auto
	KVCache   string      // BuiltinOptions.KVCache: f16 ("") or f32
	FlashAttn string      // BuiltinOptions.FlashAttn: on ("") or off
	OnToken   func(Token) // optional, called as tokens stream
}

// GenerateReport is the machine-readable result of `tao generate --json`;
// other tools parse it, so its fields and names are a contract.
type GenerateReport struct {
	Model        string  `json:"model"` // CID of the weights file
	PromptTokens []int32 `json:"prompt_tokens"`
	Tokens       []int32 `json:"tokens"`
	Text         string  `json:"text"`
	PrefillTokS  float64 `json:"prefill_tok_s"`
	DecodeTokS   float64 `json:"decode_tok_s"`
}

// RunGenerate opens the model, generates once and closes it. Errors about
// the model file wrap ErrBadModel (or are *fs.PathError for a missing
// file).
func RunGenerate(ctx context.Context, o GenerateOptions) (*GenerateReport, error) {
	if _, err := os.Stat(o.Model); err != nil {
		return nil, err
	}
	eng, err := OpenBuiltin(o.Model, BuiltinOptions{Threads: o.Threads, Device: o.Device, KVCache: o.KVCache, FlashAttn: o.FlashAttn})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	req := Request{Prompt: o.Prompt, MaxTokens: o.MaxTokens, Sampling: o.Sampling, Stop: o.Stop}
	if o.Chat {
		req = Request{Messages: []Message{{Role: "user", Content: o.Prompt}}, MaxTokens: o.MaxTokens, Sampling: o.Sampling, Stop: o.Stop}
	}
	if req.Prompt == "" && len(req.Messages) == 0 {
		return nil, errors.New("inference: empty prompt")
	}
	res, err := eng.Generate(ctx, req, func(t Token) error {
		if o.OnToken != nil {
			o.OnToken(t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	rep := &GenerateReport{
		Model:        eng.Info().CID.String(),
		PromptTokens: append([]int32{}, res.PromptTokens...),
		Tokens:       append([]int32{}, res.Tokens...),
		Text:         res.Text,
		PrefillTokS:  TokensPerSecond(len(res.PromptTokens), res.Prefill),
		DecodeTokS:   TokensPerSecond(max(len(res.Tokens)-1, 0), res.Decode),
	}
	return rep, nil
}
