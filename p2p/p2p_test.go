package p2p

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

const testChain = "p2ptest"

func newKey(t testing.TB) crypto.PrivKey {
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func startHost(t testing.TB, cfg Config) *Host {
	t.Helper()
	cfg.ChainID = testChain
	if cfg.PrivKey == nil {
		cfg.PrivKey = newKey(t)
	}
	if cfg.ListenAddrs == nil && !cfg.NoListen {
		cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	if cfg.DiscoveryInterval == 0 {
		cfg.DiscoveryInterval = time.Second
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func info(h *Host) peer.AddrInfo {
	return peer.AddrInfo{ID: h.ID(), Addrs: h.Libp2p().Addrs()}
}

func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// okOnly is the test topics' validator: messages must start with "ok:".
func okOnly(_ context.Context, data []byte) (any, Verdict) {
	if bytes.HasPrefix(data, []byte("ok:")) {
		return string(data), Accept
	}
	return nil, Reject
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New with zero Config succeeded; want missing chain ID and key")
	}
	if _, err := New(Config{ChainID: "dev", PrivKey: newKey(t), ListenAddrs: []string{"nope"}}); err == nil {
		t.Fatal("bad listen address accepted")
	}
	h, err := New(Config{ChainID: "dev", PrivKey: newKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	if h.Libp2p() != nil {
		t.Fatal("New started a libp2p host")
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close before Start: %v", err)
	}
}

// rawAttacker is a bare libp2p host with gossipsub, outside package p2p's
// rules: it can publish pubsub-signed, authored or malformed messages.
func rawAttacker(t *testing.T, opts ...pubsub.Option) (*pubsub.Topic, peer.ID, func(peer.AddrInfo)) {
	t.Helper()
	lh, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lh.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ps, err := pubsub.NewGossipSub(ctx, lh, opts...)
	if err != nil {
		t.Fatal(err)
	}
	topic, err := ps.Join("tao/" + testChain + "/bad")
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := topic.Subscribe()
	t.Cleanup(sub.Cancel)
	return topic, lh.ID(), func(p peer.AddrInfo) {
		if err := lh.Connect(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMisbehavingPeersArePenalisedAndBanned(t *testing.T) {
	name := "tao/" + testChain + "/bad"
	var honest []*Host
	var subs []*Subscription
	for i := range 3 {
		cfg := Config{}
		if i > 0 {
			cfg.Bootstrap = []peer.AddrInfo{info(honest[0])}
		}
		h := startHost(t, cfg)
		tp, err := h.Join(name, okOnly)
		if err != nil {
			t.Fatal(err)
		}
		s, err := tp.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		honest, subs = append(honest, h), append(subs, s)
	}
	noSign := pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign)
	for _, tc := range []struct {
		name string
		opts []pubsub.Option
		data string
	}{
		{"malformed", []pubsub.Option{noSign, pubsub.WithNoAuthor(), pubsub.WithMessageIdFn(messageID)}, "junk"},
		// tao gossip carries no pubsub signature, author or sequence number
		{"signed", []pubsub.Option{pubsub.WithMessageSignaturePolicy(pubsub.StrictSign)}, "ok: valid payload, but signed by pubsub"},
		{"authored", []pubsub.Option{noSign}, "ok: valid payload, but names an author"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topic, bad, connect := rawAttacker(t, tc.opts...)
			for _, h := range honest {
				connect(info(h))
			}
			eventually(t, 10*time.Second, "attacker in topic", func() bool { return len(topic.ListPeers()) == len(honest) })
			ctx := context.Background()
			for i := 0; !honest[0].Banned(bad); i++ {
				if i > 200 {
					t.Fatalf("attacker not banned after %d bad messages; score %v", i, honest[0].Score(bad))
				}
				_ = topic.Publish(ctx, fmt.Appendf(nil, "%s %d", tc.data, i)) // a repeat would be the same message
				time.Sleep(50 * time.Millisecond)
			}
			eventually(t, 5*time.Second, "attacker disconnected", func() bool {
				return honest[0].Connectedness(bad) != network.Connected
			})
			// Nothing the attacker sent was delivered to an honest subscriber.
			for i, s := range subs {
				ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				m, err := s.Next(ctx)
				cancel()
				if err == nil {
					t.Fatalf("host %d delivered %q via %s", i, m.Data, m.Via)
				}
			}
		})
	}
	// Honest traffic still flows.
	eventually(t, 10*time.Second, "honest mesh", func() bool {
		tp, _ := honest[1].Join(name, okOnly)
		return len(tp.MeshPeers()) > 0
	})
	tp, _ := honest[1].Join(name, okOnly)
	if err := tp.Publish(context.Background(), []byte("ok: hello")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := subs[0].Next(ctx)
		if err != nil {
			t.Fatalf("honest message not delivered: %v", err)
		}
		if string(m.Data) == "ok: hello" {
			break
		}
	}
}

func TestReachableOnlyThroughRelay(t *testing.T) {
	relay := startHost(t, Config{RelayService: true})
	hidden := startHost(t, Config{NoListen: true, StaticRelays: []peer.AddrInfo{info(relay)}})
	const proto = "/tao/" + testChain + "/echo/1"
	hidden.Libp2p().SetStreamHandler(proto, func(s network.Stream) {
		defer s.Close()
		buf := make([]byte, 5)
		if _, err := s.Read(buf); err == nil {
			s.Write(buf)
		}
	})
	// AutoRelay connects to the static relay and reserves a slot there.
	// (It does not advertise a circuit address built on a loopback relay
	// address, so the test dials the circuit address itself.)
	eventually(t, 20*time.Second, "hidden host connected to its relay", func() bool {
		return hidden.Connectedness(relay.ID()) == network.Connected
	})
	for _, a := range hidden.Libp2p().Network().ListenAddresses() {
		if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err != nil {
			t.Fatalf("hidden host listens directly on %s", a)
		}
	}
	client := startHost(t, Config{})
	circuit, err := ma.NewMultiaddr(info(relay).Addrs[0].String() + "/p2p/" + relay.ID().String() + "/p2p-circuit")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err2 error
	eventually(t, 20*time.Second, "dial through relay", func() bool {
		hidden := peer.AddrInfo{ID: hidden.ID(), Addrs: []ma.Multiaddr{circuit}}
		err2 = client.Connect(ctx, hidden)
		return err2 == nil
	})
	s, err := client.Libp2p().NewStream(network.WithAllowLimitedConn(ctx, "test"), hidden.ID(), proto)
	if err != nil {
		t.Fatalf("stream through relay: %v", err)
	}
	defer s.Close()
	if _, err := s.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := s.Read(buf); err != nil || string(buf) != "hello" {
		t.Fatalf("echo through relay = %q, %v", buf, err)
	}
}

func TestTopicKind(t *testing.T) {
	for name, want := range map[string]string{
		"tao/dev/tx":                  "tx",
		"tao/dev/subnet/12/heartbeat": "subnet/heartbeat",
		"tao/dev/consensus/vote":      "consensus/vote",
		"elsewhere":                   "other",
	} {
		if got := topicKind("dev", name); got != want {
			t.Errorf("topicKind(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestValidatorSeesLocalPublishes checks p2p.IsLocal: true when a
// validator judges this host's own publish, false for the same topic's
// messages from a peer, so a node can pass its own messages unchecked and
// no peer can get that treatment.
func TestValidatorSeesLocalPublishes(t *testing.T) {
	name := "tao/" + testChain + "/local"
	type seen struct {
		data  string
		local bool
	}
	var mu sync.Mutex
	var got []seen
	record := func(ctx context.Context, b []byte) (any, Verdict) {
		mu.Lock()
		got = append(got, seen{string(b), IsLocal(ctx)})
		mu.Unlock()
		return nil, Accept
	}
	a := startHost(t, Config{})
	b := startHost(t, Config{Bootstrap: []peer.AddrInfo{info(a)}})
	ta, err := a.Join(name, record)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Join(name, okOnly)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Subscribe(); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Subscribe(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "mesh", func() bool { return len(tb.MeshPeers()) > 0 && len(ta.MeshPeers()) > 0 })
	ctx := context.Background()
	if err := ta.Publish(ctx, []byte("ok: mine")); err != nil {
		t.Fatal(err)
	}
	if err := tb.Publish(ctx, []byte("ok: theirs")); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "both judged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	})
	mu.Lock()
	defer mu.Unlock()
	for _, s := range got {
		if want := s.data == "ok: mine"; s.local != want {
			t.Errorf("%q judged with IsLocal %v, want %v", s.data, s.local, want)
		}
	}
}
