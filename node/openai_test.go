package node_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/synth"
	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/node"
)

var testModel = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	err := synth.Write(&buf, synth.Options{Preset: "stories15m", Quant: gguf.Q8_0, Seed: 1})
	return buf.Bytes(), err
})

func loadEngine(t testing.TB) *inference.Builtin {
	t.Helper()
	b, err := testModel()
	if err != nil {
		t.Fatal(err)
	}
	e, err := inference.LoadBuiltin(b, inference.BuiltinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// inferNetwork starts 1+miners nodes: node 0 a plain peer (the gateway
// under test), the others miners of subnet 1 on the synthetic model.
// Subnet 2 is declared with the same model but nobody serves it.
func inferNetwork(t *testing.T, miners int) (*taotest.Network, *inference.Builtin) {
	ref := loadEngine(t)
	model := ref.Info().CID.String()
	engines := make([]inference.Engine, miners+1)
	for i := 1; i <= miners; i++ {
		engines[i] = loadEngine(t)
	}
	nw := taotest.NewNetwork(t, 1+miners, &taotest.Options{Configure: func(i int, c *node.Config) {
		c.Subnets = map[uint16]node.SubnetConfig{1: {Model: model}, 2: {Model: model}}
		if i > 0 {
			c.Miner = &node.MinerConfig{NetUID: 1, Engine: engines[i], HeartbeatInterval: 500 * time.Millisecond}
		}
	}})
	deadline := time.Now().Add(30 * time.Second)
	for len(nw.Nodes[0].Router().Live(1)) < miners {
		if time.Now().After(deadline) {
			t.Fatalf("gateway sees %d live miners, want %d", len(nw.Nodes[0].Router().Live(1)), miners)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nw, ref
}

func greedyChat(t *testing.T, e inference.Engine, content string, max int) inference.Result {
	res, err := e.Generate(context.Background(), inference.Request{Messages: []inference.Message{{Role: "user", Content: content}}, MaxTokens: max}, func(inference.Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestOpenAIClient uses the official OpenAI Go client as a user's program
// would, against a node that is not a miner.
func TestOpenAIClient(t *testing.T) {
	nw, ref := inferNetwork(t, 2)
	api := nw.Nodes[0].HTTPURL()
	c := openai.NewClient(option.WithBaseURL(api+"/v1/"), option.WithAPIKey("unused"), option.WithMaxRetries(0))
	ctx := t.Context()
	want := greedyChat(t, ref, "Tell me a story.", 20)

	models, err := c.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(models.Data) != 1 || models.Data[0].ID != "subnet-1" {
		t.Fatalf("models = %+v", models.Data)
	}

	params := openai.ChatCompletionNewParams{
		Model:       "subnet-1",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Tell me a story.")},
		MaxTokens:   openai.Int(20),
		Temperature: openai.Float(0),
	}
	resp, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != want.Text {
		t.Fatalf("chat answer %q, in-process %q", got, want.Text)
	}
	if resp.Usage.CompletionTokens != 20 || resp.Usage.PromptTokens != int64(len(want.PromptTokens)) || resp.Choices[0].FinishReason != "length" {
		t.Fatalf("usage %+v finish %q", resp.Usage, resp.Choices[0].FinishReason)
	}

	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(ctx, params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != want.Text || acc.Usage.TotalTokens != int64(len(want.PromptTokens)+20) {
		t.Fatalf("streamed %q (usage %+v), want %q", got, acc.Usage, want.Text)
	}

	comp, err := c.Completions.New(ctx, openai.CompletionNewParams{
		Model:       "subnet-1",
		Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")},
		MaxTokens:   openai.Int(12),
		Temperature: openai.Float(0),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := ref.Generate(ctx, inference.Request{Prompt: "Once upon a time", MaxTokens: 12}, func(inference.Token) error { return nil })
	if comp.Choices[0].Text != res.Text || comp.Usage.CompletionTokens != 12 {
		t.Fatalf("completion %q, in-process %q", comp.Choices[0].Text, res.Text)
	}

	// Errors arrive as OpenAI errors.
	_, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "subnet-2", Messages: params.Messages})
	var apiErr *openai.Error
	if !errorsAs(err, &apiErr) || apiErr.StatusCode != 503 || !strings.Contains(apiErr.Message, "no miner is live") {
		t.Fatalf("subnet without miners: %v", err)
	}
	_, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "subnet-1", Messages: params.Messages, Temperature: openai.Float(7)})
	if !errorsAs(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Param != "temperature" {
		t.Fatalf("temperature 7: %v", err)
	}
}

func errorsAs(err error, target **openai.Error) bool {
	e, ok := err.(*openai.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestOpenAIRawSSE reads the stream as curl -N would.
func TestOpenAIRawSSE(t *testing.T) {
	nw, ref := inferNetwork(t, 1)
	api := nw.Nodes[0].HTTPURL()
	want := greedyChat(t, ref, "hi", 10)
	body := `{"model":"subnet-1","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":10,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}`
	resp, err := http.Post(api+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %s, type %q: %s", resp.Status, resp.Header.Get("Content-Type"), b)
	}
	var text strings.Builder
	var events, usage int
	done, finish := false, ""
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || done {
			t.Fatalf("unexpected line %q (after [DONE]: %v)", line, done)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		events++
		var ch struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta        struct{ Role, Content string } `json:"delta"`
				FinishReason *string                        `json:"finish_reason"`
			} `json:"choices"`
			Usage *struct {
				TotalTokens int `json:"total_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil || ch.Object != "chat.completion.chunk" {
			t.Fatalf("chunk %q: %v", data, err)
		}
		if events == 1 && (len(ch.Choices) != 1 || ch.Choices[0].Delta.Role != "assistant") {
			t.Fatalf("first chunk has no assistant role: %s", data)
		}
		for _, c := range ch.Choices {
			text.WriteString(c.Delta.Content)
			if c.FinishReason != nil {
				finish = *c.FinishReason
			}
		}
		if ch.Usage != nil {
			usage = ch.Usage.TotalTokens
		}
	}
	if !done || text.String() != want.Text || finish != "length" || usage != len(want.PromptTokens)+10 {
		t.Fatalf("stream: done %v, text %q (want %q), finish %q, usage %d", done, text.String(), want.Text, finish, usage)
	}

	// Plain-HTTP errors before the stream starts.
	for _, tt := range []struct {
		body string
		code int
		in   string
	}{
		{`{"model":"subnet-2","messages":[{"role":"user","content":"x"}],"stream":true}`, 503, "no_live_miner"},
		{`{"model":"gpt-4","messages":[{"role":"user","content":"x"}]}`, 404, "model_not_found"},
		{`{"model":"subnet-9","messages":[{"role":"user","content":"x"}]}`, 404, "not declared"},
		{`{"model":"subnet-1","messages":[]}`, 400, "messages"},
		{`{"model":"subnet-1","messages":[{"role":"tool","content":"x"}]}`, 400, "role"},
		{`{"model":"subnet-1","messages":[{"role":"user","content":"x"}],"n":3}`, 400, "n must be 1"},
		{`{"model":"subnet-1",`, 400, "invalid_json"},
	} {
		resp, err := http.Post(api+"/v1/chat/completions", "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error struct{ Message, Type, Code string } `json:"error"`
		}
		if resp.StatusCode != tt.code || json.Unmarshal(b, &e) != nil || e.Error.Message == "" || e.Error.Type == "" || !strings.Contains(string(b), tt.in) {
			t.Errorf("%s: %d %s; want %d mentioning %q", tt.body, resp.StatusCode, b, tt.code, tt.in)
		}
	}
}
