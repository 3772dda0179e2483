package p2p

import (
	"context"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
)

// Provide announces in the DHT that this host provides key (for example a
// subnet's key, protocols.SubnetKey). Records expire: call it again
// periodically (every few minutes) while the host still provides.
func (h *Host) Provide(ctx context.Context, key cid.Cid) error {
	if h.dht == nil {
		return ErrNotStarted
	}
	if h.RoutingTableSize() == 0 {
		return fmt.Errorf("p2p: provide %s: no DHT peers yet", key)
	}
	if err := h.dht.Provide(ctx, key, true); err != nil {
		return fmt.Errorf("p2p: provide %s: %w", key, err)
	}
	return nil
}

// FindProviders returns up to max peers that provide key, other than this
// host, with the addresses the DHT knows for them (also added to the
// peerstore, so a later dial by ID works).
func (h *Host) FindProviders(ctx context.Context, key cid.Cid, max int) ([]peer.AddrInfo, error) {
	if h.dht == nil {
		return nil, ErrNotStarted
	}
	var out []peer.AddrInfo
	for p := range h.dht.FindProvidersAsync(ctx, key, max) {
		if p.ID == h.h.ID() || h.gater.banned(p.ID) {
			continue
		}
		if len(p.Addrs) > 0 {
			h.h.Peerstore().AddAddrs(p.ID, p.Addrs, peerstore.AddressTTL)
		}
		out = append(out, p)
	}
	if err := ctx.Err(); err != nil && len(out) == 0 {
		return nil, fmt.Errorf("p2p: find providers of %s: %w", key, err)
	}
	return out, nil
}
