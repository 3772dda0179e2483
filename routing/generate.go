package routing

import (
	"bufio"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/protocols"
)

// errStopString ends a resumed generation at a stop string that spans the
// resume point (the engine saw only the part after it).
var errStopString = errors.New("stop string across the resume point")

// serve runs one admitted request: chunks as tokens come, then the signed
// receipt. The request's own deadline is MaxDuration; closing the miner
// or the client abandoning the stream cancels it.
func (m *Miner) serve(ctx context.Context, s network.Stream, w *bufio.Writer, req *protocols.InferRequest, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.MaxDuration)
	defer cancel()
	start := m.cfg.Clock.Now()
	er, pending, err := m.engineRequest(req)
	if err != nil {
		return err
	}
	filter := &stopFilter{pending: pending, stops: req.Stop}
	eos := m.cfg.Engine.Info().EOS
	var (
		seq      uint32
		tokens   []int32
		first    time.Time
		textOnly bool            // the engine streams text without token IDs (an upstream)
		pieces   int             // its text pieces, counted as its tokens
		out      strings.Builder // the text sent, for a text-only receipt
	)
	send := func(ids []int32, lps []float32, text string) error {
		out.WriteString(text)
		c := &protocols.Chunk{Seq: seq, TokenIDs: ids, Text: []byte(text), Logprobs: lps}
		seq++
		return m.writeFrame(s, w, &protocols.Frame{Type: protocols.FrameChunk, Chunk: c})
	}
	finish := "length"
	promptTokens := len(er.PromptTokens)
	if req.MaxTokens > 0 && er.MaxTokens <= 0 {
		// The resumed tokens already used the whole budget.
		if rest := filter.flush(); rest != "" {
			if err := send(nil, nil, rest); err != nil {
				return err
			}
		}
	} else {
		res, err := m.cfg.Engine.Generate(ctx, er, func(t inference.Token) error {
			if first.IsZero() {
				first = m.cfg.Clock.Now()
			}
			var ids []int32
			var lps []float32
			// The end-of-generation token is not output; the engine sends
			// it only to release held-back text. An engine without token
			// IDs (ID < 0) streams text only.
			switch {
			case t.ID < 0:
				textOnly = true
				pieces++
			case eos < 0 || t.ID != eos:
				ids, lps = []int32{t.ID}, []float32{min(t.Logprob, 0)}
				tokens = append(tokens, t.ID)
			}
			text, stopped := filter.push(t.Text)
			if err := send(ids, lps, text); err != nil {
				return err
			}
			if stopped {
				return errStopString
			}
			return nil
		})
		switch {
		case errors.Is(err, errStopString):
			finish = "stop"
		case err != nil:
			if m.ctx.Err() != nil {
				return refuse(protocols.CodeUnavailable, "miner shutting down")
			}
			return engineError(err)
		default:
			finish = string(res.Finish)
		}
		promptTokens = len(res.PromptTokens)
		if !filter.stopped {
			if rest := filter.flush(); rest != "" {
				if err := send(nil, nil, rest); err != nil {
					return err
				}
			}
		}
	}
	end := m.cfg.Clock.Now()
	var ttft time.Duration
	if !first.IsZero() {
		ttft = first.Sub(start)
		m.ttft.add(ttft)
		m.metrics.firstToken("miner", ttft.Seconds())
		if n := len(tokens); n > 1 {
			m.speed.add(end.Sub(first) / time.Duration(n-1))
		}
	}
	outputHash, completion := protocols.OutputHash(tokens), len(tokens)
	if textOnly && len(tokens) == 0 {
		outputHash, completion = protocols.OutputTextHash([]byte(out.String())), pieces
	}
	rc := &protocols.Receipt{
		ChainID: m.cfg.Host.ChainID(), NetUID: m.cfg.NetUID,
		RequestHash: protocols.RequestHash(raw), OutputHash: outputHash,
		ModelCID: m.model, PromptTokens: uint32(promptTokens), CompletionTokens: uint32(completion),
		Finish: finish, TTFTMs: uint32(ttft / time.Millisecond), DurationMs: uint32(end.Sub(start) / time.Millisecond),
	}
	if err := rc.Sign(m.cfg.Key); err != nil {
		return err
	}
	if err := m.writeFrame(s, w, &protocols.Frame{Type: protocols.FrameReceipt, Receipt: rc}); err != nil {
		return err
	}
	m.publishReceipt(rc)
	return nil
}

// stopFilter releases the text of a resumed stream: the resumed tokens'
// text the client has not shown yet, followed by the engine's text, held
// back while it may begin a stop string and cut at one that spans the
// resume point. Once nothing is pending it passes text through: later stop
// strings lie wholly in the engine's text, which the engine cuts itself.
type stopFilter struct {
	pending string
	stops   []string
	stopped bool
	done    bool // pass-through
}

func (f *stopFilter) push(s string) (out string, stopped bool) {
	if f.done || f.stopped {
		return s, false
	}
	f.pending += s
	for _, st := range f.stops {
		if i := strings.Index(f.pending, st); i >= 0 {
			out, f.pending, f.stopped = f.pending[:i], "", true
			return out, true
		}
	}
	keep := 0
	for _, st := range f.stops {
		for k := min(len(st)-1, len(f.pending)); k > keep; k-- {
			if strings.HasSuffix(f.pending, st[:k]) {
				keep = k
				break
			}
		}
	}
	cut := len(f.pending) - keep
	out, f.pending = f.pending[:cut], f.pending[cut:]
	if f.pending == "" {
		f.done = true
	}
	return out, false
}

func (f *stopFilter) flush() string {
	out := f.pending
	f.pending = ""
	return out
}
