// Package taotest starts real tao nodes for tests: real libp2p hosts on
// 127.0.0.1 with ephemeral ports and data in t.TempDir(), joined through
// one bootstrap node, closed in t.Cleanup.
//
//	nw := taotest.NewNetwork(t, 10, nil)
//	nw.AwaitPeers(t, 30*time.Second)      // every node connected to every other
//	nw.AwaitAnnounced(t, 30*time.Second)  // every node heard every other's gossip
package taotest

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

// Options tune a test network. The zero value (or nil) is fine.
type Options struct {
	// Network is the chain ID. Zero: "taotest".
	Network string
	// Verbose logs the nodes' debug output to stderr.
	Verbose bool
	// Configure, if set, adjusts node i's configuration before it starts
	// (for example: declare subnets, make it a miner).
	Configure func(i int, c *node.Config)
	// Validators > 0 gives the network a chain: a genesis on the dev
	// preset whose validators are the first Validators nodes, and a
	// faucet account (Network.Faucet) holding 1,000,000 TAO.
	Validators int
	// Params overrides the dev preset of the genesis (with Validators).
	Params *ledger.Params
	// Accounts is how many funded accounts the genesis holds
	// (Network.Accounts, the first being the faucet), 1,000,000 TAO each.
	// Zero: 1. Several let concurrent clients send without sharing a
	// nonce sequence.
	Accounts int
	// DiscoveryInterval bounds the nodes' DHT discovery rounds. Zero: 2 s
	// (quick discovery for tests); benchmarks of gossip raise it so that
	// DHT traffic does not share the cores.
	DiscoveryInterval time.Duration
}

// Network is a set of running nodes. Node 0 is the bootstrap node.
type Network struct {
	Nodes []*node.Node
	// Genesis is the chain's genesis (nil without Options.Validators).
	Genesis *ledger.Genesis
	// Faucet is the coldkey of the genesis account holding the TAO.
	Faucet ed25519.PrivateKey
	// Accounts are the coldkeys of the funded genesis accounts
	// (Options.Accounts); Accounts[0] is Faucet.
	Accounts []ed25519.PrivateKey
	opts     Options
	dirs     []string
	keys     []crypto.PrivKey
	boot     []string
	votes    *Votes // set by WatchVotes: nodes started later are watched too
}

// NewNetwork starts n nodes: node 0 first, then the others with node 0 as
// their only bootstrap peer. Everything else they learn through the DHT.
func NewNetwork(t testing.TB, n int, opts *Options) *Network {
	t.Helper()
	nw := &Network{}
	if opts != nil {
		nw.opts = *opts
	}
	if nw.opts.Network == "" {
		nw.opts.Network = "taotest"
	}
	for range n {
		nw.dirs = append(nw.dirs, t.TempDir())
		nw.keys = append(nw.keys, newKey(t))
	}
	if nw.opts.Validators > 0 {
		nw.makeGenesis(t)
	}
	for i := range n {
		nd := nw.start(t, i)
		if i == 0 {
			for _, a := range nd.Host().Addrs() {
				nw.boot = append(nw.boot, a.String())
			}
		}
	}
	return nw
}

func (nw *Network) start(t testing.TB, i int) *node.Node {
	t.Helper()
	var boot []string
	if i > 0 {
		boot = nw.boot
	}
	logger := slog.New(slog.DiscardHandler)
	if nw.opts.Verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("i", i)
	}
	cfg := node.Config{
		Network:           nw.opts.Network,
		DataDir:           nw.dirs[i],
		PrivKey:           nw.keys[i],
		Genesis:           nw.Genesis,
		ListenAddrs:       []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"},
		Bootstrap:         boot,
		NoMDNS:            true,
		HTTPAddr:          "127.0.0.1:0",
		AnnounceInterval:  time.Second,
		DiscoveryInterval: cmp.Or(nw.opts.DiscoveryInterval, 2*time.Second),
		Logger:            logger,
	}
	if nw.opts.Configure != nil {
		nw.opts.Configure(i, &cfg)
	}
	nd, err := node.New(cfg)
	if err != nil {
		t.Fatalf("node %d: %v", i, err)
	}
	if err := nd.Start(context.Background()); err != nil {
		t.Fatalf("start node %d: %v", i, err)
	}
	t.Cleanup(func() { nd.Close() })
	if i < len(nw.Nodes) {
		nw.Nodes[i] = nd
	} else {
		nw.Nodes = append(nw.Nodes, nd)
	}
	if nw.votes != nil {
		nw.votes.Watch(t, fmt.Sprintf("node %d", i), nd.Host())
	}
	return nd
}

// Add starts one more node, bootstrapped from node 0, and returns it.
func (nw *Network) Add(t testing.TB) *node.Node {
	t.Helper()
	nw.dirs = append(nw.dirs, t.TempDir())
	nw.keys = append(nw.keys, newKey(t))
	return nw.start(t, len(nw.dirs)-1)
}

// Restart closes node i and starts it again on the same data directory.
func (nw *Network) Restart(t testing.TB, i int) *node.Node {
	t.Helper()
	if err := nw.Nodes[i].Close(); err != nil {
		t.Logf("close node %d: %v", i, err)
	}
	return nw.start(t, i)
}

// AwaitPeers waits until every node is connected to every other.
func (nw *Network) AwaitPeers(t testing.TB, timeout time.Duration) {
	t.Helper()
	want := len(nw.Nodes) - 1
	nw.await(t, timeout, "every node connected to every other", func() (bool, string) {
		for i, nd := range nw.Nodes {
			if got := len(nd.Host().Peers()); got < want {
				return false, fmt.Sprintf("node %d has %d peers, want %d", i, got, want)
			}
		}
		return true, ""
	})
}

// AwaitAnnounced waits until every node has received the signed status
// gossip of every other.
func (nw *Network) AwaitAnnounced(t testing.TB, timeout time.Duration) {
	t.Helper()
	want := len(nw.Nodes) - 1
	nw.await(t, timeout, "every node heard every other's announcement", func() (bool, string) {
		for i, nd := range nw.Nodes {
			if got := len(nd.Announced()); got < want {
				return false, fmt.Sprintf("node %d heard %d announcements, want %d", i, got, want)
			}
		}
		return true, ""
	})
}

func (nw *Network) await(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", timeout, what, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Key returns node i's private key (its hotkey) as an ed25519 key, to
// sign hotkey transactions in tests.
func (nw *Network) Key(t testing.TB, i int) ed25519.PrivateKey {
	t.Helper()
	raw, err := nw.keys[i].Raw()
	if err != nil {
		t.Fatal(err)
	}
	return ed25519.PrivateKey(raw)
}
