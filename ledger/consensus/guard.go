package consensus

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"sync"
)

// ErrDoubleSign reports a signature the guard refuses: it would sign an
// earlier step than one already signed, or a different value for the same
// step. Signing it could equivocate and get the validator slashed.
var ErrDoubleSign = errors.New("consensus: refusing to sign: conflicts with the last signed message")

// SignState is the last message a validator signed: height, round, step
// (propose, prevote or precommit) and the value ID (nil for a nil vote).
// The zero value has signed nothing.
type SignState struct {
	_       struct{} `cbor:",toarray"`
	Height  uint64
	Round   int32
	Step    Step
	ValueID []byte
}

// compareHRS orders sign states by (height, round, step).
func (s SignState) compareHRS(o SignState) int {
	if c := cmp.Compare(s.Height, o.Height); c != 0 {
		return c
	}
	if c := cmp.Compare(s.Round, o.Round); c != 0 {
		return c
	}
	return cmp.Compare(s.Step, o.Step)
}

// Allows reports whether a validator whose last signature is s may sign
// next: a later (height, round, step), or the same one for the same value
// (re-signing the same message is harmless: ed25519 signatures are
// deterministic, so it is the same message).
func (s SignState) Allows(next SignState) bool {
	switch c := next.compareHRS(s); {
	case c > 0:
		return true
	case c == 0:
		return bytes.Equal(next.ValueID, s.ValueID)
	}
	return false
}

func (s SignState) String() string {
	return fmt.Sprintf("%d/%d/%s/%x", s.Height, s.Round, s.Step, s.ValueID)
}

// SignGuard is the durable record of the last signed message. The core
// refuses to sign anything its SignState does not Allow; the driver keeps
// that state across restarts: it calls Save with each Ready.SignState
// before sending Ready.Messages, and passes Load's result to New as
// State.LastSigned. A file-backed guard must fsync in Save.
type SignGuard interface {
	// Load returns the last saved state (the zero SignState if none).
	Load() (SignState, error)
	// Save durably records s. It fails with ErrDoubleSign, saving nothing,
	// if the saved state does not Allow s.
	Save(s SignState) error
}

// MemGuard is a SignGuard in memory, for tests and simulations: it
// survives a simulated crash only because the simulation keeps it. Safe
// for concurrent use.
type MemGuard struct {
	mu   sync.Mutex // guards last
	last SignState
}

var _ SignGuard = (*MemGuard)(nil)

// Load returns the last saved state.
func (g *MemGuard) Load() (SignState, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last, nil
}

// Save records s if the last state allows it.
func (g *MemGuard) Save(s SignState) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.last.Allows(s) {
		return fmt.Errorf("%w: last %s, asked %s", ErrDoubleSign, g.last, s)
	}
	s.ValueID = bytes.Clone(s.ValueID)
	g.last = s
	return nil
}
