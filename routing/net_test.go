package routing

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/synth"
	"github.com/taonet/tao/p2p"
)

const testChain = "routingtest"

// modelBytes is the synthetic stories15m Q8_0 model, built once per test
// binary; its CID is what the test subnet declares.
var modelBytes = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	err := synth.Write(&buf, synth.Options{Preset: "stories15m", Quant: gguf.Q8_0, Seed: 1})
	return buf.Bytes(), err
})

func newTestEngine(t testing.TB) *inference.Builtin {
	t.Helper()
	b, err := modelBytes()
	if err != nil {
		t.Fatal(err)
	}
	e, err := inference.LoadBuiltin(b, inference.BuiltinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// fakeRegistry declares subnets and rates every hotkey neutrally, as the
// node's interim registry does.
type fakeRegistry struct {
	subnets map[uint16]SubnetInfo
}

func (r *fakeRegistry) Subnet(n uint16) (SubnetInfo, bool) { s, ok := r.subnets[n]; return s, ok }
func (r *fakeRegistry) Neuron(n uint16, _ peer.ID) (NeuronInfo, bool) {
	_, ok := r.subnets[n]
	return NeuronInfo{}, ok
}

// testNet is n real libp2p hosts on 127.0.0.1, all connected, with a
// directory and a client on each and miners where started.
type testNet struct {
	hosts   []*p2p.Host
	keys    []ed25519.PrivateKey
	reg     *fakeRegistry
	dirs    []*Directory
	clients []*Client
	miners  map[int]*Miner
}

func newTestNet(t testing.TB, n int, model cid.Cid, ccfg ClientConfig) *testNet {
	t.Helper()
	tn := &testNet{reg: &fakeRegistry{subnets: map[uint16]SubnetInfo{1: {ModelCID: model, Task: "text-generation"}}}, miners: map[int]*Miner{}}
	for i := range n {
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, ed25519.SeedSize))
		pk, _ := crypto.UnmarshalEd25519PrivateKey(key)
		h, err := p2p.New(p2p.Config{ChainID: testChain, PrivKey: pk, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, DiscoveryInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		for _, other := range tn.hosts {
			if err := h.Connect(context.Background(), peer.AddrInfo{ID: other.ID(), Addrs: other.Libp2p().Addrs()}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := NewDirectory(DirectoryConfig{Host: h, Registry: tn.reg, Refresh: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		if err := d.Watch(1); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		cc := ccfg
		cc.Host, cc.Key, cc.Directory = h, key, d
		c, err := NewClient(cc)
		if err != nil {
			t.Fatal(err)
		}
		tn.hosts, tn.keys, tn.dirs, tn.clients = append(tn.hosts, h), append(tn.keys, key), append(tn.dirs, d), append(tn.clients, c)
	}
	return tn
}

// startMiner serves eng on host i.
func (tn *testNet) startMiner(t testing.TB, i int, eng inference.Engine, cfg MinerConfig) *Miner {
	t.Helper()
	cfg.Host, cfg.Key, cfg.NetUID, cfg.Engine, cfg.Registry = tn.hosts[i], tn.keys[i], 1, eng, tn.reg
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 500 * time.Millisecond
	}
	m, err := NewMiner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tn.miners[i] = m
	return m
}

// kill stops miner i and closes its host, as a crashed process would.
func (tn *testNet) kill(i int) {
	tn.miners[i].Close()
	tn.hosts[i].Close()
}

// awaitLive waits until host i's directory lists want miners.
func (tn *testNet) awaitLive(t testing.TB, i, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := len(tn.clients[i].Live(1))
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("host %d sees %d live miners, want %d", i, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// localGreedy is the in-process answer the network must reproduce.
func localGreedy(t testing.TB, eng inference.Engine, prompt string, max int) inference.Result {
	t.Helper()
	res, err := eng.Generate(context.Background(), inference.Request{Prompt: prompt, MaxTokens: max}, func(inference.Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (tn *testNet) indexOf(p peer.ID) string {
	for i, h := range tn.hosts {
		if h.ID() == p {
			return fmt.Sprint(i)
		}
	}
	return p.String()
}
