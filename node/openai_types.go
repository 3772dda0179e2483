package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/routing"
)

// maxAPIRequest bounds an OpenAI request body.
const maxAPIRequest = 1 << 20

// ModelName is the OpenAI model name of a subnet: "subnet-<netuid>".
func ModelName(netuid uint16) string { return "subnet-" + strconv.Itoa(int(netuid)) }

// ParseModelName parses "subnet-<netuid>".
func ParseModelName(s string) (uint16, error) {
	rest, ok := strings.CutPrefix(s, "subnet-")
	n, err := strconv.ParseUint(rest, 10, 16)
	if !ok || err != nil || rest != strconv.FormatUint(n, 10) {
		return 0, fmt.Errorf("model %q: models are named after subnets, like \"subnet-1\" (GET /v1/models lists them)", s)
	}
	return uint16(n), nil
}

// chatRequest is the subset of OpenAI's chat completion request tao
// serves. Unknown fields are ignored, as OpenAI clients send many.
type chatRequest struct {
	Model               string         `json:"model"`
	Messages            []chatMessage  `json:"messages"`
	MaxTokens           *int           `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int           `json:"max_completion_tokens,omitempty"`
	Temperature         *float64       `json:"temperature,omitempty"`
	TopP                *float64       `json:"top_p,omitempty"`
	Seed                *int64         `json:"seed,omitempty"`
	Stop                stopList       `json:"stop,omitempty"`
	Stream              bool           `json:"stream,omitempty"`
	StreamOptions       *streamOptions `json:"stream_options,omitempty"`
	N                   *int           `json:"n,omitempty"`
}

// completionRequest is the subset of OpenAI's (legacy) completion request
// tao serves.
type completionRequest struct {
	Model         string         `json:"model"`
	Prompt        textList       `json:"prompt"`
	MaxTokens     *int           `json:"max_tokens,omitempty"`
	Temperature   *float64       `json:"temperature,omitempty"`
	TopP          *float64       `json:"top_p,omitempty"`
	Seed          *int64         `json:"seed,omitempty"`
	Stop          stopList       `json:"stop,omitempty"`
	Stream        bool           `json:"stream,omitempty"`
	StreamOptions *streamOptions `json:"stream_options,omitempty"`
	N             *int           `json:"n,omitempty"`
	Echo          bool           `json:"echo,omitempty"`
	Suffix        string         `json:"suffix,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatMessage struct {
	Role    string   `json:"role"`
	Content textList `json:"content"`
}

// textList is a JSON string, or an array of strings or of content parts
// ({"type":"text","text":...}); the texts are joined.
type textList []string

func (t *textList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = textList{s}
		return nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return errors.New("want a string or an array of strings or text parts")
	}
	out := make(textList, 0, len(parts))
	for _, p := range parts {
		if err := json.Unmarshal(p, &s); err == nil {
			out = append(out, s)
			continue
		}
		var part struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(p, &part); err != nil || part.Type != "text" {
			return errors.New("only text content is supported (no images, audio or token arrays)")
		}
		out = append(out, part.Text)
	}
	*t = out
	return nil
}

// stopList is a string or an array of strings.
type stopList []string

func (s *stopList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*s = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stopList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("stop: want a string or an array of strings")
	}
	*s = many
	return nil
}

