package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/routing"
)

// registerOpenAI serves the OpenAI-compatible API (DESIGN §6): models are
// subnets ("subnet-1"), requests are routed to the subnet's miners.
func (n *Node) registerOpenAI(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/models", n.handleModels)
	mux.HandleFunc("GET /v1/models/{model}", n.handleModel)
	mux.HandleFunc("POST /v1/chat/completions", n.handleChat)
	mux.HandleFunc("POST /v1/completions", n.handleCompletion)
}

// oaiModel is one entry of GET /v1/models. The tao_ fields are extensions.
type oaiModel struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Created  int64  `json:"created"`
	OwnedBy  string `json:"owned_by"`
	ModelCID string `json:"tao_model_cid"`
	Miners   int    `json:"tao_live_miners"`
}

// liveModels lists the declared subnets that have a live miner now.
func (n *Node) liveModels() []oaiModel {
	out := []oaiModel{}
	if n.rt == nil {
		return out
	}
	for _, netuid := range n.Subnets() {
		live := len(n.rt.client.Live(netuid))
		if live == 0 {
			continue
		}
		info, _ := n.rt.reg.Subnet(netuid)
		out = append(out, oaiModel{ID: ModelName(netuid), Object: "model", OwnedBy: "tao", ModelCID: info.ModelCID.String(), Miners: live})
	}
	return out
}

func (n *Node) handleModels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": n.liveModels()})
}

func (n *Node) handleModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("model")
	for _, m := range n.liveModels() {
		if m.ID == id {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeOAIError(w, &oaiError{Status: 404, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
		Message: fmt.Sprintf("model %q has no live miner on this node's network (GET /v1/models lists those that do)", id)})
}

func writeOAIError(w http.ResponseWriter, e *oaiError) {
	writeJSON(w, e.Status, map[string]*oaiError{"error": e})
}

func readAPIBody(w http.ResponseWriter, r *http.Request) ([]byte, *oaiError) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIRequest))
	if err != nil {
		return nil, &oaiError{Status: 413, Type: "invalid_request_error", Code: "request_too_large", Message: fmt.Sprintf("request body over %d bytes", maxAPIRequest)}
	}
	return b, nil
}

func (n *Node) handleChat(w http.ResponseWriter, r *http.Request) {
	b, oerr := readAPIBody(w, r)
	var req chatRequest
	if oerr == nil {
		oerr = oaiDecode(b, &req)
	}
	if oerr != nil {
		writeOAIError(w, oerr)
		return
	}
	netuid, rreq, oerr := req.routingRequest()
	if oerr != nil {
		writeOAIError(w, oerr)
		return
	}
	usage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	n.complete(w, r, true, req.Model, netuid, rreq, req.Stream, usage)
}

func (n *Node) handleCompletion(w http.ResponseWriter, r *http.Request) {
	b, oerr := readAPIBody(w, r)
	var req completionRequest
	if oerr == nil {
		oerr = oaiDecode(b, &req)
	}
	if oerr != nil {
		writeOAIError(w, oerr)
		return
	}
	netuid, rreq, oerr := req.routingRequest()
	if oerr != nil {
		writeOAIError(w, oerr)
		return
	}
	usage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	n.complete(w, r, false, req.Model, netuid, rreq, req.Stream, usage)
}

// routeError maps a routing failure to an OpenAI error.
func routeError(model string, netuid uint16, err error) *oaiError {
	var pe *protocols.Error
	switch {
	case errors.Is(err, routing.ErrNoMiners):
		return &oaiError{Status: 503, Type: "service_unavailable", Code: "no_live_miner",
			Message: fmt.Sprintf("no miner is live for %s (subnet %d) right now: start one with `tao miner --netuid %d`, or retry when miners heartbeat again", model, netuid, netuid)}
	case errors.As(err, &pe) && pe.Code == protocols.CodeContextLength:
		return &oaiError{Status: 400, Type: "invalid_request_error", Code: "context_length_exceeded", Message: pe.Message}
	case errors.As(err, &pe) && pe.Code == protocols.CodeBadRequest:
		return &oaiError{Status: 400, Type: "invalid_request_error", Code: "invalid_request", Message: pe.Message}
	}
	return &oaiError{Status: 502, Type: "server_error", Code: "miners_failed", Message: err.Error()}
}

