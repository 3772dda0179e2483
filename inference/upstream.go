package inference

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

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
	// timeout. HeaderTimeout and IdleTimeout apply to any client.
	Client *http.Client
	// HeaderTimeout bounds the wait from sending a request to the reply's
	// headers, connecting included; a server that queues the request or
	// loads the model before answering spends it here, and a score
	// reply's whole computation too. 0: DefaultUpstreamHeaderTimeout;
	// negative: no limit.
	HeaderTimeout time.Duration
	// IdleTimeout bounds each wait for more of a reply's body: before the
	// first streamed event and between two, or for a score reply's body.
	// A whole generation has no limit but the request's context, so long
	// answers are not cut. 0: DefaultUpstreamIdleTimeout; negative: no
	// limit.
	IdleTimeout time.Duration
	// ContextLength is reported by Info; 0 if unknown.
	ContextLength int
	// CID names the weights the server runs, if the operator knows them.
	CID cid.Cid
}

// Default timeouts of an Upstream. They match the gateway's patience
// (routing.ClientConfig: 60 s to the first token, 30 s between chunks),
// with room for a server that prefills a long prompt between events.
const (
	DefaultUpstreamHeaderTimeout = 60 * time.Second
	DefaultUpstreamIdleTimeout   = 60 * time.Second
)

// Upstream is an Engine backed by an OpenAI-compatible HTTP server.
// Requests with Messages use /chat/completions; Prompt and PromptTokens use
// /completions. Both stream server-sent events. Token IDs are not part of
// the OpenAI API, so streamed Tokens carry ID -1. Safe for concurrent use.
type Upstream struct {
	o UpstreamOptions
}

var _ Engine = (*Upstream)(nil)

var (
	// ErrUpstream wraps errors reported by the upstream server, a broken
	// or truncated stream, and the upstream's timeouts.
	ErrUpstream = errors.New("inference: upstream error")
	// ErrScoreUnsupported is returned by Upstream.Score when the server
	// does not return the log-probabilities of prompt tokens (the
	// completions API's echo with logprobs, which vLLM implements and
	// llama.cpp's server and Ollama do not).
	ErrScoreUnsupported = errors.New("inference: this upstream cannot score: it returned no prompt log-probabilities; serve the model with vLLM, or use the builtin engine")
)

// UpstreamError is a reply of the upstream server other than 200 OK, or an
// error event in its stream. errors.Is matches it to ErrUpstream, and to
// ErrContext when the server says the request exceeds the model's context.
// Its message names the likely fix.
type UpstreamError struct {
	// Status is the HTTP status; 0 for an error event in a stream.
	Status int
	// Message is the server's own message, on one line.
	Message string
	op      string // "POST http://host/v1/completions"
}

