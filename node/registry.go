package node

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/routing"
)

// registry is routing's view of the ledger: a subnet that exists on the
// chain is served by its registered hotkeys only, rated by the last
// epoch's incentive and trust, and declares its model on the chain. A
// subnet declared only in the node's configuration (--subnet, before it is
// created on the chain) keeps the interim rule: every hotkey counts as a
// neutrally rated neuron (docs/decisions.md, "Registry").
//
// It answers from memory: refresh rebuilds the chain part from the
// ledger's metagraphs after commits, at most once per refreshEvery.
type registry struct {
	declared map[uint16]routing.SubnetInfo
	l        *ledger.Ledger // nil: configuration only

	mu      sync.RWMutex
	chain   map[uint16]chainSubnet
	height  uint64
	updated time.Time
}

// chainSubnet is one subnet as the ledger has it.
type chainSubnet struct {
	info    routing.SubnetInfo
	hasInfo bool // the chain declares a model (a CID); else the configured declaration applies
	neurons map[peer.ID]routing.NeuronInfo
	uids    map[uint16]peer.ID
}

// refreshEvery bounds how often the registry re-reads the metagraphs.
const refreshEvery = time.Second

func newRegistry(declared map[uint16]routing.SubnetInfo, l *ledger.Ledger) *registry {
	r := &registry{declared: declared, l: l, chain: map[uint16]chainSubnet{}}
	r.refresh(true)
	return r
}

// refresh re-reads the ledger's subnets and metagraphs if the tip moved
// (and, unless force, refreshEvery has passed).
func (r *registry) refresh(force bool) {
	if r.l == nil {
		return
	}
	h := r.l.Height()
	r.mu.RLock()
	stale := h != r.height && (force || time.Since(r.updated) >= refreshEvery)
	r.mu.RUnlock()
	if !stale {
		return
	}
	subnets, err := r.l.Subnets()
	if err != nil {
		return
	}
	next := make(map[uint16]chainSubnet, len(subnets))
	for _, s := range subnets {
		m, err := r.l.Metagraph(s.NetUID)
		if err != nil {
			continue
		}
		cs := chainSubnet{neurons: make(map[peer.ID]routing.NeuronInfo, len(m.Neurons)), uids: make(map[uint16]peer.ID, len(m.Neurons))}
		if id, err := cid.Decode(s.Model); err == nil {
			task := s.Task
			if task == "" {
				task = "text-generation"
			}
			cs.info, cs.hasInfo = routing.SubnetInfo{ModelCID: id, Task: task}, true
		}
		for _, n := range m.Neurons {
			id := peerOfHotkey(n.Hotkey)
			if id == "" {
				continue
			}
			cs.neurons[id] = routing.NeuronInfo{
				UID: n.UID, Incentive: float64(n.Incentive) / 65535, Trust: float64(n.Trust) / 65535,
				Stake: float64(n.Stake+n.RootStake) / 1e9,
			}
			cs.uids[n.UID] = id
		}
		next[s.NetUID] = cs
	}
	r.mu.Lock()
	r.chain, r.height, r.updated = next, h, time.Now()
	r.mu.Unlock()
}

// Subnet implements routing.Registry.
func (r *registry) Subnet(netuid uint16) (routing.SubnetInfo, bool) {
	r.refresh(false)
	r.mu.RLock()
	cs, onChain := r.chain[netuid]
	r.mu.RUnlock()
	if onChain && cs.hasInfo {
		return cs.info, true
	}
	s, ok := r.declared[netuid]
	return s, ok
}

// Neuron implements routing.Registry.
func (r *registry) Neuron(netuid uint16, hotkey peer.ID) (routing.NeuronInfo, bool) {
	r.refresh(false)
	r.mu.RLock()
	cs, onChain := r.chain[netuid]
	r.mu.RUnlock()
	if onChain {
		n, ok := cs.neurons[hotkey]
		return n, ok
	}
	_, ok := r.declared[netuid]
	return routing.NeuronInfo{}, ok
}

// onChain reports whether the subnet exists on the ledger.
func (r *registry) onChain(netuid uint16) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.chain[netuid]
	return ok
}

// peerOf returns the peer holding uid on a chain subnet.
func (r *registry) peerOf(netuid, uid uint16) (peer.ID, bool) {
	r.refresh(false)
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.chain[netuid].uids[uid]
	return p, ok
}

// subnets lists every subnet known, declared or on the chain, ascending.
func (r *registry) subnets() []uint16 {
	r.mu.RLock()
	all := maps.Clone(r.declared)
	for netuid, cs := range r.chain {
		all[netuid] = cs.info
	}
	r.mu.RUnlock()
	return slices.Sorted(maps.Keys(all))
}

// follow keeps the registry fresh and calls watch for every subnet that
// appears (created on the chain after the node started), until ctx ends.
func (r *registry) follow(ctx context.Context, watch func(netuid uint16)) {
	seen := map[uint16]bool{}
	for _, netuid := range r.subnets() {
		seen[netuid] = true
	}
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.refresh(false)
		for _, netuid := range r.subnets() {
			if !seen[netuid] {
				seen[netuid] = true
				watch(netuid)
			}
		}
	}
}

var _ routing.Registry = (*registry)(nil)
