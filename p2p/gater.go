package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// gater refuses connections to and from banned peers.
type gater struct {
	mu   sync.Mutex // guards bans
	bans map[peer.ID]time.Time
}

func newGater() *gater { return &gater{bans: make(map[peer.ID]time.Time)} }

func (g *gater) ban(p peer.ID, until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bans[p] = until
}

func (g *gater) banned(p peer.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	until, ok := g.bans[p]
	if !ok {
		return false
	}
	if time.Now().After(until) {
		delete(g.bans, p)
		return false
	}
	return true
}

func (g *gater) InterceptPeerDial(p peer.ID) bool                 { return !g.banned(p) }
func (g *gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return !g.banned(p) }
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool      { return true }
func (g *gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return !g.banned(p)
}
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
