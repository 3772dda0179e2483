package consensus

import (
	"crypto/ed25519"
	"fmt"

	"github.com/taonet/tao/protocols"
)

// Duration is a span of virtual or real time in nanoseconds, the unit of
// time.Duration; a driver converts with time.Duration(d). The core never
// reads a clock: it only names durations in the Timers it asks for.
type Duration int64

// Durations.
const (
	Millisecond Duration = 1_000_000
	Second      Duration = 1000 * Millisecond
)

// Config is a core's fixed configuration. The zero value of every field
// but ChainID has a meaning, given in its comment.
type Config struct {
	// ChainID is the chain every message must be for. Required.
	ChainID string
	// Key is this node's hotkey. Nil: an observer that follows and decides
	// but never signs.
	Key ed25519.PrivateKey
	// Verify checks signatures of incoming messages. Nil: protocols.Verify.
	// A driver whose gossip validators already verified a message may pass
	// a function that remembers verified (key, message, signature) triples;
	// it must answer as protocols.Verify would, or replicas diverge.
	Verify protocols.VerifyFunc

	// Timeouts of Algorithm 1: a round r waits base + r*delta. Zero base
	// or delta: the default beside it.
	TimeoutPropose        Duration // 3s
	TimeoutProposeDelta   Duration // 500ms
	TimeoutPrevote        Duration // 1s
	TimeoutPrevoteDelta   Duration // 500ms
	TimeoutPrecommit      Duration // 1s
	TimeoutPrecommitDelta Duration // 500ms
	// GossipInterval is how often the core sends its status
	// (protocols.CatchupRequest) so peers re-send what it lacks. Zero: 1s.
	GossipInterval Duration
	// MaxFutureMessages bounds the messages for the next height kept until
	// the driver calls Advance. Zero: 1024.
	MaxFutureMessages int
}

func (c Config) withDefaults() Config {
	def := func(d *Duration, v Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.TimeoutPropose, 3*Second)
	def(&c.TimeoutProposeDelta, 500*Millisecond)
	def(&c.TimeoutPrevote, Second)
	def(&c.TimeoutPrevoteDelta, 500*Millisecond)
	def(&c.TimeoutPrecommit, Second)
	def(&c.TimeoutPrecommitDelta, 500*Millisecond)
	def(&c.GossipInterval, Second)
	if c.MaxFutureMessages == 0 {
		c.MaxFutureMessages = 1024
	}
	if c.Verify == nil {
		c.Verify = protocols.Verify
	}
	return c
}

func (c Config) validate() error {
	if err := protocols.ValidateChainID(c.ChainID); err != nil {
		return fmt.Errorf("consensus config: %w", err)
	}
	if c.Key != nil && len(c.Key) != ed25519.PrivateKeySize {
		return fmt.Errorf("consensus config: key is %d bytes, want %d", len(c.Key), ed25519.PrivateKeySize)
	}
	for _, d := range []Duration{c.TimeoutPropose, c.TimeoutProposeDelta, c.TimeoutPrevote,
		c.TimeoutPrevoteDelta, c.TimeoutPrecommit, c.TimeoutPrecommitDelta, c.GossipInterval} {
		if d < 0 {
			return fmt.Errorf("consensus config: negative duration %d", d)
		}
	}
	if c.MaxFutureMessages < 0 {
		return fmt.Errorf("consensus config: negative MaxFutureMessages")
	}
	return nil
}

// maxTimeout caps a grown timeout so base + round*delta cannot overflow.
const maxTimeout = 24 * 3600 * Second

// timeout returns how long step waits in round r: base + r*delta, the
// growth that lets rounds outlast any unknown message delay after GST.
func (c Config) timeout(s Step, r int32) Duration {
	var base, delta Duration
	switch s {
	case StepPropose:
		base, delta = c.TimeoutPropose, c.TimeoutProposeDelta
	case StepPrevote:
		base, delta = c.TimeoutPrevote, c.TimeoutPrevoteDelta
	case StepPrecommit:
		base, delta = c.TimeoutPrecommit, c.TimeoutPrecommitDelta
	default:
		return c.GossipInterval
	}
	if delta > 0 && Duration(r) > (maxTimeout-base)/delta {
		return maxTimeout
	}
	return base + Duration(r)*delta
}
