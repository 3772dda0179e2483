package sim

import (
	"crypto/ed25519"
	"fmt"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// node is one simulated validator and its driver. What survives a crash
// is what a real node keeps on disk: the WAL, the sign guard, the block
// store and the application state.
type node struct {
	i    int
	name string // peer ID on the bus
	key  ed25519.PrivateKey
	byz  bool

	// Persistent.
	wal   consensus.MemWAL
	guard consensus.MemGuard
	app   *app
	store []stored // store[h-1] is height h

	// Volatile: lost in a crash.
	core *consensus.Core
	up   bool
	inc  int // incarnation; events of an earlier one are void

	// atCrash is the core's state when it crashed; the restarted core
	// must reach it again by replaying the WAL.
	atCrash *snapshot
}

type snapshot struct {
	height                  uint64
	round                   int32
	step                    consensus.Step
	locked, valid           string
	lockedRound, validRound int32
}

func snap(c *consensus.Core) *snapshot {
	l, lr := c.Locked()
	v, vr := c.Valid()
	return &snapshot{c.Height(), c.Round(), c.CurrentStep(), string(l), string(v), lr, vr}
}

type stored struct {
	value  []byte
	commit *protocols.Commit
}

func nodeName(i int) string { return fmt.Sprintf("n%d", i) }

// boot starts the node's core from its persistent state: the height after
// its last stored block, the sign guard's state and the WAL of that height.
func (s *Sim) boot(n *node) error {
	h := n.app.height() + 1
	last, err := n.guard.Load()
	if err != nil {
		return err
	}
	st := consensus.State{Height: h, Validators: s.valset(h), LastSigned: last}
	if h > 1 {
		st.LastCommit, st.LastValue = n.store[h-2].commit, n.store[h-2].value
	}
	cfg := s.cfg
	cfg.Key = n.key
	c, err := consensus.New(cfg, st)
	if err != nil {
		return err
	}
	recs, err := n.wal.Records(h)
	if err != nil {
		return err
	}
	if err := consensus.Replay(c, recs); err != nil {
		return err
	}
	if n.atCrash != nil && n.atCrash.height == h {
		if got := snap(c); *got != *n.atCrash {
			return fmt.Errorf("%s: WAL replay rebuilt %+v, the core had %+v when it crashed", n.name, *got, *n.atCrash)
		}
	}
	n.core, n.up = c, true
	n.inc++
	s.trace("boot %s at %d, %d WAL records, last signed %s", n.name, h, len(recs), last)
	return s.drain(n)
}

func (s *Sim) crash(n *node, restartAt consensus.Duration) {
	if !n.up {
		return
	}
	s.trace("crash %s at height %d", n.name, n.core.Height())
	n.atCrash = snap(n.core)
	n.core, n.up = nil, false
	n.inc++
	s.res.Crashes++
	s.q.push(&event{at: restartAt, kind: evRestart, node: n.i})
}

// step feeds the node one input and acts on what the core asks.
func (s *Sim) step(n *node, in consensus.Input) error {
	s.res.Steps++
	if err := n.core.Step(in); err != nil {
		return fmt.Errorf("%s: step: %w", n.name, err)
	}
	return s.drain(n)
}

// drain is the driver loop body (see package consensus's doc): persist,
// then send, set timers, answer the application, commit decisions.
func (s *Sim) drain(n *node) error {
	for n.up && n.core.HasReady() {
		rd := n.core.Ready()
		if err := n.wal.Append(rd.WAL); err != nil {
			return err
		}
		if rd.SignState != nil {
			if err := n.guard.Save(*rd.SignState); err != nil && !n.byz {
				return fmt.Errorf("%s, an honest node, would double-sign: %w", n.name, err)
			}
		}
		if s.crashNow(n) {
			return nil // persisted but sent nothing: the restart must cope
		}
		for _, m := range rd.Messages {
			if err := s.send(n, m); err != nil {
				return err
			}
		}
		for _, t := range rd.Timers {
			s.q.push(&event{at: s.now + t.Duration, kind: evTimer, node: n.i, to: t.Timeout, inc: n.inc})
		}
		if p := rd.Propose; p != nil {
			s.q.push(&event{at: s.now + s.between(0, 20*consensus.Millisecond), kind: evPropose, node: n.i, req: *p, inc: n.inc})
		}
		for _, v := range rd.Validate {
			ok := n.app.valid(v.Height, v.Value)
			if err := n.core.Step(consensus.Input{Validity: &consensus.Validity{Height: v.Height, ValueID: v.ValueID, Valid: ok}}); err != nil {
				return err
			}
		}
		if d := rd.Decision; d != nil {
			if err := s.decide(n, d); err != nil {
				return err
			}
		}
		for _, e := range rd.Evidence {
			if err := s.evidence(n, e); err != nil {
				return err
			}
		}
		for _, sv := range rd.Serve {
			s.serve(n, sv)
		}
	}
	return nil
}

// decide checks the decision against every invariant, executes it and
// moves the core to the next height.
func (s *Sim) decide(n *node, d *consensus.Decision) error {
	if err := d.Commit.VerifyWith(s.cfg.ChainID, s.valset(d.Height).Validators(), s.verify); err != nil {
		return fmt.Errorf("%s: decision at %d with a bad commit: %w", n.name, d.Height, err)
	}
	hash, err := n.app.apply(d.Height, d.Value)
	if err != nil {
		return fmt.Errorf("%s: %w", n.name, err)
	}
	s.trace("%s decides %d in round %d: %x", n.name, d.Height, d.Round, d.ValueID[len(d.ValueID)-4:])
	s.res.MaxRound = max(s.res.MaxRound, d.Round)
	if !n.byz {
		if err := s.checkSafety(n, d, hash); err != nil {
			return err
		}
	}
	n.store = append(n.store, stored{value: d.Value, commit: d.Commit})
	if err := n.wal.Prune(d.Height + 1); err != nil {
		return err
	}
	return n.core.Advance(s.valset(d.Height + 1))
}

func (s *Sim) serve(n *node, sv consensus.ServeRequest) {
	if sv.Height == 0 || sv.Height > uint64(len(n.store)) {
		return
	}
	st := n.store[sv.Height-1]
	s.send(n, consensus.Message{To: sv.To, Response: &protocols.CatchupResponse{
		Version: protocols.ConsensusVersion, ChainID: s.cfg.ChainID, Height: sv.Height,
		Commit: st.commit, Value: st.value}})
}