func (e *UpstreamError) Error() string {
	status := "error event in the stream"
	if e.Status != 0 {
		status = fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("inference: upstream %s: %s: %s: %s", e.op, status, e.Message, e.fix())
}

// Unwrap makes errors.Is match ErrUpstream, and ErrContext for a request
// the server found too long.
func (e *UpstreamError) Unwrap() []error {
	if e.contextLength() {
		return []error{ErrUpstream, ErrContext}
	}
	return []error{ErrUpstream}
}

// contextLength reports whether the server refused the request for
// exceeding the model's context: vLLM's "This model's maximum context
// length is ...", llama.cpp's "exceeds the available context size",
// OpenAI's context_length_exceeded.
func (e *UpstreamError) contextLength() bool {
	switch e.Status {
	case 0, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
	default:
		return false
	}
	m := strings.ToLower(e.Message)
	for _, w := range []string{"context length", "context_length", "context size", "context window"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// fix says what to check for e, naming the miner's flags.
func (e *UpstreamError) fix() string {
	switch {
	case e.contextLength():
		return "the prompt and max_tokens exceed the model's context: shorten the prompt or lower max_tokens"
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return "the server refused the API key: put its key in the environment variable that tao miner --upstream-key-env names"
	case e.Status == http.StatusNotFound:
		return "check the model name (tao miner --upstream-model; the server's GET /v1/models lists its models) and that --upstream is the API root including /v1"
	case e.Status == http.StatusTooManyRequests:
		return "the server is rate limiting: retry later, or lower tao miner --max-concurrent"
	case e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity:
		return "the server rejected the request: check it serves --upstream-model through the OpenAI API"
	case e.Status == 0 || e.Status >= 500:
		return "the upstream server failed: check its logs"
	}
	return "check that --upstream is an OpenAI-compatible API root including /v1"
}

// NewUpstream validates o and fills its defaults; it contacts nothing.
func NewUpstream(o UpstreamOptions) (*Upstream, error) {
	if o.BaseURL == "" || o.Model == "" {
		return nil, errors.New("inference: upstream needs a base URL and a model name")
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if pu, err := url.Parse(o.BaseURL); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("inference: upstream base URL %q: give the server's API root with http:// or https:// and including /v1, e.g. http://127.0.0.1:8000/v1", o.BaseURL)
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.HeaderTimeout == 0 {
		o.HeaderTimeout = DefaultUpstreamHeaderTimeout
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultUpstreamIdleTimeout
	}
	return &Upstream{o: o}, nil
}

// Info implements Engine.
func (u *Upstream) Info() ModelInfo {
	return ModelInfo{Name: u.o.Model, CID: u.o.CID, ContextLength: u.o.ContextLength, BOS: -1, EOS: -1}
}

// Close implements Engine; there is nothing to release.
func (u *Upstream) Close() error { return nil }

// Generate implements Engine. A reply that is not an event stream, and a
// stream that ends before a finish reason or [DONE], are errors
// (ErrUpstream); so is a server that stays silent past the timeouts. When
// ctx ends first, the error wraps ctx.Err().
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
	c, resp, err := u.post(ctx, path, body)
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		// A server that forgets the header but streams is let through.
		if head, _ := r.Peek(5); string(head) != "data:" {
			if ctxErr := c.fail(nil); ctxErr != nil {
				return Result{}, ctxErr
			}
			return Result{}, c.notStream(resp, r)
		}
	}
	var res Result
	var text strings.Builder
	var first time.Time
	var emitErr error
	done, err := readSSE(r, func(data []byte) error {
		var ch streamChunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return fmt.Errorf("%w: %s: bad stream chunk: %w: check that --upstream is an OpenAI-compatible server", ErrUpstream, c.op, err)
		}
		if msg, ok := ch.errorMessage(); ok {
			return &UpstreamError{Message: msg, op: c.op}
		}
		if len(ch.Choices) == 0 {
			return nil
		}
		ch0 := ch.Choices[0]
		piece := ch0.Text
		if ch0.Delta != nil {
			piece = ch0.Delta.Content
		}
		if piece != "" {
			if first.IsZero() {
				first = time.Now()
			}
			text.WriteString(piece)
			if err := emit(Token{ID: -1, Text: piece}); err != nil {
				emitErr = err
				return err
			}
		}
		if ch0.FinishReason != nil && *ch0.FinishReason != "" {
			res.Finish = FinishReason(*ch0.FinishReason)
		}
		return nil
	})
	res.Text = text.String()
	switch {
	case err != nil && emitErr != nil:
		return res, err
	case err != nil:
		if ctxErr := c.fail(err); ctxErr != nil {
			return res, ctxErr
		}
		return res, err
	case !done && res.Finish == "":
		// The server closed the stream without saying it was done: a
		// crash, a restart or a proxy cut it short.
		if ctxErr := c.fail(nil); ctxErr != nil {
			return res, ctxErr
		}
		return res, fmt.Errorf("%w: %s: truncated stream from the upstream: it ended after %d bytes of text without a finish reason or [DONE]; check the server's logs and any proxy between it and the miner", ErrUpstream, c.op, len(res.Text))
	}
	if first.IsZero() {
		first = time.Now()
	}
	res.Prefill, res.Decode = first.Sub(start), time.Since(first)
	return res, nil
}

// Score implements Engine with the legacy completions API's echo and
// logprobs, which vLLM implements for token prompts: the server returns
// the log-probability of every prompt token, then generates one token
// (vLLM refuses max_tokens 0), which is ignored. Servers without it
// (llama.cpp's server, Ollama) ignore echo or refuse it; Score then
// returns ErrScoreUnsupported. prompt must not be empty: the first token
// has no log-probability.
func (u *Upstream) Score(ctx context.Context, prompt, tokens []int32) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	if len(prompt) == 0 {
		return nil, errors.New("inference: upstream scoring needs a non-empty prompt: the server gives the first token no log-probability (start the prompt with BOS)")
	}
	all := append(append([]int32(nil), prompt...), tokens...)
	// logprobs 1 rather than 0: some servers read 0 as "none".
	c, _, err := u.post(ctx, "/completions", map[string]any{
		"model": u.o.Model, "prompt": all, "max_tokens": 1, "echo": true, "logprobs": 1, "temperature": 0,
	})
	var ue *UpstreamError
	if errors.As(err, &ue) && !ue.contextLength() && (ue.Status == http.StatusBadRequest || ue.Status == http.StatusUnprocessableEntity) {
		if m := strings.ToLower(ue.Message); strings.Contains(m, "echo") || strings.Contains(m, "logprob") {
			return nil, fmt.Errorf("%w (%s answered %d: %s)", ErrScoreUnsupported, ue.op, ue.Status, ue.Message)
		}
	}
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out struct {
		Choices []struct {
			Logprobs *struct {
				TokenLogprobs []*float32 `json:"token_logprobs"`
			} `json:"logprobs"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(io.LimitReader(c, 64<<20)).Decode(&out); err != nil {
		if ctxErr := c.fail(err); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("%w: %s: decode score response: %w: check that --upstream is an OpenAI-compatible server", ErrUpstream, c.op, err)
	}
	if len(out.Choices) == 0 || out.Choices[0].Logprobs == nil {
		return nil, fmt.Errorf("%w (%s answered without logprobs)", ErrScoreUnsupported, c.op)
	}
	// An echo starts with the first prompt token, which has no
	// log-probability; a server that ignored echo starts with the
	// generated token's.
	lps := out.Choices[0].Logprobs.TokenLogprobs
	if len(lps) < len(all) || lps[0] != nil {
		return nil, fmt.Errorf("%w (%s answered %d log-probabilities for %d prompt tokens: it ignored echo)", ErrScoreUnsupported, c.op, len(lps), len(all))
	}
	lp := lps[len(all)-len(tokens) : len(all)]
	res := make([]float32, len(lp))
	for i, p := range lp {
		if p == nil {
			return nil, fmt.Errorf("%w: %s: no log-probability for token %d of the %d scored", ErrUpstream, c.op, i, len(tokens))
		}
		res[i] = *p
	}
	return res, nil
}

// post sends body to the server and returns the call, whose body it
// reads under the idle timeout, with the reply if its status is 200 OK.
// Any other status is an *UpstreamError.
func (u *Upstream) post(ctx context.Context, path string, body any) (*upstreamCall, *http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithCancelCause(ctx)
	hreq, err := http.NewRequestWithContext(rctx, http.MethodPost, u.o.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		cancel(nil)
		return nil, nil, fmt.Errorf("inference: upstream base URL %q: %w: give the API root including /v1, e.g. http://127.0.0.1:8000/v1", u.o.BaseURL, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json, text/event-stream")
	if u.o.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+u.o.APIKey)
	}
	c := &upstreamCall{ctx: ctx, rctx: rctx, cancel: cancel, op: http.MethodPost + " " + hreq.URL.Redacted(), idle: u.o.IdleTimeout}
	var header *time.Timer
	if d := u.o.HeaderTimeout; d > 0 {
		header = time.AfterFunc(d, func() {
			cancel(&timeoutError{fmt.Sprintf("no reply within %v", d), "check the server is up and not overloaded, or lower tao miner --max-concurrent"})
		})
	}
	resp, err := u.o.Client.Do(hreq)
	if header != nil {
		header.Stop()
	}
	if err != nil {
		if ctxErr := c.fail(err); ctxErr != nil {
			cancel(nil)
			return nil, nil, ctxErr
		}
		cancel(nil)
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, nil, fmt.Errorf("%w: %s: %w: check the server is running and --upstream is its API root including /v1", ErrUpstream, c.op, err)
	}
	c.body = resp.Body
	if d := c.idle; d > 0 {
		c.idleTimer = time.AfterFunc(d, func() {
			cancel(&timeoutError{fmt.Sprintf("no data for %v", d), "the server stalled: check its logs and load"})
		})
		c.idleTimer.Stop()
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(c, 4096))
		c.Close()
		if ctxErr := c.fail(nil); ctxErr != nil {
			return nil, nil, ctxErr
		}
		m, _ := parseErrorBody(msg)
		return nil, nil, &UpstreamError{Status: resp.StatusCode, Message: m, op: c.op}
	}
	return c, resp, nil
}

// upstreamCall is one request to the server and the reader of its reply's
// body. Its context ends with the caller's, or with a *timeoutError cause
// when the server keeps silent too long.
type upstreamCall struct {
	ctx       context.Context // the caller's
	rctx      context.Context // the request's
	cancel    context.CancelCauseFunc
	op        string // "POST http://host/v1/completions"
	idle      time.Duration
	idleTimer *time.Timer
	body      io.ReadCloser
}

// Read reads the body, failing when one read waits past the idle timeout.
func (c *upstreamCall) Read(p []byte) (int, error) {
	if c.idleTimer != nil {
		c.idleTimer.Reset(c.idle)
		defer c.idleTimer.Stop()
	}
	return c.body.Read(p)
}

// Close closes the body and ends the request's context.
func (c *upstreamCall) Close() error {
	if c.idleTimer != nil {
		c.idleTimer.Stop()
	}
	err := c.body.Close()
	c.cancel(nil)
	return err
}

// fail returns the error the call ended with if it was not the server's
// doing: the caller's cancellation or deadline (wrapping ctx.Err()), or a
// timeout of ours (wrapping ErrUpstream and context.DeadlineExceeded). It
// returns nil otherwise: err, which it only names, stands.
func (c *upstreamCall) fail(err error) error {
	if cerr := c.ctx.Err(); cerr != nil {
		return fmt.Errorf("inference: upstream %s: %w", c.op, cerr)
	}
	if te, ok := errors.AsType[*timeoutError](context.Cause(c.rctx)); ok {
		return fmt.Errorf("%w: %s: %w", ErrUpstream, c.op, te)
	}
	return nil
}

// notStream describes a 200 reply that is not an event stream (a JSON
// error, a web page), reading the start of its body.
func (c *upstreamCall) notStream(resp *http.Response, r io.Reader) error {
	b, _ := io.ReadAll(io.LimitReader(r, 4096))
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "no Content-Type"
	}
	m, _ := parseErrorBody(b)
	return fmt.Errorf("%w: %s answered 200 with %s, not an event stream: %s: check that --upstream is the server's OpenAI API root including /v1 (e.g. http://127.0.0.1:8000/v1), not a web page or proxy in front of it", ErrUpstream, c.op, ct, m)
}

// timeoutError is the cause of a request the server kept waiting.
type timeoutError struct{ what, fix string }

func (e *timeoutError) Error() string { return e.what + ": " + e.fix }
func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// parseErrorBody returns the message of an error reply, on one line: the
// OpenAI API's {"error":{"message":...}}, vLLM's {"message":...}, a
// {"error":"..."} or FastAPI's {"detail":...}, else the text itself.
// ok reports whether b held an error object.
func parseErrorBody(b []byte) (msg string, ok bool) {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Object  string          `json:"object"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(b, &v) == nil {
		if e := bytes.TrimSpace(v.Error); len(e) > 0 && !bytes.Equal(e, []byte("null")) {
			var obj struct {
				Message string `json:"message"`
			}
			var s string
			switch {
			case json.Unmarshal(e, &obj) == nil && obj.Message != "":
				return oneLine(obj.Message), true
			case json.Unmarshal(e, &s) == nil && s != "":
				return oneLine(s), true
			}
			return oneLine(string(e)), true
		}
		if v.Message != "" && (v.Object == "error" || v.Object == "") {
			return oneLine(v.Message), true
		}
		if d := bytes.TrimSpace(v.Detail); len(d) > 0 && !bytes.Equal(d, []byte("null")) {
			var s string
			if json.Unmarshal(d, &s) == nil {
				return oneLine(s), true
			}
			return oneLine(string(d)), true
		}
	}
	return oneLine(string(b)), false
}

// oneLine folds s onto one line of at most 300 bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if s == "" {
		return "(no message)"
	}
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

type streamChunk struct {
	Choices []struct {
		Text  string `json:"text"`
		Delta *struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Error   json.RawMessage `json:"error"`
	Object  string          `json:"object"`
	Message string          `json:"message"`
}

// errorMessage returns the message of an error event: {"error":...} as
// the OpenAI API and llama.cpp send it, or vLLM's {"object":"error",...}.
func (ch *streamChunk) errorMessage() (string, bool) {
	if e := bytes.TrimSpace(ch.Error); len(e) > 0 && !bytes.Equal(e, []byte("null")) {
		m, _ := parseErrorBody(append(append([]byte(`{"error":`), e...), '}'))
		return m, true
	}
	if ch.Object == "error" {
		return oneLine(ch.Message), true
	}
	return "", false
}
