package inference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
)

// UpstreamOptions configures an engine that forwards to an
// OpenAI-compatible server (vLLM, llama.cpp server, Ollama).
type UpstreamOptions struct {
	// BaseURL is the API root including /v1, e.g. http://127.0.0.1:8000/v1.
	BaseURL string
	// Model is the model name the server knows.
	Model string
	// APIKey, if set, is sent as a bearer token.
	APIKey string
	// Client sends the requests; nil means a client with no overall
	// timeout (streams are bounded by the request context).
	Client *http.Client
	// ContextLength is reported by Info; 0 if unknown.
	ContextLength int
	// CID names the weights the server runs, if the operator knows them.
	CID cid.Cid
}

// Upstream is an Engine backed by an OpenAI-compatible HTTP server.
// Requests with Messages use /chat/completions; Prompt and PromptTokens use
// /completions. Both stream server-sent events. Token IDs are not part of
// the OpenAI API, so streamed Tokens carry ID -1. Safe for concurrent use.
type Upstream struct {
	o UpstreamOptions
}

var _ Engine = (*Upstream)(nil)

// ErrUpstream wraps errors reported by the upstream server.
var ErrUpstream = errors.New("inference: upstream error")

// NewUpstream validates o; it contacts nothing.
func NewUpstream(o UpstreamOptions) (*Upstream, error) {
	if o.BaseURL == "" || o.Model == "" {
		return nil, errors.New("inference: upstream needs a base URL and a model name")
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	return &Upstream{o: o}, nil
}

// Info implements Engine.
func (u *Upstream) Info() ModelInfo {
	return ModelInfo{Name: u.o.Model, CID: u.o.CID, ContextLength: u.o.ContextLength, BOS: -1, EOS: -1}
}

// Close implements Engine; there is nothing to release.
func (u *Upstream) Close() error { return nil }

// Generate implements Engine.
func (u *Upstream) Generate(ctx context.Context, req Request, emit func(Token) error) (Result, error) {
	body := map[string]any{
		"model":  u.o.Model,
		"stream": true,
	}
	if req.MaxTokens > 0 {
		body["max_tokens"] = req.MaxTokens
	}
	body["temperature"] = req.Sampling.Temperature
	if p := req.Sampling.TopP; p > 0 && p < 1 {
		body["top_p"] = p
	}
	if req.Sampling.TopK > 0 {
		body["top_k"] = req.Sampling.TopK // vLLM, llama.cpp and Ollama accept it
	}
	if req.Sampling.RepeatPenalty > 0 && req.Sampling.RepeatPenalty != 1 {
		body["repetition_penalty"] = req.Sampling.RepeatPenalty
	}
	body["seed"] = req.Sampling.Seed
	if len(req.Stop) > 0 {
		body["stop"] = req.Stop
	}
	path := "/completions"
	switch {
	case req.Prompt != "":
		body["prompt"] = req.Prompt
	case len(req.Messages) > 0:
		path = "/chat/completions"
		body["messages"] = req.Messages
	case len(req.PromptTokens) > 0:
		body["prompt"] = req.PromptTokens
	default:
		return Result{}, errors.New("inference: empty prompt")
	}
	start := time.Now()
	resp, err := u.post(ctx, path, body)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	var res Result
	var text strings.Builder
	var first time.Time
	err = readSSE(resp.Body, func(data []byte) error {
		var ch streamChunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return fmt.Errorf("%w: bad stream chunk: %v", ErrUpstream, err)
		}
		if ch.Error != nil {
			return fmt.Errorf("%w: %s", ErrUpstream, ch.Error.Message)
		}
		if len(ch.Choices) == 0 {
			return nil
		}
		c := ch.Choices[0]
		piece := c.Text
		if c.Delta != nil {
			piece = c.Delta.Content
		}
		if piece != "" {
			if first.IsZero() {
				first = time.Now()
			}
			text.WriteString(piece)
			if err := emit(Token{ID: -1, Text: piece}); err != nil {
				return err
			}
		}
		if c.FinishReason != nil && *c.FinishReason != "" {
			res.Finish = FinishReason(*c.FinishReason)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if first.IsZero() {
		first = time.Now()
	}
	res.Text = text.String()
	res.Prefill, res.Decode = first.Sub(start), time.Since(first)
	return res, nil
}

// Score implements Engine with the legacy completions API's echo and
// logprobs (vLLM and llama.cpp's server support it for token prompts):
// the server returns the log-probability of every prompt token.
func (u *Upstream) Score(ctx context.Context, prompt, tokens []int32) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	all := append(append([]int32(nil), prompt...), tokens...)
	resp, err := u.post(ctx, "/completions", map[string]any{
		"model": u.o.Model, "prompt": all, "max_tokens": 0, "echo": true, "logprobs": 0, "temperature": 0,
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct {
			Logprobs *struct {
				TokenLogprobs []*float32 `json:"token_logprobs"`
			} `json:"logprobs"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("%w: decode score response: %v", ErrUpstream, err)
	}
	if len(out.Choices) == 0 || out.Choices[0].Logprobs == nil || len(out.Choices[0].Logprobs.TokenLogprobs) < len(all) {
		return nil, fmt.Errorf("%w: server returned no prompt log-probabilities (echo with logprobs unsupported?)", ErrUpstream)
	}
	lp := out.Choices[0].Logprobs.TokenLogprobs[len(all)-len(tokens) : len(all)]
	res := make([]float32, len(lp))
	for i, p := range lp {
		if p == nil {
			return nil, fmt.Errorf("%w: missing log-probability for token %d", ErrUpstream, i)
		}
		res[i] = *p
	}
	return res, nil
}

func (u *Upstream) post(ctx context.Context, path string, body any) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, u.o.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	if u.o.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+u.o.APIKey)
	}
	resp, err := u.o.Client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s %s: %s: %s", ErrUpstream, hreq.Method, path, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

type streamChunk struct {
	Choices []struct {
		Text  string `json:"text"`
		Delta *struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}
