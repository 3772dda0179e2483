package routing

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/protocols"
)

// Stream deadlines of the miner.
const (
	requestReadTimeout = 10 * time.Second // the request must arrive by then
	frameWriteTimeout  = 30 * time.Second // a client that stops reading is dropped
)

// Resumer is implemented by engines that can continue another miner's
// broken stream exactly (inference.Builtin): the prompt's tokens, to which
// the tokens already emitted are appended, and each token's text. A miner
// whose engine lacks it refuses resumed requests with
// CodeResumeUnsupported, and the client tries another miner.
type Resumer interface {
	PromptTokens(inference.Request) ([]int32, error)
	Piece(id int32) string
}

// minerError is a refusal with its wire code.
type minerError struct {
	code protocols.ErrorCode
	msg  string
}

func (e *minerError) Error() string { return e.msg }

func refuse(code protocols.ErrorCode, format string, args ...any) *minerError {
	return &minerError{code: code, msg: fmt.Sprintf(format, args...)}
}

// handle serves one infer/1 stream. Every peer is hostile (STYLE §13): the
// request is read under a deadline and a size limit, and verified before
// any work.
func (m *Miner) handle(s network.Stream) {
	if !m.enter() {
		s.Reset()
		return
	}
	defer m.wg.Done()
	_ = s.SetReadDeadline(m.cfg.Clock.Now().Add(requestReadTimeout))
	reserved := 0
	b, err := protocols.ReadMsgReserve(bufio.NewReader(s), protocols.MaxInferRequestSize, func(n int) error {
		if err := s.Scope().ReserveMemory(n, network.ReservationPriorityAlways); err != nil {
			return err
		}
		reserved = n
		return nil
	})
	s.Scope().ReleaseMemory(reserved)
	if err != nil {
		m.log.Debug("read request", "peer", s.Conn().RemotePeer(), "err", err)
		s.Reset()
		return
	}
	_ = s.SetReadDeadline(time.Time{})
	// The client keeps its side open until the last frame: anything it
	// does on the stream (a reset when it gives up or hedged elsewhere)
	// cancels the request, so abandoned work frees its slot at once.
	ctx, cancel := context.WithCancel(m.ctx)
	defer cancel()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		var one [1]byte
		_, _ = s.Read(one[:])
		cancel()
	}()
	defer func() { <-watched }()
	w := bufio.NewWriter(s)
	req, err := m.admit(s.Conn().RemotePeer(), b)
	if err == nil {
		qctx, qcancel := context.WithTimeout(ctx, m.cfg.QueueTimeout)
		ok := m.slots.acquire(qctx)
		qcancel()
		switch {
		case ok:
			err = m.serve(ctx, s, w, req, b)
			m.slots.release()
		case m.ctx.Err() != nil:
			err = refuse(protocols.CodeUnavailable, "miner shutting down")
		case ctx.Err() != nil:
			err = refuse(protocols.CodeUnavailable, "request abandoned")
		default:
			err = refuse(protocols.CodeOverloaded, "miner overloaded: all %d slots busy and the queue is full", m.cfg.MaxConcurrent)
		}
	}
	m.metrics.request("miner", outcome(err))
	if err != nil {
		var me *minerError
		if !errors.As(err, &me) {
			me = refuse(protocols.CodeInternal, "%v", err)
		}
		m.log.Debug("request failed", "peer", s.Conn().RemotePeer(), "code", me.code, "err", me.msg)
		if werr := m.writeFrame(s, w, &protocols.Frame{Type: protocols.FrameError, Error: &protocols.Error{Code: me.code, Message: truncate(me.msg, protocols.MaxErrorMessage)}}); werr != nil {
			s.Reset()
			return
		}
	}
	s.Close()
}