// oaiError is an OpenAI-shaped error: its HTTP status and body.
type oaiError struct {
	Status  int    `json:"-"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Param   string `json:"param,omitempty"`
	Code    string `json:"code,omitempty"`
}

func (e *oaiError) Error() string { return e.Message }

func oaiBadParam(param, format string, args ...any) *oaiError {
	return &oaiError{Status: 400, Type: "invalid_request_error", Param: param, Code: "invalid_value", Message: fmt.Sprintf(format, args...)}
}

// oaiDecode decodes one JSON object and nothing after it.
func oaiDecode(b []byte, v any) *oaiError {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return &oaiError{Status: 400, Type: "invalid_request_error", Code: "invalid_json", Message: "request body is not valid JSON for this endpoint: " + err.Error()}
	}
	if dec.More() {
		return &oaiError{Status: 400, Type: "invalid_request_error", Code: "invalid_json", Message: "request body has data after the JSON object"}
	}
	return nil
}

// sampling checks the sampling fields shared by both endpoints. OpenAI's
// defaults apply: temperature 1, top_p 1. Without a seed the seed is 0 here
// and the handler draws one, so a resumed stream keeps it.
func oaiSampling(temp, topP *float64, seed *int64, n *int, stop stopList) (inference.Sampling, []string, *oaiError) {
	sp := inference.Sampling{Temperature: 1, TopP: 1}
	if temp != nil {
		if !(*temp >= 0 && *temp <= 2) {
			return sp, nil, oaiBadParam("temperature", "temperature must be between 0 and 2")
		}
		sp.Temperature = float32(*temp)
	}
	if topP != nil {
		if !(*topP > 0 && *topP <= 1) {
			return sp, nil, oaiBadParam("top_p", "top_p must be in (0, 1]")
		}
		sp.TopP = float32(*topP)
	}
	if seed != nil {
		sp.Seed = uint64(*seed)
	}
	if n != nil && *n != 1 {
		return sp, nil, oaiBadParam("n", "n must be 1: tao returns one choice per request")
	}
	if len(stop) == 0 {
		stop = nil
	}
	if len(stop) > 4 {
		return sp, nil, oaiBadParam("stop", "at most 4 stop sequences")
	}
	for _, s := range stop {
		if s == "" || len(s) > 64 {
			return sp, nil, oaiBadParam("stop", "stop sequences must be 1 to 64 bytes")
		}
	}
	return sp, stop, nil
}

func oaiMaxTokens(param string, v *int, def int) (int, *oaiError) {
	if v == nil {
		return def, nil
	}
	if *v < 1 || *v > 1<<16 {
		return 0, oaiBadParam(param, "%s must be between 1 and 65536", param)
	}
	return *v, nil
}

// routingRequest validates a chat request and returns its subnet and the
// request to route.
func (r *chatRequest) routingRequest() (uint16, routing.Request, *oaiError) {
	netuid, err := ParseModelName(r.Model)
	if err != nil {
		return 0, routing.Request{}, &oaiError{Status: 404, Type: "invalid_request_error", Param: "model", Code: "model_not_found", Message: err.Error()}
	}
	if len(r.Messages) == 0 || len(r.Messages) > 256 {
		return 0, routing.Request{}, oaiBadParam("messages", "messages must hold 1 to 256 messages")
	}
	var req routing.Request
	for i, m := range r.Messages {
		role := m.Role
		switch role {
		case "developer":
			role = "system"
		case "system", "user", "assistant":
		default:
			return 0, routing.Request{}, oaiBadParam(fmt.Sprintf("messages[%d].role", i), "role %q is not supported (system, developer, user, assistant)", m.Role)
		}
		req.Messages = append(req.Messages, inference.Message{Role: role, Content: strings.Join(m.Content, "")})
	}
	mt := r.MaxCompletionTokens
	param := "max_completion_tokens"
	if mt == nil {
		mt, param = r.MaxTokens, "max_tokens"
	}
	var oaiErr *oaiError
	if req.MaxTokens, oaiErr = oaiMaxTokens(param, mt, 0); oaiErr != nil {
		return 0, req, oaiErr
	}
	if req.Sampling, req.Stop, oaiErr = oaiSampling(r.Temperature, r.TopP, r.Seed, r.N, r.Stop); oaiErr != nil {
		return 0, req, oaiErr
	}
	return netuid, req, nil
}

// routingRequest validates a completion request. OpenAI's default
// max_tokens for completions is 16.
func (r *completionRequest) routingRequest() (uint16, routing.Request, *oaiError) {
	netuid, err := ParseModelName(r.Model)
	if err != nil {
		return 0, routing.Request{}, &oaiError{Status: 404, Type: "invalid_request_error", Param: "model", Code: "model_not_found", Message: err.Error()}
	}
	var req routing.Request
	switch {
	case len(r.Prompt) != 1 || r.Prompt[0] == "":
		return 0, req, oaiBadParam("prompt", "prompt must be one non-empty string")
	case r.Echo:
		return 0, req, oaiBadParam("echo", "echo is not supported")
	case r.Suffix != "":
		return 0, req, oaiBadParam("suffix", "suffix is not supported")
	}
	req.Prompt = r.Prompt[0]
	var oaiErr *oaiError
	if req.MaxTokens, oaiErr = oaiMaxTokens("max_tokens", r.MaxTokens, 16); oaiErr != nil {
		return 0, req, oaiErr
	}
	if req.Sampling, req.Stop, oaiErr = oaiSampling(r.Temperature, r.TopP, r.Seed, r.N, r.Stop); oaiErr != nil {
		return 0, req, oaiErr
	}
	return netuid, req, nil
}
