package replica

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// errStop ends the loop: continuing could sign inconsistently.
var errStop = errors.New("replica: stopped")

func (r *Replica) run(ctx context.Context) {
	for {
		if err := r.drain(ctx); err != nil {
			r.log.Error("consensus stopped; restart the node after fixing the cause", "err", err)
			return
		}
		var in consensus.Input
		select {
		case <-ctx.Done():
			return
		case in = <-r.local:
		case in = <-r.net:
		case q := <-r.certs:
			err := r.applyCertified(ctx, &q.ce)
			q.done <- err
			if errors.Is(err, errStop) {
				r.log.Error("consensus stopped; restart the node after fixing the cause", "err", err)
				return
			}
			continue
		}
		if err := r.core.Step(in); err != nil && in.From != "" {
			r.log.Debug("rejected consensus message", "from", in.From, "err", err)
			if r.cfg.OnBadPeer != nil {
				r.cfg.OnBadPeer(in.From, err)
			}
		}
	}
}

// drain acts on every Ready the core has, in the order its doc requires.
func (r *Replica) drain(ctx context.Context) error {
	for r.core.HasReady() {
		rd := r.core.Ready()
		// 1. Durable before anything leaves.
		if err := r.wal.Append(r.walRecords(rd.WAL)); err != nil {
			return errors.Join(errStop, err)
		}
		if rd.SignState != nil {
			if err := r.guard.Save(*rd.SignState); err != nil {
				return errors.Join(errStop, err)
			}
		}
		// 2. Messages.
		for _, m := range rd.Messages {
			r.send(ctx, m)
		}
		// 3. Timers.
		for _, t := range rd.Timers {
			to := t.Timeout
			r.later(ctx, time.Duration(t.Duration), func() consensus.Input { return consensus.Input{Timeout: &to} })
		}
		// 4. The application's answers.
		if p := rd.Propose; p != nil && !r.bulk.Load() {
			r.propose(ctx, *p)
		}
		for _, v := range rd.Validate {
			valid := r.validate(v)
			if err := r.core.Step(consensus.Input{Validity: &consensus.Validity{Height: v.Height, ValueID: v.ValueID, Valid: valid}}); err != nil {
				r.log.Warn("validity answer rejected", "err", err)
			}
		}
		// 5. Decisions.
		if d := rd.Decision; d != nil {
			if err := r.commit(d); err != nil {
				return errors.Join(errStop, err)
			}
		}
		// 6. Evidence.
		for _, e := range rd.Evidence {
			r.log.Warn("equivocation detected", "height", e.A.Height, "validator", shortKey(e.A.Validator))
			r.mu.Lock()
			r.status.Evidence++
			r.mu.Unlock()
			r.send(ctx, consensus.Message{}, e)
			if r.cfg.OnEvidence != nil {
				r.cfg.OnEvidence(e)
			}
		}
		// 7. Peers that are behind.
		for _, s := range rd.Serve {
			r.serve(ctx, s)
		}
		r.setStatus()
	}
	return nil
}

func (r *Replica) send(ctx context.Context, m consensus.Message, ev ...*protocols.Evidence) {
	msg := &protocols.ConsensusMessage{Proposal: m.Proposal, Vote: m.Vote, Status: m.Request, Response: m.Response}
	if len(ev) > 0 {
		msg = &protocols.ConsensusMessage{Evidence: ev[0]}
	}
	if m.To == "" {
		if err := r.cfg.Transport.Gossip(ctx, msg); err != nil && ctx.Err() == nil {
			r.log.Debug("gossip", "err", err)
		}
		return
	}
	if m.Request != nil && r.bulk.Load() {
		return // block sync fetches what catch-up would ask for, in bulk
	}
	// A directed send may dial: not on the loop.
	to := m.To
	r.wg.Go(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := r.cfg.Transport.Send(sctx, to, msg); err != nil && ctx.Err() == nil {
			r.log.Debug("send", "to", to, "err", err)
		}
	})
}

// propose builds a block from the mempool once the chain's block interval
// has passed since the previous block, and answers the core.
func (r *Replica) propose(ctx context.Context, p consensus.ProposeRequest) {
	tip := r.l.Tip()
	interval := time.Duration(r.l.Chain().Params.BlockTimeMs) * time.Millisecond
	wait := time.Until(time.UnixMilli(tip.Time).Add(interval))
	pub := r.cfg.Key.Public().(ed25519.PublicKey)
	r.later(ctx, max(wait, 0), func() consensus.Input {
		now := max(time.Now().UnixMilli(), tip.Time+1)
		b, err := r.l.ProposeBlock(p.Height, now, pub, r.l.Chain().Params.MaxBlockTxs)
		var value []byte
		if err == nil {
			if value, err = protocols.EncodeBlock(b); err == nil {
				r.blocks.put(value, b)
			}
		}
		if err != nil {
			// The core's propose timeout moves the round on.
			r.log.Error("build block", "height", p.Height, "err", err)
			return consensus.Input{Value: &consensus.ProposedValue{Height: p.Height, Round: p.Round}}
		}
		return consensus.Input{Value: &consensus.ProposedValue{Height: p.Height, Round: p.Round, Value: value}}
	})
}

func (r *Replica) validate(v consensus.ValidateRequest) bool {
	b, err := r.blocks.get(v.Value)
	if err == nil {
		err = r.l.ValidateBlock(b)
	}
	if err != nil {
		r.log.Info("proposed block is invalid", "height", v.Height, "err", err)
		return false
	}
	return true
}

// commit stores a decided block and moves the core to the next height.
func (r *Replica) commit(d *consensus.Decision) error {
	b, err := r.blocks.get(d.Value)
	if err != nil {
		return err
	}
	defer r.blocks.forget(d.Height)
	var cert []byte
	if d.Commit != nil {
		if cert, err = protocols.EncodeCommit(d.Commit); err != nil {
			return err
		}
	}
	if err := r.l.CommitBlock(b, cert); err != nil {
		return err
	}
	if err := r.wal.Prune(d.Height + 1); err != nil {
		r.log.Warn("prune WAL", "err", err)
	}
	// The set rotates its priorities, or is the ledger's new one after an
	// epoch boundary changed it (nextSet).
	next, err := r.nextSet(r.core.Validators(), d.Height+1)
	if err != nil {
		return err
	}
	if err := r.core.Advance(next); err != nil {
		return err
	}
	r.log.Debug("committed", "height", d.Height, "round", d.Round, "txs", len(b.Txs))
	if r.cfg.OnCommit != nil {
		r.cfg.OnCommit(b)
	}
	return nil
}

// serve sends a peer that is behind the stored block it asked for.
func (r *Replica) serve(ctx context.Context, s consensus.ServeRequest) {
	b, cert, err := r.l.Block(s.Height)
	if err != nil || len(cert) == 0 {
		return
	}
	value, err := protocols.EncodeBlock(b)
	if err != nil {
		return
	}
	c, err := protocols.DecodeCommit(cert)
	if err != nil {
		return
	}
	resp := &protocols.CatchupResponse{Version: 1, ChainID: r.l.Chain().ID, Height: s.Height, Commit: c, Value: value}
	r.send(ctx, consensus.Message{To: s.To, Response: resp})
}

func shortKey(k []byte) string {
	if len(k) < 4 {
		return ""
	}
	return string([]byte{hex(k[0] >> 4), hex(k[0] & 15), hex(k[1] >> 4), hex(k[1] & 15)})
}

func hex(b byte) byte { return "0123456789abcdef"[b] }
