package routing

import (
	"context"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// Query sends req to miner p of subnet netuid and nothing else: no
// selection, hedging, failover or resume, so the answer is p's alone. It
// is how a validator measures one miner. The Result carries the tokens p
// streamed, its time to first token and total duration as seen here, and
// p's signed receipt (Receipts[0]), checked against the request and the
// tokens.
//
// Errors: a *protocols.Error when p refused (or the request is bad),
// ErrBadReceipt (wrapped) when p's receipt does not match its answer (which
// is evidence against p), otherwise the transport failure or ctx's error.
// Query does not ban p in the client's selection: the caller judges it.
func (c *Client) Query(ctx context.Context, netuid uint16, p peer.ID, req Request) (*Result, error) {
	tmpl, err := c.wireRequest(netuid, req)
	if err != nil {
		return nil, err
	}
	w := *tmpl
	if w.RequestID, err = c.requestID(); err != nil {
		return nil, err
	}
	w.Time = c.cfg.Clock.Now().UnixMilli()
	if err := w.Sign(c.cfg.Key); err != nil {
		return nil, err
	}
	raw, err := protocols.EncodeInferRequest(&w)
	if err != nil {
		return nil, &protocols.Error{Code: protocols.CodeBadRequest, Message: err.Error()}
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.stream(qctx, 0, p, raw, events)
	}()
	defer func() { cancel(); <-done }()

	start := c.cfg.Clock.Now()
	st := &progress{miner: p}
	var seq uint32
	for {
		var ev event
		select {
		case ev = <-events:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if ev.err != nil {
			return nil, ev.err
		}
		f := ev.frame
		switch f.Type {
		case protocols.FrameError:
			if f.Error == nil {
				return nil, fmt.Errorf("miner %s sent an empty error frame", p)
			}
			return nil, f.Error
		case protocols.FrameChunk:
			if st.first.IsZero() {
				st.first = c.cfg.Clock.Now()
			}
			ch := f.Chunk
			if ch.Seq != seq {
				return nil, fmt.Errorf("miner %s sent chunk %d, want %d", p, ch.Seq, seq)
			}
			seq++
			st.tokens = append(st.tokens, ch.TokenIDs...)
			st.text = append(st.text, ch.Text...)
		case protocols.FrameReceipt:
			rc := f.Receipt
			if rc == nil {
				return nil, fmt.Errorf("%w: miner %s sent an empty receipt frame", ErrBadReceipt, p)
			}
			if err := c.checkReceipt(netuid, p, rc, raw, st.tokens, st.text); err != nil {
				return nil, err
			}
			if st.first.IsZero() {
				st.first = c.cfg.Clock.Now() // an empty answer: the receipt is the first frame
			}
			st.receipts = []*protocols.Receipt{rc}
			st.finish, st.prompt = rc.Finish, int(rc.PromptTokens)
			return st.result(start, c.cfg.Clock.Now()), nil
		default:
			return nil, errors.New("routing: unknown frame type")
		}
	}
}
