package consensus

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/taonet/tao/protocols"
)

// Errors of inputs. Each means the sender (or the driver) is at fault;
// the core's state is unchanged.
var (
	ErrNotValidator = errors.New("consensus: signer is not in the validator set")
	ErrNotProposer  = errors.New("consensus: proposal not from the round's proposer")
	ErrNoValue      = errors.New("consensus: proposal carries no value")
	ErrNotDecided   = errors.New("consensus: Advance before a decision")
	ErrBadInput     = errors.New("consensus: input must set exactly one field")
)

// State is where a core starts: the height to decide and what the driver
// persisted. Only Height and Validators are required.
type State struct {
	// Height is the height to decide, >= 1: one past the last stored block.
	Height uint64
	// Validators is the validator set of Height.
	Validators ValidatorSet
	// LastSigned is SignGuard.Load's result: the core signs nothing it
	// does not allow, even if the WAL was lost.
	LastSigned SignState
	// LastCommit and LastValue are the stored block of Height-1, if any, so
	// the core can answer peers one height behind without the driver.
	LastCommit *protocols.Commit
	LastValue  []byte
}

// validity is what the application said of a value.
type validity uint8

const (
	unknown validity = iota
	pending          // asked, no answer yet
	valid
	invalid
)

type evidenceKey struct {
	validator int
	round     int32
	typ       protocols.VoteType
}

// Core is the Tendermint state machine of one node (Buchman, Kwon,
// Milosevic 2018, Algorithm 1). It reads no clock, draws no randomness and
// does no I/O: inputs arrive through Step, outputs leave through Ready. It
// is not safe for concurrent use; one driver goroutine owns it.
type Core struct {
	cfg   Config
	vals  ValidatorSet
	self  int // index in vals; -1 for an observer
	props *proposerSeq

	height                  uint64
	round                   int32
	step                    Step
	lockedValue, validValue string // value IDs; "" is nil
	lockedRound, validRound int32
	decision                *Decision
	rounds                  map[int32]*roundState
	commitRounds            []int32 // rounds with a precommit quorum for a value
	values                  map[string][]byte
	validity                map[string]validity
	maxRound                []int32 // highest round seen per validator
	reported                map[evidenceKey]bool
	future                  []Input // messages for height+1
	prevCommit              *protocols.Commit
	prevValue               []byte
	peers                   map[string]uint64     // height each peer last reported
	peerStat                map[string]peerStatus // each peer's last status
	last                    SignState
	ready                   Ready
	selfq                   []Input // own messages, delivered after the current input
	replaying               bool
}

// New returns a core at st.Height, round 0, and asks (in its first Ready)
// for the round's timers and, if it proposes, a value.
func New(cfg Config, st State) (*Core, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if st.Height == 0 {
		return nil, fmt.Errorf("consensus: height 0 (the first block is height 1)")
	}
	if st.Validators.Len() == 0 {
		return nil, fmt.Errorf("%w: empty", ErrBadValidatorSet)
	}
	c := &Core{cfg: cfg, last: st.LastSigned, prevCommit: st.LastCommit, prevValue: st.LastValue,
		peers: make(map[string]uint64), peerStat: make(map[string]peerStatus)}
	c.enterHeight(st.Height, st.Validators)
	c.setTimer(StepGossip, 0)
	c.drain()
	return c, nil
}

// Height returns the height being decided.
func (c *Core) Height() uint64 { return c.height }

// Round returns the current round.
func (c *Core) Round() int32 { return c.round }

// CurrentStep returns the current step.
func (c *Core) CurrentStep() Step { return c.step }

// Validators returns the validator set of the current height.
func (c *Core) Validators() ValidatorSet { return c.vals }

// LastSigned returns the core's sign state.
func (c *Core) LastSigned() SignState { return c.last }

// Locked returns the locked value ID and round (nil, -1 if not locked).
func (c *Core) Locked() ([]byte, int32) { return idBytes(c.lockedValue), c.lockedRound }

// Valid returns Algorithm 1's validValue ID and validRound.
func (c *Core) Valid() ([]byte, int32) { return idBytes(c.validValue), c.validRound }

// HasReady reports whether Ready would return anything.
func (c *Core) HasReady() bool { return !c.ready.Empty() }

// Ready returns and clears what the core asks of its driver.
func (c *Core) Ready() Ready {
	r := c.ready
	c.ready = Ready{}
	return r
}

// Advance starts the next height once the driver has executed and stored
// the decision, with that height's validator set (usually Next() of the
// current one; Update at epoch boundaries).
func (c *Core) Advance(next ValidatorSet) error {
	if c.decision == nil {
		return ErrNotDecided
	}
	if next.Len() == 0 {
		return fmt.Errorf("%w: empty", ErrBadValidatorSet)
	}
	c.prevCommit, c.prevValue = c.decision.Commit, c.decision.Value
	future := c.future
	c.enterHeight(c.height+1, next)
	c.drain()
	for _, in := range future {
		_ = c.Step(in) // bad messages for the new height are simply dropped
	}
	c.askAhead()
	return nil
}

func (c *Core) enterHeight(h uint64, vals ValidatorSet) {
	c.height, c.vals = h, vals
	c.self = -1
	if c.cfg.Key != nil {
		c.self = vals.Index(c.cfg.Key.Public().(ed25519.PublicKey))
	}
	c.props = newProposerSeq(vals)
	c.lockedValue, c.validValue = "", ""
	c.lockedRound, c.validRound = -1, -1
	c.decision = nil
	c.rounds = make(map[int32]*roundState)
	c.commitRounds = nil
	c.values = make(map[string][]byte)
	c.validity = make(map[string]validity)
	c.maxRound = make([]int32, vals.Len())
	for i := range c.maxRound {
		c.maxRound[i] = -1
	}
	c.reported = make(map[evidenceKey]bool)
	c.future = nil
	c.startRound(0)
}

func (c *Core) roundState(r int32) *roundState {
	rs := c.rounds[r]
	if rs == nil {
		rs = newRoundState(c.vals.Len())
		c.rounds[r] = rs
	}
	return rs
}

func (c *Core) proposer(r int32) int { return c.props.at(r) }

func (c *Core) isProposer(r int32) bool { return c.self >= 0 && c.proposer(r) == c.self }

func (c *Core) setTimer(s Step, r int32) {
	c.ready.Timers = append(c.ready.Timers, Timer{
		Timeout:  Timeout{Height: c.height, Round: r, Step: s},
		Duration: c.cfg.timeout(s, r),
	})
}

func (c *Core) send(m Message) { c.ready.Messages = append(c.ready.Messages, m) }

func idBytes(id string) []byte {
	if id == "" {
		return nil
	}
	return []byte(id)
}
