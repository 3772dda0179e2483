package replica

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// memBus is a fake network for a unit test of the driver: it hands every
// message straight to the other replicas' Deliver, as node's libp2p
// transport does after its gossip validators.
type memBus struct {
	mu    sync.Mutex // guards nodes
	nodes map[string]*Replica
}

type busEnd struct {
	bus  *memBus
	self string
}

func toInput(m *protocols.ConsensusMessage) (consensus.Input, bool) {
	switch {
	case m.Proposal != nil:
		return consensus.Input{Proposal: m.Proposal}, true
	case m.Vote != nil:
		return consensus.Input{Vote: m.Vote}, true
	case m.Status != nil:
		return consensus.Input{Request: m.Status}, true
	case m.Response != nil:
		return consensus.Input{Response: m.Response}, true
	}
	return consensus.Input{}, false
}

func (e busEnd) Gossip(_ context.Context, m *protocols.ConsensusMessage) error {
	in, ok := toInput(m)
	if !ok {
		return nil
	}
	e.bus.mu.Lock()
	defer e.bus.mu.Unlock()
	for id, r := range e.bus.nodes {
		if id != e.self {
			r.Deliver(e.self, in)
		}
	}
	return nil
}

func (e busEnd) Send(_ context.Context, to string, m *protocols.ConsensusMessage) error {
	in, ok := toInput(m)
	if !ok {
		return nil
	}
	e.bus.mu.Lock()
	defer e.bus.mu.Unlock()
	if r := e.bus.nodes[to]; r != nil {
		r.Deliver(e.self, in)
	}
	return nil
}

func testGenesis(keys []ed25519.PrivateKey) *ledger.Genesis {
	p := ledger.DevParams()
	p.BlockTimeMs = 1
	faucet, _ := ledger.AccountOf(keys[0].Public().(ed25519.PublicKey))
	g := &ledger.Genesis{ChainID: "replicatest", Time: time.Now().UnixMilli(), Params: p,
		Balances: map[ledger.Account]market.Rao{faucet: 1000 * market.RaoPerTAO}}
	for _, k := range keys {
		hk, _ := ledger.AccountOf(k.Public().(ed25519.PublicKey))
		g.Validators = append(g.Validators, ledger.Validator{Hotkey: ledger.Hotkey(hk), Coldkey: faucet, Power: 10})
	}
	return g
}

// TestReplicasCommitTheSameChain runs 4 replicas (in-memory ledgers, a
// fake bus) and a follower without a key, and checks that all of them
// commit the same blocks.
func TestReplicasCommitTheSameChain(t *testing.T) {
	var keys []ed25519.PrivateKey
	for i := range 4 {
		keys = append(keys, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)))
	}
	g := testGenesis(keys)
	bus := &memBus{nodes: map[string]*Replica{}}
	var ledgers []*ledger.Ledger
	for i := range 5 {
		l, err := ledger.Open(ledger.NewMemStore(), g)
		if err != nil {
			t.Fatal(err)
		}
		ledgers = append(ledgers, l)
		var key ed25519.PrivateKey
		if i < 4 {
			key = keys[i]
		}
		id := fmt.Sprint("node", i)
		r, err := New(Config{Ledger: l, Key: key, Dir: t.TempDir(), Transport: busEnd{bus, id}})
		if err != nil {
			t.Fatal(err)
		}
		bus.mu.Lock()
		bus.nodes[id] = r
		bus.mu.Unlock()
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
	}
	const target = 15
	deadline := time.Now().Add(time.Minute)
	for {
		done := true
		for _, l := range ledgers {
			if l.Height() < target {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("heights after a minute: %v", heights(ledgers))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for h := uint64(1); h <= target; h++ {
		want, _, err := ledgers[0].Block(h)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range ledgers[1:] {
			got, cert, err := l.Block(h)
			if err != nil || !bytes.Equal(got.Header.StateRoot, want.Header.StateRoot) || len(cert) == 0 {
				t.Fatalf("replica %d block %d differs or has no commit (%v)", i+1, h, err)
			}
		}
	}
	for i, r := range bus.nodes {
		if st := r.Status(); st.Evidence != 0 {
			t.Fatalf("%s saw equivocation", i)
		}
	}
}

func heights(ls []*ledger.Ledger) []uint64 {
	var out []uint64
	for _, l := range ls {
		out = append(out, l.Height())
	}
	return out
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without a ledger succeeded")
	}
}
