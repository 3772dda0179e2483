package routing

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// stream runs one attempt: it opens an infer/1 stream to p, writes the
// request and forwards each frame to events until the last one, a failure,
// or ctx ends (which resets the stream, stopping the miner's work).
func (c *Client) stream(ctx context.Context, idx int, p peer.ID, raw []byte, events chan<- event) {
	end := c.cfg.Directory.begin(p)
	defer end()
	send := func(ev event) bool {
		ev.idx = idx
		select {
		case events <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	lh := c.cfg.Host.Libp2p()
	if lh == nil {
		send(event{err: errors.New("host not started")})
		return
	}
	cctx, cancel := context.WithTimeout(ctx, c.cfg.ConnectTimeout)
	s, err := lh.NewStream(cctx, p, protocols.InferProtocol(c.cfg.Host.ChainID()))
	cancel()
	if err != nil {
		send(event{err: fmt.Errorf("open stream to miner %s: %w", p, err)})
		return
	}
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	_ = s.SetWriteDeadline(c.cfg.Clock.Now().Add(c.cfg.ConnectTimeout))
	w := bufio.NewWriter(s)
	if err := protocols.WriteMsg(w, raw); err == nil {
		err = w.Flush()
	}
	if err != nil {
		s.Reset()
		send(event{err: fmt.Errorf("send request to miner %s: %w", p, err)})
		return
	}
	// The write side stays open: closing or resetting it tells the miner
	// the answer is no longer wanted.
	r := bufio.NewReader(s)
	wait := c.cfg.FirstTokenTimeout
	for {
		_ = s.SetReadDeadline(c.cfg.Clock.Now().Add(wait))
		b, err := protocols.ReadMsg(r, protocols.MaxFrameSize)
		if err != nil {
			s.Reset()
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			send(event{err: fmt.Errorf("read from miner %s: %w", p, err)})
			return
		}
		f, err := protocols.DecodeFrame(b)
		if err != nil {
			s.Reset()
			send(event{err: fmt.Errorf("miner %s: %w", p, err)})
			return
		}
		if !send(event{frame: f}) {
			return
		}
		if f.Type != protocols.FrameChunk {
			s.Close()
			return
		}
		wait = c.cfg.IdleTimeout
	}
}
