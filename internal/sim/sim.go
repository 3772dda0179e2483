package sim

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// Options describe one simulated run. Zero fields take the default in
// their comment.
type Options struct {
	Seed   uint64
	Powers []uint64 // voting power of each node's validator; required
	// Byzantine lists the nodes that equivocate: each proposal and vote
	// they sign goes to half their peers, a conflicting one to the other
	// half. Their power must stay below a third for the checks to hold.
	Byzantine []int
	// GST is when the network stabilises: from then on no drops,
	// partitions or crashes, and every delay is at most Delta. Zero: 20s.
	GST consensus.Duration
	// K is how many heights past the highest honest height at GST every
	// honest node must commit. Zero: 3.
	K uint64
	// Liveness bounds the virtual time after GST for K heights. Zero: 120s.
	Liveness consensus.Duration
	// Before GST: drop and duplicate rates in per mille, delays up to
	// MaxDelay (zero: 2s), partitions that heal, crashes and restarts.
	DropPerMille, DupPerMille int
	MaxDelay                  consensus.Duration
	Partitions, Crashes       bool
	// Delta bounds delays after GST. Zero: 200ms.
	Delta consensus.Duration
	// Trace, if not nil, receives a line per notable event.
	Trace func(string)
}

// Result summarises a run.
type Result struct {
	Time       consensus.Duration // virtual time at the end
	GSTHeight  uint64             // highest honest height at GST
	Heights    []uint64           // heights committed per node
	Steps      int                // inputs fed to cores
	Messages   int                // messages delivered
	Dropped    int
	MaxRound   int32              // highest round a decision took
	Recovery   consensus.Duration // from GST until every honest node had K more heights (Run only)
	Evidence   int                // equivocations reported by honest nodes
	Crashes    int
	Partitions int
}

// Sim is one deterministic run. Use Run.
type Sim struct {
	o        Options
	rng      *rand.Rand
	q        queue
	now      consensus.Duration
	nodes    []*node
	cfg      consensus.Config
	valsets  []consensus.ValidatorSet // valsets[h] for height h; [0] unused
	verified map[[32]byte]bool
	decided  [][]byte // value ID decided by honest nodes, per height
	hashes   [][]byte // state hash of honest nodes, per height
	group    []int    // partition side of each node; nil when whole
	gst      bool
	target   uint64
	started  bool
	res      Result
}

const chainID = "sim"

// Run simulates o and checks, after every event, that no two honest
// nodes commit different values or reach different states at a height,
// that no honest node equivocates or is accused, and that after GST every
// honest node commits K more heights within the liveness bound. The error
// names the seed; Run with the same Options reproduces it exactly.
func Run(o Options) (Result, error) {
	s, err := New(o)
	if err == nil {
		err = s.loop(func() (bool, error) {
			if !s.gst {
				return false, nil
			}
			if s.now > s.o.GST+s.o.Liveness {
				return false, fmt.Errorf("liveness: honest nodes did not all reach height %d within %v of GST (heights %v)",
					s.target, s.o.Liveness, s.heights())
			}
			if !s.reached(s.target) {
				return false, nil
			}
			s.res.Recovery = s.now - s.o.GST
			return true, nil
		})
	}
	return s.Result(), s.wrap(err)
}

// New prepares a run of o without starting it; Run or RunTo starts it.
func New(o Options) (*Sim, error) {
	s, err := newSim(o)
	return s, s.wrap(err)
}

// RunTo runs until every honest node has committed height h, checking the
// same invariants as Run but no liveness bound.
func (s *Sim) RunTo(h uint64) error {
	return s.wrap(s.loop(func() (bool, error) { return s.reached(h), nil }))
}

// Result returns the run's figures so far.
func (s *Sim) Result() Result {
	r := s.res
	r.Time = s.now
	r.Heights = s.heights()
	return r
}

func (s *Sim) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sim seed %d (rerun with -sim.seed=%d): at %.3fs: %w", s.o.Seed, s.o.Seed, float64(s.now)/1e9, err)
}

func newSim(o Options) (*Sim, error) {
	def := func(d *consensus.Duration, v consensus.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.GST, 20*consensus.Second)
	def(&o.Liveness, 120*consensus.Second)
	def(&o.MaxDelay, 2*consensus.Second)
	def(&o.Delta, 200*consensus.Millisecond)
	if o.K == 0 {
		o.K = 3
	}
	s := &Sim{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x7a6f)), verified: map[[32]byte]bool{}}
	s.cfg = consensus.Config{
		ChainID:        chainID,
		Verify:         s.verify,
		TimeoutPropose: consensus.Second, TimeoutProposeDelta: 250 * consensus.Millisecond,
		TimeoutPrevote: 500 * consensus.Millisecond, TimeoutPrevoteDelta: 250 * consensus.Millisecond,
		TimeoutPrecommit: 500 * consensus.Millisecond, TimeoutPrecommitDelta: 250 * consensus.Millisecond,
		GossipInterval: consensus.Second,
	}
	var vals []protocols.Validator
	for i, p := range o.Powers {
		seed := sha256.Sum256(fmt.Appendf(nil, "tao/sim key %d", i))
		n := &node{i: i, name: nodeName(i), key: ed25519.NewKeyFromSeed(seed[:]), app: newApp(),
			byz: slices.Contains(o.Byzantine, i)}
		s.nodes = append(s.nodes, n)
		vals = append(vals, protocols.Validator{PubKey: n.key.Public().(ed25519.PublicKey), Power: p})
	}
	vs, err := consensus.NewValidatorSet(vals)
	if err != nil {
		return s, err
	}
	s.valsets = []consensus.ValidatorSet{{}, vs}
	return s, nil
}

