package routing

import (
	"context"
	"time"

	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// MaxClockSkew is how far a heartbeat's or request's timestamp may be from
// this node's clock. Further out, a heartbeat is ignored and a request is
// refused: an old signed message cannot be replayed to fake liveness.
const MaxClockSkew = 30 * time.Second

// heartbeatExpiry is how many of its declared intervals a heartbeat stays
// live: a miner that misses three in a row gets no new traffic.
const heartbeatExpiry = 3

// joinHeartbeats joins a subnet's heartbeat topic with its validator. The
// miner and the directory of one node share the topic; both join with the
// same validator, so whichever comes first registers it.
func joinHeartbeats(h *p2p.Host, netuid uint16, clock Clock) (*p2p.Topic, error) {
	chain := h.ChainID()
	return h.Join(protocols.HeartbeatTopic(chain, netuid), func(_ context.Context, data []byte) (any, p2p.Verdict) {
		hb, err := protocols.DecodeHeartbeat(data)
		if err != nil {
			return nil, p2p.Reject
		}
		// The hotkey's signature makes the heartbeat the miner's own
		// (gossip names no author).
		if err := hb.Verify(chain); err != nil || hb.NetUID != netuid {
			return nil, p2p.Reject
		}
		skew := clock.Now().Sub(time.UnixMilli(hb.Time))
		if skew > MaxClockSkew || skew < -MaxClockSkew {
			return nil, p2p.Ignore // stale or from a skewed clock: not proof of life
		}
		return hb, p2p.Accept
	})
}