// admit decodes and checks a request from peer p.
func (m *Miner) admit(p peer.ID, b []byte) (*protocols.InferRequest, error) {
	req, err := protocols.DecodeInferRequest(b)
	if err != nil {
		return nil, refuse(protocols.CodeBadRequest, "%v", err)
	}
	if err := req.Verify(m.cfg.Host.ChainID()); err != nil {
		return nil, refuse(protocols.CodeUnauthorized, "%v", err)
	}
	if id, err := req.ClientID(); err != nil || id != p {
		return nil, refuse(protocols.CodeUnauthorized, "request signed by another key than the stream's peer")
	}
	if req.NetUID != m.cfg.NetUID {
		return nil, refuse(protocols.CodeWrongSubnet, "this miner serves subnet %d, not %d", m.cfg.NetUID, req.NetUID)
	}
	skew := m.cfg.Clock.Now().Sub(time.UnixMilli(req.Time))
	if skew > MaxClockSkew || skew < -MaxClockSkew {
		return nil, refuse(protocols.CodeUnauthorized, "request timestamp is %v off this miner's clock (limit %v): check the client's clock", skew.Round(time.Second), MaxClockSkew)
	}
	weight := 1.0
	if m.cfg.Registry != nil {
		if n, ok := m.cfg.Registry.Neuron(m.cfg.NetUID, p); ok {
			weight = stakeWeight(n.Stake)
		}
	}
	if !m.limiter.allow(p, weight) {
		return nil, refuse(protocols.CodeRateLimited, "rate limited: more than %.0f requests/s from this client", m.cfg.Rate*weight)
	}
	var k replayKey
	k.client = p
	copy(k.id[:], req.RequestID)
	switch fresh, err := m.replays.first(k); {
	case err != nil:
		m.log.Error("replay window", "err", err)
		return nil, refuse(protocols.CodeUnavailable, "this miner cannot record requests (disk?); try another miner")
	case !fresh:
		return nil, refuse(protocols.CodeReplay, "request %x was seen before", req.RequestID)
	}
	return req, nil
}

// engineRequest converts a wire request to the engine's, resolving a
// resume into prompt tokens, and returns the text of the resumed tokens
// that the client has not shown yet.
func (m *Miner) engineRequest(req *protocols.InferRequest) (inference.Request, string, error) {
	sp := req.Sampling
	er := inference.Request{
		Prompt: req.Prompt, MaxTokens: int(req.MaxTokens), Stop: req.Stop,
		Sampling: inference.Sampling{
			Temperature: float32(sp.TemperatureMilli) / 1000, TopK: int(sp.TopK), TopP: float32(sp.TopPMilli) / 1000,
			RepeatPenalty: float32(sp.RepeatPenaltyMilli) / 1000, RepeatLastN: int(sp.RepeatLastN), Seed: req.Seed,
		},
	}
	for _, msg := range req.Messages {
		er.Messages = append(er.Messages, inference.Message{Role: msg.Role, Content: msg.Content})
	}
	if len(req.ResumeTokens) == 0 {
		if req.ResumeTextLen > 0 {
			return er, "", refuse(protocols.CodeBadRequest, "resume text without resume tokens: a text-only stream cannot be resumed")
		}
		return er, "", nil
	}
	rs, ok := m.cfg.Engine.(Resumer)
	if !ok {
		return er, "", refuse(protocols.CodeResumeUnsupported, "this miner's engine cannot resume from tokens")
	}
	prompt, err := rs.PromptTokens(er)
	if err != nil {
		return er, "", engineError(err)
	}
	var text strings.Builder
	for _, t := range req.ResumeTokens {
		text.WriteString(rs.Piece(t))
	}
	if int(req.ResumeTextLen) > text.Len() {
		return er, "", refuse(protocols.CodeBadRequest, "resume text length %d exceeds the resumed tokens' %d bytes", req.ResumeTextLen, text.Len())
	}
	er.Prompt, er.Messages = "", nil
	er.PromptTokens = append(prompt, req.ResumeTokens...)
	if er.MaxTokens > 0 {
		er.MaxTokens -= len(req.ResumeTokens)
	}
	return er, text.String()[req.ResumeTextLen:], nil
}

// engineError classifies an engine failure.
func engineError(err error) error {
	switch {
	case errors.Is(err, inference.ErrContext):
		return refuse(protocols.CodeContextLength, "%v", err)
	case errors.Is(err, inference.ErrClosed), errors.Is(err, context.Canceled):
		return refuse(protocols.CodeUnavailable, "%v", err)
	}
	return refuse(protocols.CodeInternal, "%v", err)
}

func (m *Miner) writeFrame(s network.Stream, w *bufio.Writer, f *protocols.Frame) error {
	b, err := protocols.EncodeFrame(f)
	if err != nil {
		return err
	}
	_ = s.SetWriteDeadline(m.cfg.Clock.Now().Add(frameWriteTimeout))
	if err := protocols.WriteMsg(w, b); err != nil {
		return err
	}
	return w.Flush()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
