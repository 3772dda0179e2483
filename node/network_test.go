package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/node"
)

func TestTenNodesDiscoverThroughDHT(t *testing.T) {
	nw := taotest.NewNetwork(t, 10, nil)
	// Each node was given only node 0's address; the rest came from the DHT.
	nw.AwaitPeers(t, 60*time.Second)
	nw.AwaitAnnounced(t, 60*time.Second)
}

func TestRestartKeepsPeerID(t *testing.T) {
	nw := taotest.NewNetwork(t, 2, nil)
	before := nw.Nodes[1].PeerID()
	after := nw.Restart(t, 1).PeerID()
	if before != after {
		t.Fatalf("peer ID changed across restart: %s -> %s", before, after)
	}
	nw.AwaitPeers(t, 30*time.Second)
}

func TestAPIStatusAndPeers(t *testing.T) {
	nw := taotest.NewNetwork(t, 3, nil)
	nw.AwaitAnnounced(t, 30*time.Second)
	c := &node.Client{BaseURL: nw.Nodes[1].HTTPURL()}
	ctx := context.Background()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ChainID != "taotest" || st.PeerID != nw.Nodes[1].PeerID().String() || st.Peers < 2 {
		t.Fatalf("status = %+v", st)
	}
	peers, err := c.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	announced := 0
	for _, p := range peers {
		if p.Status != nil {
			announced++
		}
	}
	if announced != 2 {
		t.Fatalf("peers with announcements = %d, want 2: %+v", announced, peers)
	}
}
