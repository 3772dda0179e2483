package p2p

import (
	"context"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"

	"github.com/taonet/tao/protocols"
)

// discover connects to the bootstrap peers, then repeatedly advertises
// this node under the chain's rendezvous namespace in the DHT and dials the
// other nodes found there. Rounds start 250 ms apart and back off to
// Config.DiscoveryInterval, so a fresh node finds its peers in seconds
// without hammering the DHT afterwards.
func (h *Host) discover(ctx context.Context) {
	h.connectBootstrap(ctx)
	if err := h.dht.Bootstrap(ctx); err != nil {
		h.log.Warn("DHT bootstrap", "err", err)
	}
	ns := protocols.DiscoveryNamespace(h.cfg.ChainID)
	rd := drouting.NewRoutingDiscovery(h.dht)
	wait := 250 * time.Millisecond
	for {
		if len(h.Peers()) == 0 {
			h.connectBootstrap(ctx)
		}
		// Re-advertise every round: a record put while the routing table
		// was small sits on peers that may no longer be the closest to the
		// namespace key, and a stale one names a node that went away.
		if h.RoutingTableSize() > 0 {
			actx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if _, err := rd.Advertise(actx, ns); err != nil {
				h.log.Debug("advertise", "err", err)
			}
			cancel()
		}
		h.findPeers(ctx, rd, ns)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, h.cfg.DiscoveryInterval)
	}
}

func (h *Host) connectBootstrap(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range h.cfg.Bootstrap {
		if p.ID == h.h.ID() || h.Connectedness(p.ID) == 1 {
			continue
		}
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := h.h.Connect(cctx, p); err != nil {
				h.log.Debug("bootstrap dial failed", "peer", p.ID, "err", err)
			}
		})
	}
	wg.Wait()
}

func (h *Host) findPeers(ctx context.Context, rd *drouting.RoutingDiscovery, ns string) {
	if h.RoutingTableSize() == 0 {
		return
	}
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ch, err := rd.FindPeers(fctx, ns)
	if err != nil {
		h.log.Debug("find peers", "err", err)
		return
	}
	var wg sync.WaitGroup
	for p := range ch {
		if p.ID == h.h.ID() || len(p.Addrs) == 0 || h.Connectedness(p.ID) == 1 || h.gater.banned(p.ID) {
			continue
		}
		wg.Go(func() {
			if err := h.h.Connect(fctx, p); err != nil {
				h.log.Debug("dial discovered peer", "peer", p.ID, "err", err)
			}
		})
	}
	wg.Wait()
}

// mdnsNotifee dials peers of the same chain found on the local network.
type mdnsNotifee struct {
	h   *Host
	ctx context.Context
}

func (n *mdnsNotifee) HandlePeerFound(p peer.AddrInfo) {
	if p.ID == n.h.h.ID() || n.h.gater.banned(p.ID) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(n.ctx, 10*time.Second)
		defer cancel()
		_ = n.h.h.Connect(ctx, p)
	}()
}
