package node

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// TestUnchangedStatusGossipedAgain: gossip names a message by its bytes,
// so the driver numbers each consensus status it publishes; a stalled
// core's unchanged status must reach its peers every time.
func TestUnchangedStatusGossipedAgain(t *testing.T) {
	const chainID = "status-test"
	start := func(boot []peer.AddrInfo) *p2p.Host {
		key, _, err := crypto.GenerateEd25519Key(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		h, err := p2p.New(p2p.Config{ChainID: chainID, PrivKey: key, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Bootstrap: boot, DiscoveryInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
	a := start(nil)
	b := start([]peer.AddrInfo{{ID: a.ID(), Addrs: a.Addrs()}})
	accept := func(context.Context, []byte) (any, p2p.Verdict) { return nil, p2p.Accept }
	ta, err := a.Join(protocols.VoteTopic(chainID), accept)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Join(protocols.VoteTopic(chainID), accept)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Subscribe(); err != nil {
		t.Fatal(err)
	}
	sub, err := tb.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	deadline := time.Now().Add(10 * time.Second)
	for len(ta.MeshPeers()) == 0 || len(tb.MeshPeers()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("hosts did not meet in the vote topic")
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := &chain{votes: ta}
	st := &protocols.CatchupRequest{Version: protocols.ConsensusVersion, ChainID: chainID, Height: 7, Round: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var nonces []uint64
	for range 3 {
		if err := c.Gossip(ctx, &protocols.ConsensusMessage{Status: st}); err != nil {
			t.Fatal(err)
		}
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("status %d not delivered: %v", len(nonces), err)
		}
		got, err := protocols.DecodeConsensusMessage(m.Data)
		if err != nil || got.Status == nil || got.Status.Height != 7 {
			t.Fatalf("delivered %v (%v), want the status", got, err)
		}
		nonces = append(nonces, got.Status.Nonce)
	}
	if st.Nonce != 0 {
		t.Fatal("Gossip changed the core's status")
	}
	if nonces[0] == nonces[1] || nonces[1] == nonces[2] {
		t.Fatalf("nonces %v repeat", nonces)
	}
}
