package p2p

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// TestProvideFindProviders: a host that provides a key is found by one
// that knows it only through the DHT.
func TestProvideFindProviders(t *testing.T) {
	boot := startHost(t, Config{ChainID: "ptest"})
	a := startHost(t, Config{ChainID: "ptest", Bootstrap: []peer.AddrInfo{info(boot)}})
	b := startHost(t, Config{ChainID: "ptest", Bootstrap: []peer.AddrInfo{info(boot)}})
	key := protocols.SubnetKey("ptest", 1)
	eventually(t, 20*time.Second, "a provides the key", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return a.Provide(ctx, key) == nil
	})
	eventually(t, 20*time.Second, "b finds a as a provider", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ps, err := b.FindProviders(ctx, key, 8)
		for _, p := range ps {
			if p.ID == a.ID() {
				return len(b.Libp2p().Peerstore().Addrs(a.ID())) > 0
			}
		}
		_ = err
		return false
	})
	unstarted, err := New(Config{ChainID: "ptest", PrivKey: newKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := unstarted.Provide(context.Background(), key); err != ErrNotStarted {
		t.Fatalf("Provide before Start: %v", err)
	}
}