// valset returns the validator set of height h: the genesis set rotated
// by Next once per height.
func (s *Sim) valset(h uint64) consensus.ValidatorSet {
	for uint64(len(s.valsets)) <= h {
		s.valsets = append(s.valsets, s.valsets[len(s.valsets)-1].Next())
	}
	return s.valsets[h]
}

// verify is protocols.Verify behind a cache, as a gossip layer that has
// verified a message once would be: every signature is checked once per
// run, not once per receiver.
func (s *Sim) verify(pub []byte, chain, kind string, msg, sig []byte) error {
	h := sha256.New()
	for _, b := range [][]byte{pub, []byte(chain), []byte(kind), msg, sig} {
		h.Write(binary.AppendUvarint(nil, uint64(len(b))))
		h.Write(b)
	}
	var k [32]byte
	h.Sum(k[:0])
	if s.verified[k] {
		return nil
	}
	if err := protocols.Verify(pub, chain, kind, msg, sig); err != nil {
		return err
	}
	s.verified[k] = true
	return nil
}

func (s *Sim) trace(format string, args ...any) {
	if s.o.Trace != nil {
		s.o.Trace(fmt.Sprintf("%9.3fs ", float64(s.now)/1e9) + fmt.Sprintf(format, args...))
	}
}

// between draws a duration uniformly from [lo, hi].
func (s *Sim) between(lo, hi consensus.Duration) consensus.Duration {
	return lo + consensus.Duration(s.rng.Int64N(int64(hi-lo)+1))
}

func (s *Sim) chance(perMille int) bool { return perMille > 0 && s.rng.IntN(1000) < perMille }

func (s *Sim) honest() []*node {
	var out []*node
	for _, n := range s.nodes {
		if !n.byz {
			out = append(out, n)
		}
	}
	return out
}

// loop handles events until stop says so or fails.
func (s *Sim) loop(stop func() (bool, error)) error {
	if !s.started {
		s.started = true
		s.scheduleFaults()
		for _, n := range s.nodes {
			if err := s.boot(n); err != nil {
				return err
			}
		}
	}
	for s.q.len() > 0 {
		if done, err := stop(); done || err != nil {
			return err
		}
		e := s.q.pop()
		s.now = e.at
		if err := s.handle(e); err != nil {
			return err
		}
	}
	return fmt.Errorf("event queue ran dry")
}

func (s *Sim) heights() []uint64 {
	var hs []uint64
	for _, n := range s.nodes {
		hs = append(hs, n.app.height())
	}
	return hs
}

func (s *Sim) reached(h uint64) bool {
	for _, n := range s.honest() {
		if n.app.height() < h {
			return false
		}
	}
	return true
}

func (s *Sim) handle(e *event) error {
	n := s.nodes[e.node]
	switch e.kind {
	case evDeliver:
		if !n.up {
			return nil
		}
		in, err := e.msg.decode(nodeName(e.from))
		if err != nil {
			return fmt.Errorf("%s: decode from %s: %w", n.name, nodeName(e.from), err)
		}
		s.res.Messages++
		return s.step(n, in)
	case evTimer:
		if !n.up || e.inc != n.inc {
			return nil
		}
		to := e.to
		return s.step(n, consensus.Input{Timeout: &to})
	case evPropose:
		if !n.up || e.inc != n.inc || e.req.Height != n.app.height()+1 {
			return nil
		}
		v := n.app.propose(e.req.Height, n.i, uint64(e.req.Round))
		return s.step(n, consensus.Input{Value: &consensus.ProposedValue{Height: e.req.Height, Round: e.req.Round, Value: v}})
	case evCrash:
		s.crash(n, e.at+s.between(500*consensus.Millisecond, 8*consensus.Second))
	case evRestart:
		if n.up {
			return nil
		}
		return s.boot(n)
	case evPartition:
		s.partition()
	case evHeal:
		s.group = nil
		s.trace("heal")
	case evGST:
		s.group, s.gst = nil, true
		for _, h := range s.honest() {
			s.res.GSTHeight = max(s.res.GSTHeight, h.app.height())
		}
		s.target = s.res.GSTHeight + s.o.K
		s.trace("GST: heights %v, target %d", s.heights(), s.target)
	}
	return nil
}

// checkSafety is the invariant of every honest decision: one value and
// one state per height.
func (s *Sim) checkSafety(n *node, d *consensus.Decision, hash []byte) error {
	for uint64(len(s.decided)) <= d.Height {
		s.decided = append(s.decided, nil)
		s.hashes = append(s.hashes, nil)
	}
	if prev := s.decided[d.Height]; prev == nil {
		s.decided[d.Height], s.hashes[d.Height] = d.ValueID, hash
		return nil
	} else if !bytes.Equal(prev, d.ValueID) {
		return fmt.Errorf("safety: %s decided %x at height %d, another honest node %x", n.name, d.ValueID, d.Height, prev)
	}
	if !bytes.Equal(s.hashes[d.Height], hash) {
		return fmt.Errorf("state: %s has state %x at height %d, another honest node %x", n.name, hash, d.Height, s.hashes[d.Height])
	}
	return nil
}

// evidence checks that an honest node only ever accuses byzantine ones.
func (s *Sim) evidence(n *node, e *protocols.Evidence) error {
	if err := e.VerifyWith(chainID, s.verify); err != nil {
		return fmt.Errorf("%s reported evidence that does not verify: %w", n.name, err)
	}
	for _, m := range s.nodes {
		if bytes.Equal(m.key.Public().(ed25519.PublicKey), e.A.Validator) && !m.byz {
			return fmt.Errorf("%s accuses honest %s of equivocating at %d/%d %s", n.name, m.name, e.A.Height, e.A.Round, e.A.Type)
		}
	}
	if !n.byz {
		s.res.Evidence++
	}
	return nil
}
