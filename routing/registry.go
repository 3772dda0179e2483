package routing

import (
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Registry is the read-only view of the ledger that routing needs: which
// model a subnet serves and how the ledger rates each registered neuron.
// Package node answers it from the ledger's metagraph, with subnets
// declared only in configuration rated neutrally (docs/decisions.md,
// "Registry"). Implementations are safe for
// concurrent use and answer from memory (they are called per request).
type Registry interface {
	// Subnet returns the subnet's declared model and task; false if the
	// subnet does not exist.
	Subnet(netuid uint16) (SubnetInfo, bool)
	// Neuron returns hotkey's registration in the subnet; false if it is
	// not registered there. Only registered miners get traffic.
	Neuron(netuid uint16, hotkey peer.ID) (NeuronInfo, bool)
}

// SubnetInfo is what a subnet declares.
type SubnetInfo struct {
	// ModelCID names the weights every miner of the subnet must serve
	// (CIDv1, raw, sha2-256 of the GGUF file).
	ModelCID cid.Cid
	// Task names what the subnet does ("text-generation").
	Task string
}

// NeuronInfo is the ledger's view of one registered neuron, normalised for
// routing. The zero value (besides UID) is the neutral rating: every miner
// rated neutrally is ranked by latency and capacity alone.
type NeuronInfo struct {
	UID uint16
	// Incentive and Trust are the last epoch's outputs, in [0, 1].
	Incentive, Trust float64
	// Stake is the hotkey's stake in TAO. It raises the rate limit a miner
	// grants the neuron as a client (validators query a lot).
	Stake float64
}

// Clock tells the time. Routing reads time only through its Clock, so tests
// control expiry and backoff (STYLE §9). Timers use package time, which
// testing/synctest fakes.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
