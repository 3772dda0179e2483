package inference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeOpenAI is an in-process OpenAI-compatible server for tests, backed by
// the real builtin engine: it speaks just enough of /v1/completions and
// /v1/chat/completions (streaming, and echo with logprobs as vLLM answers
// it) to exercise Upstream. Like vLLM, it refuses max_tokens below 1 and
// answers an echo with the prompt's log-probabilities (the first null)
// followed by the generated token's.
func fakeOpenAI(t *testing.T, eng *Builtin) *httptest.Server {
	mux := http.NewServeMux()
	handle := func(chat bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				Model       string          `json:"model"`
				Prompt      json.RawMessage `json:"prompt"`
				Messages    []Message       `json:"messages"`
				MaxTokens   *int            `json:"max_tokens"`
				Temperature float32         `json:"temperature"`
				Seed        uint64          `json:"seed"`
				Stop        []string        `json:"stop"`
				Stream      bool            `json:"stream"`
				Echo        bool            `json:"echo"`
				Logprobs    *int            `json:"logprobs"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if body.Model != "synthetic" {
				writeJSONError(w, http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist.", body.Model))
				return
			}
			if body.MaxTokens != nil && *body.MaxTokens < 1 {
				writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("max_tokens must be at least 1, got %d.", *body.MaxTokens))
				return
			}
			req := Request{Messages: body.Messages, Stop: body.Stop,
				Sampling: Sampling{Temperature: body.Temperature, Seed: body.Seed}}
			if body.MaxTokens != nil {
				req.MaxTokens = *body.MaxTokens
			}
			if !chat {
				var s string
				if json.Unmarshal(body.Prompt, &s) == nil {
					req.Prompt = s
				} else if err := json.Unmarshal(body.Prompt, &req.PromptTokens); err != nil {
					http.Error(w, "bad prompt", http.StatusBadRequest)
					return
				}
			}
			if body.Echo {
				if body.Logprobs == nil || len(req.PromptTokens) < 2 {
					writeJSONError(w, http.StatusBadRequest, "echo needs logprobs and a token prompt")
					return
				}
				lps, err := eng.Score(r.Context(), req.PromptTokens[:1], req.PromptTokens[1:])
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				all := []*float32{nil}
				for i := range lps {
					all = append(all, &lps[i])
				}
				gen := float32(-0.25) // the generated token's, to be ignored
				all = append(all, &gen)
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"logprobs": map[string]any{"token_logprobs": all}}}})
				return
			}
			w.Header().Set("Content-Type", "text/event-stream")
			send := func(piece string, finish *string) {
				c := map[string]any{"finish_reason": finish}
				if chat {
					c["delta"] = map[string]string{"content": piece}
				} else {
					c["text"] = piece
				}
				b, _ := json.Marshal(map[string]any{"choices": []any{c}})
				fmt.Fprintf(w, "data: %s\n\n", b)
				w.(http.Flusher).Flush()
			}
			res, err := eng.Generate(r.Context(), req, func(tk Token) error {
				send(tk.Text, nil)
				return nil
			})
			if err != nil {
				fmt.Fprintf(w, "data: {\"error\":{\"message\":%q}}\n\n", err.Error())
				return
			}
			f := string(res.Finish)
			send("", &f)
			fmt.Fprint(w, "data: [DONE]\n\n")
		}
	}
	mux.HandleFunc("POST /v1/completions", handle(false))
	mux.HandleFunc("POST /v1/chat/completions", handle(true))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "code": status}})
}

// TestUpstreamAgainstInProcessServer: Upstream against an in-process
// OpenAI-compatible server (fakeOpenAI) streams the builtin engine's text
// and finish reason on both endpoints, scores with max_tokens 1 (which
// the server requires) to the builtin engine's log-probabilities, and
// reports an unknown model as a 404 naming the flag to fix.
func TestUpstreamAgainstInProcessServer(t *testing.T) {
	eng := newEngine(t)
	srv := fakeOpenAI(t, eng)
	up, err := NewUpstream(UpstreamOptions{BaseURL: srv.URL + "/v1", Model: "synthetic"})
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []Request{
		{Prompt: "Once upon a time", MaxTokens: 12},
		{Messages: []Message{{Role: "user", Content: "Hi"}}, MaxTokens: 12},
		{PromptTokens: []int32{1, 415, 2936}, MaxTokens: 5},
	} {
		want := generate(t, eng, req)
		var streamed strings.Builder
		got, err := up.Generate(context.Background(), req, func(tk Token) error {
			streamed.WriteString(tk.Text)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != want.Text || streamed.String() != want.Text || got.Finish != want.Finish {
			t.Errorf("upstream %q (streamed %q, finish %q), builtin %q (finish %q)", got.Text, streamed.String(), got.Finish, want.Text, want.Finish)
		}
	}
	// Scoring through echo + logprobs.
	res := generate(t, eng, Request{Prompt: "Hello", MaxTokens: 6})
	want, _ := eng.Score(context.Background(), res.PromptTokens, res.Tokens)
	got, err := up.Score(context.Background(), res.PromptTokens, res.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("upstream score %v, builtin %v", got, want)
	}
	// Errors from the server are reported, typed.
	bad, _ := NewUpstream(UpstreamOptions{BaseURL: srv.URL + "/v1", Model: "other"})
	_, err = bad.Generate(context.Background(), Request{Prompt: "x"}, func(Token) error { return nil })
	if ue, ok := errors.AsType[*UpstreamError](err); !ok || ue.Status != http.StatusNotFound || !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "--upstream-model") {
		t.Errorf("unknown model: err = %v, want a 404 UpstreamError naming --upstream-model", err)
	}
}

// upstreamWith returns an Upstream of model "m" whose server is h.
func upstreamWith(t *testing.T, h http.HandlerFunc, o UpstreamOptions) *Upstream {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	o.BaseURL, o.Model = srv.URL+"/v1", "m"
	up, err := NewUpstream(o)
	if err != nil {
		t.Fatal(err)
	}
	return up
}

// streamStart starts an event stream and sends one text chunk.
func streamStart(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, "data: {\"choices\":[{\"text\":\"Once\",\"finish_reason\":null}]}\n\n")
	w.(http.Flusher).Flush()
}

// hang waits until the client goes away (or the test is long over). The
// server notices a closed connection once the request body is read.
func hang(r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// TestUpstreamStreamFailures: each way a stream can fail gives an error
// that says so: the caller's cancellation and deadline (errors.Is the
// context's error), the upstream's silence (header and idle timeouts), a
// truncated stream, a 200 reply that is no event stream, an error event.
// A stream with a finish reason but no [DONE] (older llama.cpp) succeeds.
func TestUpstreamStreamFailures(t *testing.T) {
	short := 100 * time.Millisecond
	for _, tc := range []struct {
		name    string
		o       UpstreamOptions
		ctx     func() (context.Context, context.CancelFunc)
		cancel  bool // cancel ctx after the first token
		h       http.HandlerFunc
		is      []error
		mention []string
	}{
		{name: "cancel mid-stream", cancel: true,
			h:  func(w http.ResponseWriter, r *http.Request) { streamStart(w); hang(r) },
			is: []error{context.Canceled}},
		{name: "deadline mid-stream",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 2*short)
			},
			h:  func(w http.ResponseWriter, r *http.Request) { streamStart(w); hang(r) },
			is: []error{context.DeadlineExceeded}},
		{name: "deadline before headers",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 2*short)
			},
			h:  func(w http.ResponseWriter, r *http.Request) { hang(r) },
			is: []error{context.DeadlineExceeded}},
		{name: "header timeout", o: UpstreamOptions{HeaderTimeout: short},
			h:       func(w http.ResponseWriter, r *http.Request) { hang(r) },
			is:      []error{ErrUpstream, context.DeadlineExceeded},
			mention: []string{"no reply within 100ms", "--max-concurrent"}},
		{name: "idle timeout", o: UpstreamOptions{IdleTimeout: short},
			h:       func(w http.ResponseWriter, r *http.Request) { streamStart(w); hang(r) },
			is:      []error{ErrUpstream, context.DeadlineExceeded},
			mention: []string{"no data for 100ms", "check its logs"}},
		{name: "truncated",
			h:       func(w http.ResponseWriter, r *http.Request) { streamStart(w) },
			is:      []error{ErrUpstream},
			mention: []string{"truncated stream from the upstream", "logs"}},
		{name: "JSON error with 200",
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"error":{"message":"no such route"}}`)
			},
			is:      []error{ErrUpstream},
			mention: []string{"application/json, not an event stream", "no such route", "including /v1"}},
		{name: "web page with 200",
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, "<html>\n<body>Open WebUI</body>\n</html>\n")
			},
			is:      []error{ErrUpstream},
			mention: []string{"text/html", "not an event stream", "including /v1"}},
		{name: "error event",
			h: func(w http.ResponseWriter, r *http.Request) {
				streamStart(w)
				fmt.Fprint(w, "data: {\"error\":{\"message\":\"CUDA out of memory\"}}\n\n")
			},
			is:      []error{ErrUpstream},
			mention: []string{"CUDA out of memory", "check its logs"}},
		{name: "finish without [DONE]",
			h: func(w http.ResponseWriter, r *http.Request) {
				streamStart(w)
				fmt.Fprint(w, "data: {\"choices\":[{\"text\":\" upon\",\"finish_reason\":\"length\"}]}\n\n")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			up := upstreamWith(t, tc.h, tc.o)
			ctx, cancel := context.WithCancel(context.Background())
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			var text strings.Builder
			res, err := up.Generate(ctx, Request{Prompt: "x", MaxTokens: 4}, func(tk Token) error {
				text.WriteString(tk.Text)
				if tc.cancel {
					cancel()
				}
				return nil
			})
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if tc.is == nil {
				if err != nil || res.Text != "Once upon" || res.Finish != FinishLength {
					t.Fatalf("got %q (finish %q), err %v", res.Text, res.Finish, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error (text %q)", res.Text)
			}
			for _, want := range tc.is {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %v", err, want)
				}
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}

// TestUpstreamStatusErrors: a reply other than 200 is an *UpstreamError
// with the status and the server's message, on one line, naming the fix;
// a context-length refusal is also ErrContext (which the miner maps to
// its context-length code).
func TestUpstreamStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		status  int
		body    string
		context bool
		mention []string
	}{
		{401, `{"error":{"message":"Invalid API key","type":"invalid_request_error"}}`, false, []string{"Invalid API key", "--upstream-key-env"}},
		{403, `{"error":"forbidden"}`, false, []string{"forbidden", "--upstream-key-env"}},
		{404, `{"error":{"message":"The model m does not exist.","code":404}}`, false, []string{"The model m does not exist.", "--upstream-model", "including /v1"}},
		{404, "404 page not found\n", false, []string{"404 page not found", "including /v1"}},
		{429, `{"error":{"message":"Too many requests"}}`, false, []string{"Too many requests", "retry later", "--max-concurrent"}},
		// vLLM's reply, its message at the top level.
		{400, `{"object":"error","message":"This model's maximum context length is 2048 tokens. However, you requested 4000 tokens (100 in the messages, 3900 in the completion).","type":"BadRequestError","param":null,"code":400}`, true,
			[]string{"maximum context length is 2048", "shorten the prompt or lower max_tokens"}},
		// llama.cpp's server.
		{400, `{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}`, true,
			[]string{"available context size", "shorten the prompt"}},
		{400, `{"detail":"temperature must be non-negative"}`, false, []string{"temperature must be non-negative", "rejected the request"}},
		{500, "Internal Server Error\n\ntraceback:\n  line 1", false, []string{"Internal Server Error traceback: line 1", "check its logs"}},
		{503, "", false, []string{"503 Service Unavailable", "(no message)", "check its logs"}},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			up := upstreamWith(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}, UpstreamOptions{})
			_, err := up.Generate(context.Background(), Request{Prompt: "x"}, func(Token) error { return nil })
			ue, ok := errors.AsType[*UpstreamError](err)
			if !ok || ue.Status != tc.status {
				t.Fatalf("got %v, want an UpstreamError of status %d", err, tc.status)
			}
			if !errors.Is(err, ErrUpstream) || errors.Is(err, ErrContext) != tc.context {
				t.Errorf("%q: ErrUpstream %v, ErrContext %v (want %v)", err, errors.Is(err, ErrUpstream), errors.Is(err, ErrContext), tc.context)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		up, _ := NewUpstream(UpstreamOptions{BaseURL: srv.URL + "/v1", Model: "m"})
		_, err := up.Generate(context.Background(), Request{Prompt: "x"}, func(Token) error { return nil })
		if !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "check the server is running") {
			t.Errorf("got %v, want ErrUpstream naming the fix", err)
		}
	})
}

