package inference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// fakeOpenAI is an in-process OpenAI-compatible server for tests, backed by
// the real builtin engine: it speaks just enough of /v1/completions and
// /v1/chat/completions (streaming, and echo with logprobs) to exercise
// Upstream.
func fakeOpenAI(t *testing.T, eng *Builtin) *httptest.Server {
	mux := http.NewServeMux()
	handle := func(chat bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				Model       string          `json:"model"`
				Prompt      json.RawMessage `json:"prompt"`
				Messages    []Message       `json:"messages"`
				MaxTokens   int             `json:"max_tokens"`
				Temperature float32         `json:"temperature"`
				Seed        uint64          `json:"seed"`
				Stop        []string        `json:"stop"`
				Stream      bool            `json:"stream"`
				Echo        bool            `json:"echo"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if body.Model != "synthetic" {
				http.Error(w, `{"error":{"message":"model not found"}}`, http.StatusNotFound)
				return
			}
			req := Request{Messages: body.Messages, MaxTokens: body.MaxTokens, Stop: body.Stop,
				Sampling: Sampling{Temperature: body.Temperature, Seed: body.Seed}}
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
				lps, err := eng.Score(r.Context(), req.PromptTokens[:1], req.PromptTokens[1:])
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				all := []*float32{nil}
				for i := range lps {
					all = append(all, &lps[i])
				}
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

func TestUpstreamMatchesBuiltin(t *testing.T) {
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
	// Errors from the server are reported.
	bad, _ := NewUpstream(UpstreamOptions{BaseURL: srv.URL + "/v1", Model: "other"})
	if _, err := bad.Generate(context.Background(), Request{Prompt: "x"}, func(Token) error { return nil }); !errors.Is(err, ErrUpstream) {
		t.Errorf("unknown model: err = %v", err)
	}
}

func TestReadSSE(t *testing.T) {
	in := "data: a\n\n: comment\ndata: b1\ndata: b2\n\nevent: x\ndata: [DONE]\n\ndata: after\n\n"
	var got []string
	if err := readSSE(strings.NewReader(in), func(d []byte) error { got = append(got, string(d)); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b1\nb2"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
