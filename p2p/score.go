package p2p

import (
	"math"
	"sort"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Gossip score thresholds. A peer below gossipThreshold gets no gossip
// from us, below publishThreshold none of our publications, and below
// graylistThreshold its messages are ignored; Host then bans it.
const (
	gossipThreshold   = -500
	publishThreshold  = -1000
	graylistThreshold = -2500

	// Each invalid message costs invalidWeight × (invalid count)²: one
	// malformed message is -100, five are -2500 (the ban line).
	invalidWeight = -100

	scoreInspectPeriod = time.Second
)

func scoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             gossipThreshold,
		PublishThreshold:            publishThreshold,
		GraylistThreshold:           graylistThreshold,
		AcceptPXThreshold:           10,
		OpportunisticGraftThreshold: 5,
	}
}

// peerScoreParams leaves IP colocation unpenalised: devnets, tests and LAN
// clusters run many honest nodes behind one address.
func peerScoreParams() *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		Topics:                    map[string]*pubsub.TopicScoreParams{},
		AppSpecificScore:          func(peer.ID) float64 { return 0 },
		AppSpecificWeight:         1,
		BehaviourPenaltyWeight:    -10,
		BehaviourPenaltyThreshold: 6,
		BehaviourPenaltyDecay:     pubsub.ScoreParameterDecay(10 * time.Minute),
		DecayInterval:             time.Second,
		DecayToZero:               0.01,
		RetainScore:               10 * time.Minute,
	}
}

// topicScoreParams rewards first deliveries a little and punishes invalid
// messages hard. Mesh-delivery penalties stay off: tao's topics are quiet
// between blocks, and an honest peer must not lose score for silence.
func topicScoreParams() *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		TopicWeight:                    1,
		TimeInMeshWeight:               0.01,
		TimeInMeshQuantum:              time.Second,
		TimeInMeshCap:                  10,
		FirstMessageDeliveriesWeight:   1,
		FirstMessageDeliveriesDecay:    pubsub.ScoreParameterDecay(10 * time.Minute),
		FirstMessageDeliveriesCap:      20,
		InvalidMessageDeliveriesWeight: invalidWeight,
		InvalidMessageDeliveriesDecay:  pubsub.ScoreParameterDecay(time.Hour),
	}
}

// inspectScores runs on pubsub's goroutine every scoreInspectPeriod. It
// records scores and bans peers that fell below the ban line; the ban
// itself happens off that goroutine.
func (h *Host) inspectScores(scores map[peer.ID]float64) {
	h.mu.Lock()
	h.scores = make(map[peer.ID]float64, len(scores))
	var bad []peer.ID
	for p, s := range scores {
		h.scores[p] = s
		if s < h.cfg.BanScore && !h.gater.banned(p) {
			bad = append(bad, p)
		}
	}
	h.mu.Unlock()
	sort.Slice(bad, func(i, j int) bool { return bad[i] < bad[j] })
	for _, p := range bad {
		h.Ban(p, "gossip score below ban line")
	}
}

// Score returns p's last gossip score (0 if unknown).
func (h *Host) Score(p peer.ID) float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.scores[p]
	if !ok || math.IsNaN(s) {
		return 0
	}
	return s
}

// Ban disconnects p and refuses connections to and from it for
// Config.BanDuration.
func (h *Host) Ban(p peer.ID, reason string) {
	h.gater.ban(p, time.Now().Add(h.cfg.BanDuration))
	h.metrics.banned()
	h.log.Warn("banned peer", "peer", p, "reason", reason, "for", h.cfg.BanDuration)
	if h.h != nil {
		// Not on the caller's goroutine: inspectScores runs inside
		// pubsub, which must not wait on its own disconnect notifications.
		go func() { _ = h.h.Network().ClosePeer(p) }()
	}
}

// Banned reports whether p is banned now.
func (h *Host) Banned(p peer.ID) bool { return h.gater.banned(p) }
