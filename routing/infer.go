package routing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// progress is what a request has produced so far, across miners.
type progress struct {
	tokens   []int32
	text     []byte
	receipts []*protocols.Receipt
	miner    peer.ID
	finish   string
	prompt   int
	first    time.Time
	resumes  int
}

// Infer routes req to the best live miner of subnet netuid and calls emit
// with each chunk of the answer as it streams (on the caller's goroutine;
// an error from emit cancels the request and is returned).
//
// When the first token is slow, the request is hedged to the next-best
// miner. When a miner fails before its first token, the next is tried. When
// a stream breaks after tokens were emitted, the request resumes on
// another miner from the prompt plus the tokens already emitted, with the
// same seed, and the caller sees one uninterrupted stream. For greedy
// requests the resumed answer equals an uninterrupted one; for sampled
// requests the continuation draws from a fresh random stream of the same
// seed, so it is a valid sample but not the one the first miner would have
// drawn.
//
// Errors: ErrNoMiners (wrapped) when no miner is live; a *protocols.Error
// with a non-retryable code when the request itself is bad; otherwise the
// last miner's failure, once MaxAttempts miners were tried.
func (c *Client) Infer(ctx context.Context, netuid uint16, req Request, emit func(Chunk) error) (*Result, error) {
	tmpl, err := c.wireRequest(netuid, req)
	if err != nil {
		return nil, err
	}
	c.requests.Add(1)
	start := c.cfg.Clock.Now()
	st := &progress{}
	tried := make(map[peer.ID]bool)
	attempts := 0
	var lastErr error
	for attempts < c.cfg.MaxAttempts {
		freed := c.cfg.Directory.freedCh()
		var ranked []Candidate
		saturated := false
		for _, cand := range c.Live(netuid) {
			switch {
			case tried[cand.Peer]:
			case cand.InFlight >= c.cfg.MaxPerMiner:
				saturated = true
			default:
				ranked = append(ranked, cand)
			}
		}
		if len(ranked) == 0 && saturated {
			// Every untried miner is as busy as this node lets it be:
			// wait for a request to end rather than overload one.
			select {
			case <-freed:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if len(ranked) == 0 {
			break
		}
		ranked = c.cfg.Selector.Rank(ranked)
		w := *tmpl
		if w.RequestID, err = c.requestID(); err != nil {
			return nil, err
		}
		w.Time = c.cfg.Clock.Now().UnixMilli()
		w.ResumeTokens, w.ResumeTextLen = st.tokens, uint32(len(st.text))
		if err := w.Sign(c.cfg.Key); err != nil {
			return nil, err
		}
		raw, err := protocols.EncodeInferRequest(&w)
		if err != nil {
			return nil, &protocols.Error{Code: protocols.CodeBadRequest, Message: err.Error()}
		}
		if len(st.tokens) > 0 {
			st.resumes++
			c.metrics.resumed()
		}
		err = c.race(ctx, netuid, ranked, raw, len(st.tokens), st, tried, &attempts, emit)
		if err == nil {
			c.metrics.request("client", "ok")
			return st.result(start, c.cfg.Clock.Now()), nil
		}
		if ctx.Err() != nil || errors.Is(err, errEmit) || errors.Is(err, ErrBadReceipt) || isClientFault(err) {
			c.metrics.request("client", clientOutcome(ctx, err))
			return nil, unwrapEmit(err)
		}
		c.log.Debug("miner failed", "netuid", netuid, "emitted", len(st.tokens), "err", err)
		if len(st.tokens) == 0 && len(st.text) > 0 {
			// A text-only miner (an upstream engine) broke off: its text
			// cannot be continued token for token elsewhere.
			c.metrics.request("client", "failed")
			return nil, fmt.Errorf("routing: subnet %d: miner broke off a text-only answer after %d bytes (text-only streams are not resumed): %w", netuid, len(st.text), err)
		}
		lastErr = err
	}
	if lastErr == nil {
		c.metrics.request("client", "no_miner")
		return nil, fmt.Errorf("%w for subnet %d: no miner with a fresh heartbeat for the subnet's model is reachable (start one with `tao miner --netuid %d`, or wait for heartbeats)", ErrNoMiners, netuid, netuid)
	}
	c.metrics.request("client", "failed")
	return nil, fmt.Errorf("routing: subnet %d: %d miners tried, the last failed: %w", netuid, len(tried), lastErr)
}

func (st *progress) result(start, end time.Time) *Result {
	r := &Result{
		Text: string(st.text), Tokens: st.tokens, Finish: st.finish, PromptTokens: st.prompt,
		CompletionTokens: len(st.tokens), Miner: st.miner, Receipts: st.receipts, Resumes: st.resumes,
		Duration: end.Sub(start),
	}
	if len(st.tokens) == 0 {
		for _, rc := range st.receipts { // a text-only answer: the miner's count
			r.CompletionTokens += int(rc.CompletionTokens)
		}
	}
	if !st.first.IsZero() {
		r.TTFT = st.first.Sub(start)
	}
	return r
}

// clientOutcome names how a request that will not be retried ended.
func clientOutcome(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil || errors.Is(err, errEmit):
		return "cancelled"
	case errors.Is(err, ErrBadReceipt):
		return "bad_receipt"
	}
	return "bad_request"
}

// errEmit marks the caller's emit error, returned as is.
var errEmit = errors.New("emit")

type emitError struct{ err error }

func (e *emitError) Error() string        { return e.err.Error() }
func (e *emitError) Is(target error) bool { return target == errEmit }
func unwrapEmit(err error) error {
	var ee *emitError
	if errors.As(err, &ee) {
		return ee.err
	}
	return err
}

// event is a frame or failure of one attempt.
type event struct {
	idx   int
	frame *protocols.Frame
	err   error
}

// race sends raw to ranked[0], hedging to the next after the hedge delay
// and failing over while no attempt has produced a frame. The first
// attempt to stream wins; the others are cancelled. It returns nil once
// the winner's receipt checks out.
func (c *Client) race(ctx context.Context, netuid uint16, ranked []Candidate, raw []byte, resumed int, st *progress, tried map[peer.ID]bool, attempts *int, emit func(Chunk) error) error {
	rctx, cancelAll := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancelAll()
	events := make(chan event)
	var cancels []context.CancelFunc
	next, live := 0, 0
	begun := c.cfg.Clock.Now()
	start := func() {
		p := ranked[next].Peer
		tried[p] = true
		*attempts++
		actx, cancel := context.WithCancel(rctx)
		cancels = append(cancels, cancel)
		idx := next
		wg.Go(func() { c.stream(actx, idx, p, raw, events) })
		next++
		live++
	}
	start()
	var hedge <-chan time.Time
	if d, ok := c.hedgeDelay(); ok && len(ranked) > 1 {
		t := time.NewTimer(d)
		defer t.Stop()
		hedge = t.C
	}
	winner := -1
	var mine []int32    // tokens of the winning attempt
	var mineText []byte // and its text
	var seq uint32
	var lastErr error
	for {
		var ev event
		select {
		case ev = <-events:
		case <-hedge:
			hedge = nil
			if winner < 0 && next < len(ranked) && *attempts < c.cfg.MaxAttempts {
				c.hedges.Add(1)
				c.metrics.hedged()
				start()
			}
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		if winner >= 0 && ev.idx != winner {
			continue // a cancelled loser's last words
		}
		p := ranked[ev.idx].Peer
		f := ev.frame
		failed := ev.err
		if f != nil && f.Type == protocols.FrameError {
			failed = f.Error
			if isClientFault(f.Error) {
				return f.Error
			}
		}
		if failed != nil {
			if !busy(failed) {
				// A busy miner is healthy: the capacity in its heartbeats
				// steers traffic away; only failures earn a ban.
				c.bans.fail(p)
			}
			cancels[ev.idx]()
			if winner >= 0 {
				return fmt.Errorf("miner %s broke off after %d tokens: %w", p, len(mine), failed)
			}
			lastErr = failed
			if live--; live == 0 {
				if next < len(ranked) && *attempts < c.cfg.MaxAttempts {
					start()
					continue
				}
				return lastErr
			}
			continue
		}
		if winner < 0 {
			winner = ev.idx
			for i, cancel := range cancels {
				if i != winner {
					cancel()
				}
			}
			if st.first.IsZero() {
				st.first = c.cfg.Clock.Now()
			}
			c.ttft.add(c.cfg.Clock.Now().Sub(begun))
			c.metrics.firstToken("client", c.cfg.Clock.Now().Sub(begun).Seconds())
		}
		switch f.Type {
		case protocols.FrameChunk:
			ch := f.Chunk
			if ch.Seq != seq {
				c.bans.fail(p)
				return fmt.Errorf("miner %s sent chunk %d, want %d", p, ch.Seq, seq)
			}
			seq++
			mine = append(mine, ch.TokenIDs...)
			mineText = append(mineText, ch.Text...)
			st.tokens = append(st.tokens, ch.TokenIDs...)
			st.text = append(st.text, ch.Text...)
			if err := emit(Chunk{Text: string(ch.Text), TokenIDs: ch.TokenIDs, Logprobs: ch.Logprobs, Miner: p}); err != nil {
				return &emitError{err}
			}
		case protocols.FrameReceipt:
			rc := f.Receipt
			if err := c.checkReceipt(netuid, p, rc, raw, mine, mineText); err != nil {
				c.bans.fail(p)
				c.cfg.Host.Ban(p, "bad inference receipt")
				return err
			}
			c.bans.ok(p)
			st.receipts = append(st.receipts, rc)
			st.miner, st.finish = p, rc.Finish
			st.prompt = max(int(rc.PromptTokens)-resumed, 0)
			return nil
		}
	}
}

// busy reports a refusal for load (overloaded or rate limited).
func busy(err error) bool {
	pe, ok := errors.AsType[*protocols.Error](err)
	return ok && (pe.Code == protocols.CodeOverloaded || pe.Code == protocols.CodeRateLimited)
}

// checkReceipt verifies a receipt against the request and the tokens the
// miner streamed, or the text if it streamed text without token IDs (an
// upstream engine; protocols.OutputTextHash).
func (c *Client) checkReceipt(netuid uint16, p peer.ID, rc *protocols.Receipt, raw []byte, tokens []int32, text []byte) error {
	if err := rc.Verify(c.cfg.Host.ChainID()); err != nil {
		return fmt.Errorf("%w: %v", ErrBadReceipt, err)
	}
	id, err := rc.MinerID()
	switch {
	case err != nil || id != p:
		return fmt.Errorf("%w: signed by another key than miner %s", ErrBadReceipt, p)
	case rc.NetUID != netuid || !bytes.Equal(rc.RequestHash, protocols.RequestHash(raw)):
		return fmt.Errorf("%w: for another request", ErrBadReceipt)
	case len(tokens) == 0 && len(text) > 0:
		if !bytes.Equal(rc.OutputHash, protocols.OutputTextHash(text)) {
			return fmt.Errorf("%w: the receipt does not commit to the %d bytes of text streamed", ErrBadReceipt, len(text))
		}
	case int(rc.CompletionTokens) != len(tokens) || !bytes.Equal(rc.OutputHash, protocols.OutputHash(tokens)):
		return fmt.Errorf("%w: %d tokens streamed, receipt says %d", ErrBadReceipt, len(tokens), rc.CompletionTokens)
	}
	if info, ok := c.cfg.Directory.cfg.Registry.Subnet(netuid); ok && !bytes.Equal(rc.ModelCID, info.ModelCID.Bytes()) {
		return fmt.Errorf("%w: model %x, subnet declares %s", ErrBadReceipt, rc.ModelCID, info.ModelCID)
	}
	return nil
}