// TestUpstreamScoreUnsupported: a server without vLLM's echo of prompt
// log-probabilities (one that ignores echo like llama.cpp's server, one
// without logprobs like Ollama, one that refuses echo) makes Score return
// ErrScoreUnsupported, whose message names the fix.
func TestUpstreamScoreUnsupported(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"ignores echo": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"text":" a","logprobs":{"token_logprobs":[-0.5]}}]}`)
		},
		"ignores echo, long answer": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"text":" a b c","logprobs":{"token_logprobs":[-0.5,-1,-2]}}]}`)
		},
		"no logprobs": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"text":" a","logprobs":null}]}`)
		},
		"other logprobs format": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"text":" a","logprobs":{"content":[{"token":" a","logprob":-0.5}]}}]}`)
		},
		"refuses echo": func(w http.ResponseWriter, r *http.Request) {
			writeJSONError(w, http.StatusBadRequest, "echo is not supported with this model")
		},
	} {
		t.Run(name, func(t *testing.T) {
			up := upstreamWith(t, h, UpstreamOptions{})
			_, err := up.Score(context.Background(), []int32{1, 2}, []int32{3})
			if !errors.Is(err, ErrScoreUnsupported) || !strings.Contains(err.Error(), "serve the model with vLLM") {
				t.Errorf("got %v, want ErrScoreUnsupported", err)
			}
		})
	}
}

// TestUpstreamBadBaseURL: NewUpstream refuses a base URL it could not
// send to, naming the form it wants.
func TestUpstreamBadBaseURL(t *testing.T) {
	for _, base := range []string{"127.0.0.1:8000/v1", "localhost:8000", "ftp://host/v1", "http:///v1", "http://a b/v1"} {
		if _, err := NewUpstream(UpstreamOptions{BaseURL: base, Model: "m"}); err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:8000/v1") {
			t.Errorf("%q: err = %v, want one naming the form", base, err)
		}
	}
}
