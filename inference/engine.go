package inference

import (
	"context"
	"errors"
	"time"

	"github.com/ipfs/go-cid"
)

// Engine generates and scores text with one model. Implementations are safe
// for concurrent use; every method honours ctx cancellation.
type Engine interface {
	// Info describes the model served.
	Info() ModelInfo
	// Generate runs req, calling emit for each generated token in order
	// (on the caller's goroutine) and returning the whole result. An error
	// from emit stops generation and is returned.
	Generate(ctx context.Context, req Request, emit func(Token) error) (Result, error)
	// Score returns log P(tokens[i] | prompt, tokens[:i]) for each i: the
	// teacher-forced log-probabilities of a completion. prompt should
	// include BOS if the model uses one.
	Score(ctx context.Context, prompt, tokens []int32) ([]float32, error)
	// Close releases the model. Calls after Close fail.
	Close() error
}

// ModelInfo describes a model.
type ModelInfo struct {
	Name string
	// CID names the weights file (CIDv1, raw, sha2-256 of its bytes);
	// cid.Undef when the engine cannot know it (an upstream server).
	CID           cid.Cid
	ContextLength int
	VocabSize     int
	BOS, EOS      int32 // -1 if none
}

// Message is one turn of a chat.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// Sampling selects how the next token is drawn. The zero value is greedy.
type Sampling struct {
	// Temperature <= 0 picks the most likely token (greedy).
	Temperature float32
	TopK        int     // keep the K most likely tokens; 0: all
	TopP        float32 // keep the smallest set with mass >= TopP; 0 or 1: all
	// RepeatPenalty > 1 penalises tokens among the last RepeatLastN (0:
	// 64) of prompt and output, as llama.cpp does; 0 or 1: off.
	RepeatPenalty float32
	RepeatLastN   int
	// Seed makes sampling reproducible: the same request and seed give the
	// same tokens.
	Seed uint64
}

// Request is one generation. Exactly one of Prompt, Messages and
// PromptTokens is used, in that order of preference.
type Request struct {
	// Prompt is raw text, tokenized with BOS when the model adds one;
	// control-token text (e.g. "</s>") becomes that token, as in
	// llama.cpp's server.
	Prompt string
	// Messages are formatted with the model's chat template.
	Messages []Message
	// PromptTokens are used as given.
	PromptTokens []int32
	// MaxTokens bounds the output; 0 means up to the context length.
	MaxTokens int
	Sampling  Sampling
	// Stop ends generation when the text contains one of these strings;
	// the stop string is not returned.
	Stop []string
}

// Token is one generated token as streamed.
type Token struct {
	ID int32
	// Text released with this token: its piece, less any bytes held back
	// because they may start a stop string or an incomplete UTF-8
	// character (released with a later token).
	Text string
	// Logprob is log P(ID) under the model, before sampling transforms.
	Logprob float32
}

// FinishReason says why generation ended.
type FinishReason string

// Finish reasons, named as in the OpenAI API.
const (
	FinishStop   FinishReason = "stop"   // end-of-generation token or stop string
	FinishLength FinishReason = "length" // MaxTokens or context exhausted
)

// Result is a finished generation.
type Result struct {
	PromptTokens []int32
	Tokens       []int32
	Text         string
	Finish       FinishReason
	// Prefill is the time to evaluate the prompt; Decode the time for the
	// remaining tokens.
	Prefill, Decode time.Duration
}

// Errors.
var (
	// ErrBadModel marks a model file that is not a GGUF model the engine
	// can run; the message says why.
	ErrBadModel = errors.New("inference: bad model file")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("inference: engine closed")
	// ErrContext is returned when a request does not fit the context.
	ErrContext = errors.New("inference: request exceeds the model's context length")
	// ErrToken is returned for a token id outside the model's vocabulary
	// (a prompt given as ids, or tokens to score).
	ErrToken = errors.New("inference: token id outside the model's vocabulary")
)
