package node

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// InferRequest is one request of `tao infer` to a node's OpenAI API.
type InferRequest struct {
	NetUID uint16
	Prompt string
	// Chat sends Prompt as one user message to /v1/chat/completions;
	// otherwise it is a raw prompt to /v1/completions.
	Chat        bool
	MaxTokens   int      // 0: the endpoint's default
	Temperature *float64 // nil: the endpoint's default (1)
	Seed        *int64
	Stop        []string
}

// InferResult is a finished answer, as `tao infer --json` prints it.
type InferResult struct {
	ID               string `json:"id"`
	Model            string `json:"model"`
	Text             string `json:"text"`
	FinishReason     string `json:"finish_reason"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
}

// Infer streams a completion from the node's OpenAI API, calling onText
// (if not nil) with each piece of text as it arrives.
func (c *Client) Infer(ctx context.Context, r InferRequest, onText func(string)) (*InferResult, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = "http://" + DefaultHTTPAddr
	}
	body := map[string]any{"model": ModelName(r.NetUID), "stream": true, "stream_options": map[string]bool{"include_usage": true}}
	path := "/v1/completions"
	if r.Chat {
		path = "/v1/chat/completions"
		body["messages"] = []map[string]string{{"role": "user", "content": r.Prompt}}
	} else {
		body["prompt"] = r.Prompt
	}
	if r.MaxTokens > 0 {
		body["max_tokens"] = r.MaxTokens
	}
	if r.Temperature != nil {
		body["temperature"] = *r.Temperature
	}
	if r.Seed != nil {
		body["seed"] = *r.Seed
	}
	if len(r.Stop) > 0 {
		body["stop"] = r.Stop
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("bad API URL %q: %w", base, err)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{} // no timeout: generation streams as long as it takes; ctx bounds it
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no tao node answers at %s (%v); start one with `tao node` or pass --api URL", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apiErrorOf(resp)
	}
	res := &InferResult{}
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, maxAPIResponse)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			res.Text = text.String()
			return res, nil
		}
		var ev struct {
			ID      string `json:"id"`
			Model   string `json:"model"`
			Choices []struct {
				Text         string                   `json:"text"`
				Delta        struct{ Content string } `json:"delta"`
				FinishReason *string                  `json:"finish_reason"`
			} `json:"choices"`
			Usage *oaiUsage `json:"usage"`
			Error *oaiError `json:"error"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return nil, fmt.Errorf("%s%s sent an event that is not JSON: %w", base, path, err)
		}
		if ev.Error != nil {
			return nil, fmt.Errorf("the answer broke off: %s", ev.Error.Message)
		}
		res.ID, res.Model = ev.ID, ev.Model
		for _, ch := range ev.Choices {
			piece := ch.Text + ch.Delta.Content
			text.WriteString(piece)
			if onText != nil && piece != "" {
				onText(piece)
			}
			if ch.FinishReason != nil {
				res.FinishReason = *ch.FinishReason
			}
		}
		if ev.Usage != nil {
			res.PromptTokens, res.CompletionTokens = ev.Usage.PromptTokens, ev.Usage.CompletionTokens
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the answer from %s: %w", base, err)
	}
	return nil, errors.New("the answer ended without [DONE]: the node stopped mid-stream")
}

// apiErrorOf turns an OpenAI error response into an error.
func apiErrorOf(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	var e struct {
		Error *oaiError `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != nil {
		return fmt.Errorf("%s: %s", resp.Status, e.Error.Message)
	}
	return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
}
