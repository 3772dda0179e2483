package consensus

import (
	"fmt"

	"github.com/taonet/tao/protocols"
)

// Step is a step of a Tendermint round.
type Step uint8

// Steps. StepCommit means the height is decided and the core waits for
// Advance; StepGossip appears only in timers, as the core's periodic
// status broadcast.
const (
	StepPropose   Step = 1
	StepPrevote   Step = 2
	StepPrecommit Step = 3
	StepCommit    Step = 4
	StepGossip    Step = 5
)

func (s Step) String() string {
	switch s {
	case StepPropose:
		return "propose"
	case StepPrevote:
		return "prevote"
	case StepPrecommit:
		return "precommit"
	case StepCommit:
		return "commit"
	case StepGossip:
		return "gossip"
	}
	return fmt.Sprintf("step(%d)", uint8(s))
}

// Timeout names a timer that fired: the driver feeds it back as an Input
// when a Timer's duration has passed. Stale timeouts are ignored.
type Timeout struct {
	_      struct{} `cbor:",toarray"`
	Height uint64
	Round  int32
	Step   Step
}

// Timer asks the driver to feed Timeout back as an input after Duration.
// The driver need not cancel timers: the core ignores stale ones.
type Timer struct {
	Timeout
	Duration Duration
}

// ProposeRequest asks the application for a value (a block) to propose
// at Height in Round; the driver answers with an Input carrying a
// ProposedValue. A late answer is ignored.
type ProposeRequest struct {
	Height uint64
	Round  int32
}

// ProposedValue is the application's answer to a ProposeRequest.
type ProposedValue struct {
	_      struct{} `cbor:",toarray"`
	Height uint64
	Round  int32
	Value  []byte
}

// ValidateRequest asks the application whether Value (named ValueID) is
// a valid block for Height: Algorithm 1's valid(v). The driver answers
// with an Input carrying a Validity. Validity must be deterministic: every
// correct replica must give the same answer.
type ValidateRequest struct {
	Height  uint64
	ValueID []byte
	Value   []byte
}

// Validity is the application's answer to a ValidateRequest.
type Validity struct {
	_       struct{} `cbor:",toarray"`
	Height  uint64
	ValueID []byte
	Valid   bool
}

// Certified is a decided value with its commit certificate, as a peer
// that is ahead (a CatchupResponse) or block sync delivers it.
type Certified struct {
	_      struct{} `cbor:",toarray"`
	Commit protocols.Commit
	Value  []byte
}

// Quorum is votes for one value in one round and step that a peer sent
// as proof of a quorum (more than 2/3 of the power). A vote in it that
// conflicts with one the core holds (an equivocator's other vote) counts
// if the quorum holds with it: a correct node that saw an equivocator's
// vote complete a proof of lock or a commit can pass that proof on, as the
// paper's gossip assumes, while an equivocator alone cannot make the core
// store more than one extra vote per validator and value.
type Quorum struct {
	_     struct{} `cbor:",toarray"`
	Votes []protocols.Vote
}

// Decision is a decided height: the driver executes Value, stores it with
// Commit, and calls Advance with the next height's validator set.
type Decision struct {
	Height  uint64
	Round   int32
	ValueID []byte
	Value   []byte
	Commit  *protocols.Commit
}

// Message is one message to send. To is a peer ID the driver gave in an
// Input's From; empty To means broadcast (gossip to every peer). Exactly
// one of the other fields is set.
type Message struct {
	To       string
	Proposal *protocols.Proposal
	Vote     *protocols.Vote
	Request  *protocols.CatchupRequest
	Response *protocols.CatchupResponse
}

// ServeRequest asks the driver to answer a peer that is behind: send To a
// CatchupResponse with the commit and value of Height from the block store.
type ServeRequest struct {
	To     string
	Height uint64
}

// Input is one event for the core. Exactly one field other than From is
// set.
type Input struct {
	// From is the peer a message came from, used only to answer it.
	From      string
	Proposal  *protocols.Proposal
	Vote      *protocols.Vote
	Certified *Certified
	Quorum    *Quorum
	Timeout   *Timeout
	Value     *ProposedValue
	Validity  *Validity
	Request   *protocols.CatchupRequest
	Response  *protocols.CatchupResponse
}

// Ready is what the core asks of its driver after some inputs. The driver
// must, in this order: (1) append WAL to the write-ahead log and persist
// SignState (if not nil), durably; (2) send Messages; (3) set Timers;
// (4) answer Propose and Validate; (5) execute and store Decision, then
// call Advance; (6) gossip Evidence; (7) serve Serve from the block store.
// Step 1 before 2 is what makes a crash safe: no message leaves before the
// state that produced it can be rebuilt. Slices are owned by the caller.
type Ready struct {
	WAL       []Record
	SignState *SignState
	Messages  []Message
	Timers    []Timer
	Propose   *ProposeRequest
	Validate  []ValidateRequest
	Decision  *Decision
	Evidence  []*protocols.Evidence
	Serve     []ServeRequest
}

// Empty reports whether r asks nothing of the driver.
func (r *Ready) Empty() bool {
	return len(r.WAL) == 0 && r.SignState == nil && len(r.Messages) == 0 && len(r.Timers) == 0 &&
		r.Propose == nil && len(r.Validate) == 0 && r.Decision == nil && len(r.Evidence) == 0 &&
		len(r.Serve) == 0
}
