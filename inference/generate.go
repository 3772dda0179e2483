package inference

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Generate implements Engine.
func (e *Builtin) Generate(ctx context.Context, req Request, emit func(Token) error) (Result, error) {
	prompt, err := e.promptTokens(req)
	if err != nil {
		return Result{}, err
	}
	room := e.m.Ctx - len(prompt)
	maxTok := req.MaxTokens
	if maxTok <= 0 || maxTok > room {
		maxTok = room
	}
	j := &job{
		ctx: ctx, prompt: prompt, maxTokens: maxTok,
		seq:    e.m.NewSeq(len(prompt) + maxTok),
		samp:   newSampler(req.Sampling, prompt),
		events: make(chan event, maxTok+1),
	}
	if err := e.start(); err != nil {
		return Result{}, err
	}
	select {
	case e.submit <- j:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-e.quit:
		return Result{}, ErrClosed
	}
	defer j.cancelled.Store(true) // stop the scheduler on any early return
	res := Result{PromptTokens: prompt}
	var raw []byte
	released := 0
	var start, first, last time.Time
	for {
		var ev event
		select {
		case ev = <-j.events:
		case <-ctx.Done():
			return res, ctx.Err()
		}
		if ev.err != nil {
			return res, ev.err
		}
		if first.IsZero() {
			// j.start was written before this event was sent.
			start, first = j.start, ev.at
		}
		last = ev.at
		tok := Token{ID: ev.id, Logprob: ev.lp}
		finish := ev.finish
		if !ev.eog {
			res.Tokens = append(res.Tokens, ev.id)
			raw = append(raw, e.m.Tok.Piece(ev.id)...)
		}
		end := releasable(raw, req.Stop)
		if i := findStop(raw, req.Stop, released); i >= 0 {
			raw, end, finish = raw[:i], i, FinishStop
		} else if finish != "" {
			end = len(raw)
		}
		tok.Text = string(raw[released:end])
		released = end
		if !ev.eog || tok.Text != "" {
			if err := emit(tok); err != nil {
				return res, err
			}
		}
		if finish != "" {
			res.Text, res.Finish = string(raw), finish
			res.Prefill = first.Sub(start)
			res.Decode = last.Sub(first)
			return res, nil
		}
	}
}

// findStop returns the offset of the first stop string in raw that ends
// after from, or -1.
func findStop(raw []byte, stops []string, from int) int {
	best := -1
	for _, s := range stops {
		if s == "" {
			continue
		}
		start := max(0, from-len(s)+1)
		if i := strings.Index(string(raw[start:]), s); i >= 0 && (best < 0 || start+i < best) {
			best = start + i
		}
	}
	return best
}

// releasable is how much of raw can be streamed: it holds back a suffix
// that may begin a stop string and an incomplete trailing UTF-8 character.
func releasable(raw []byte, stops []string) int {
	end := len(raw)
	for _, s := range stops {
		for k := min(len(s)-1, len(raw)); k > 0; k-- {
			if strings.HasPrefix(s, string(raw[len(raw)-k:])) {
				end = min(end, len(raw)-k)
				break
			}
		}
	}
	// Back off over an incomplete multi-byte character.
	for i := 1; i <= 3 && i <= end; i++ {
		c := raw[end-i]
		if c < 0x80 {
			break
		}
		if c >= 0xC0 { // lead byte: complete?
			if !utf8.FullRune(raw[end-i : end]) {
				end -= i
			}
			break
		}
	}
	return end
}

// TokensPerSecond is n/d, 0 when d is 0.
func TokensPerSecond(n int, d time.Duration) float64 {
	if s := d.Seconds(); s > 0 {
		return float64(n) / s
	}
	return 0
}