// complete routes one request and answers it, streamed (SSE) or whole.
func (n *Node) complete(w http.ResponseWriter, r *http.Request, chat bool, model string, netuid uint16, req routing.Request, stream, usage bool) {
	if n.rt == nil {
		writeOAIError(w, &oaiError{Status: 503, Type: "service_unavailable", Code: "starting", Message: "the node is starting"})
		return
	}
	if _, ok := n.rt.reg.Subnet(netuid); !ok {
		msg := fmt.Sprintf("subnet %d is not declared on this node (declared: %v); declare it with --subnet %d=MODEL_CID", netuid, n.Subnets(), netuid)
		if n.chain != nil { // subnets come from the ledger, and from --subnet
			msg = fmt.Sprintf("subnet %d is not on this node's chain (subnets: %v); `tao subnet list` shows them and `tao subnet create` makes one (or declare an off-chain subnet with --subnet %d=MODEL_CID)", netuid, n.Subnets(), netuid)
		}
		writeOAIError(w, &oaiError{Status: 404, Type: "invalid_request_error", Param: "model", Code: "model_not_found", Message: msg})
		return
	}
	if req.Sampling.Seed == 0 && req.Sampling.Temperature > 0 {
		// Draw the seed here, so that a stream resumed on another miner
		// continues with the same one.
		var b [8]byte
		_, _ = rand.Read(b[:])
		req.Sampling.Seed = binary.LittleEndian.Uint64(b[:])
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(n.rt.ctx, cancel)()
	var idb [12]byte
	_, _ = rand.Read(idb[:])
	prefix := "cmpl-"
	if chat {
		prefix = "chatcmpl-"
	}
	o := &oaiStream{w: w, chat: chat, id: prefix + hex.EncodeToString(idb[:]), model: model, created: time.Now().Unix()}
	if !stream {
		res, err := n.rt.client.Infer(ctx, netuid, req, func(routing.Chunk) error { return nil })
		if err != nil {
			if ctx.Err() == nil {
				writeOAIError(w, routeError(model, netuid, err))
			}
			return
		}
		writeJSON(w, http.StatusOK, o.whole(res))
		return
	}
	res, err := n.rt.client.Infer(ctx, netuid, req, o.chunk)
	switch {
	case err != nil && !o.started:
		if ctx.Err() == nil {
			writeOAIError(w, routeError(model, netuid, err))
		}
	case err != nil:
		o.event(map[string]*oaiError{"error": routeError(model, netuid, err)})
	default:
		o.finish(res, usage)
	}
}

// oaiStream writes one answer in OpenAI's shapes.
type oaiStream struct {
	w       http.ResponseWriter
	chat    bool
	id      string
	model   string
	created int64
	started bool
	pending []byte // an incomplete UTF-8 character held for the next chunk
}

type oaiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(res *routing.Result) *oaiUsage {
	return &oaiUsage{PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, TotalTokens: res.PromptTokens + res.CompletionTokens}
}

// object is the top level of a response or chunk.
func (o *oaiStream) object(stream bool, choices []map[string]any, usage *oaiUsage) map[string]any {
	kind := "text_completion"
	if o.chat && stream {
		kind = "chat.completion.chunk"
	} else if o.chat {
		kind = "chat.completion"
	}
	m := map[string]any{"id": o.id, "object": kind, "created": o.created, "model": o.model, "choices": choices}
	if usage != nil {
		m["usage"] = usage
	}
	return m
}

func (o *oaiStream) choice(text string, finish any, first bool) map[string]any {
	c := map[string]any{"index": 0, "logprobs": nil, "finish_reason": finish}
	if !o.chat {
		c["text"] = text
		return c
	}
	delta := map[string]any{}
	if first {
		delta["role"] = "assistant"
	}
	if text != "" || first {
		delta["content"] = text
	}
	c["delta"] = delta
	return c
}

func (o *oaiStream) whole(res *routing.Result) map[string]any {
	c := map[string]any{"index": 0, "logprobs": nil, "finish_reason": res.Finish}
	if o.chat {
		c["message"] = map[string]any{"role": "assistant", "content": res.Text}
	} else {
		c["text"] = res.Text
	}
	return o.object(false, []map[string]any{c}, usageOf(res))
}

// chunk streams one routing chunk as an SSE event, starting the stream on
// the first: until then an error can still be a plain HTTP error.
func (o *oaiStream) chunk(c routing.Chunk) error {
	first := !o.started
	if first {
		h := o.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		o.w.WriteHeader(http.StatusOK)
		o.started = true
	}
	o.pending = append(o.pending, c.Text...)
	cut := utf8Complete(o.pending)
	text := string(o.pending[:cut])
	o.pending = append(o.pending[:0], o.pending[cut:]...)
	if text == "" && !first {
		return nil
	}
	return o.event(o.object(true, []map[string]any{o.choice(text, nil, first)}, nil))
}

func (o *oaiStream) finish(res *routing.Result, usage bool) {
	if !o.started {
		_ = o.chunk(routing.Chunk{})
	}
	_ = o.event(o.object(true, []map[string]any{o.choice(string(o.pending), res.Finish, false)}, nil))
	if usage {
		_ = o.event(o.object(true, []map[string]any{}, usageOf(res)))
	}
	_, _ = io.WriteString(o.w, "data: [DONE]\n\n")
	_ = http.NewResponseController(o.w).Flush()
}

func (o *oaiStream) event(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString("data: ")
	sb.Write(b)
	sb.WriteString("\n\n")
	if _, err := io.WriteString(o.w, sb.String()); err != nil {
		return err
	}
	return http.NewResponseController(o.w).Flush()
}

// utf8Complete returns the length of b without a trailing incomplete UTF-8
// character (which JSON would turn into U+FFFD if sent now).
func utf8Complete(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return len(b)
		}
		if c >= 0xC0 {
			if utf8.FullRune(b[len(b)-i:]) {
				return len(b)
			}
			return len(b) - i
		}
	}
	return len(b)
}
