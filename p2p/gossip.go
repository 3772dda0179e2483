package p2p

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// Verdict is a gossip validator's answer.
type Verdict int

const (
	// Accept delivers the message and forwards it.
	Accept Verdict = iota
	// Reject drops the message and penalises the peer that sent it: it is
	// malformed, badly signed or for another chain.
	Reject
	// Ignore drops the message without penalty: a duplicate, stale, or
	// something this node cannot judge now.
	Ignore
)

// Validator judges one gossip message before it is delivered or
// forwarded (messages name no author: see newGossip). It decodes the message once and returns the decoded value,
// which subscribers receive as Message.Value. It must not block long.
type Validator func(ctx context.Context, data []byte) (value any, v Verdict)

// Message is a delivered gossip message.
type Message struct {
	// Via is the neighbour that delivered it.
	Via peer.ID
	// Local is set for a message this host published itself.
	Local bool
	Data  []byte
	Value any // what the topic's Validator returned
}

// Topic is a joined gossip topic.
type Topic struct {
	h    *Host
	name string
	kind string
	t    *pubsub.Topic
}

// Subscription delivers a topic's validated messages.
type Subscription struct {
	topic *Topic
	sub   *pubsub.Subscription
}

// newGossip starts gossipsub. Messages carry no pubsub signature and no
// author or sequence number (StrictNoSign with no author, as Ethereum's
// consensus clients run gossipsub): every tao message that needs an author
// carries its own signature (a hotkey's or coldkey's), so pubsub's, one
// more Ed25519 check per message and node, bought nothing and cost ≈ 6 %
// of a validator's CPU under load (BenchmarkChain). An unsigned author
// field would be worse than none: pubsub drops a message that claims to be
// from this host but arrives from a neighbour, and penalises that
// neighbour, so anyone could get a node's honest neighbours banned by
// sending messages "from" it. A message is named by a hash of its topic
// and data (messageID): the same bytes published twice are one message, so
// a publisher that repeats itself (a stalled consensus core's status, see
// protocols.CatchupRequest.Nonce) makes each message unique.
func newGossip(ctx context.Context, lh host.Host, h *Host) (*pubsub.PubSub, error) {
	return pubsub.NewGossipSub(ctx, lh,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(messageID),
		pubsub.WithMaxMessageSize(protocols.MaxGossipSize),
		pubsub.WithPeerScore(peerScoreParams(), scoreThresholds()),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(h.inspectScores), scoreInspectPeriod),
		pubsub.WithFloodPublish(true),
	)
}

// messageID names a gossip message by the first 20 bytes of SHA-256 over
// its topic and data, each length-prefixed.
func messageID(m *pb.Message) string {
	var b [binary.MaxVarintLen64]byte
	h := sha256.New()
	for _, f := range [][]byte{[]byte(m.GetTopic()), m.GetData()} {
		h.Write(binary.AppendUvarint(b[:0], uint64(len(f))))
		h.Write(f)
	}
	return string(h.Sum(nil)[:20])
}

// localKey marks the context of a Validator call for a message this host
// is publishing.
type localKey struct{}

// IsLocal reports whether a Validator is judging a message this host is
// publishing itself (pubsub validates local publishes too): it holds only
// for the call pubsub makes with this host as the source, which no peer's
// message (nor a replay of this host's own) can produce.
func IsLocal(ctx context.Context) bool {
	v, _ := ctx.Value(localKey{}).(bool)
	return v
}

// Join joins topic name with validator v (nil accepts everything; only
// tests of misbehaving peers want that). Joining a topic twice returns the
// same Topic.
func (h *Host) Join(name string, v Validator) (*Topic, error) {
	if h.ps == nil {
		return nil, ErrNotStarted
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if t, ok := h.topics[name]; ok {
		return t, nil
	}
	kind := topicKind(h.cfg.ChainID, name)
	if v != nil {
		err := h.ps.RegisterTopicValidator(name, func(ctx context.Context, src peer.ID, m *pubsub.Message) pubsub.ValidationResult {
			// src is this host only for its own publishes.
			if src == h.h.ID() {
				ctx = context.WithValue(ctx, localKey{}, true)
			}
			val, verdict := v(ctx, m.Data)
			h.metrics.gossip(kind, verdict)
			switch verdict {
			case Accept:
				m.ValidatorData = val
				return pubsub.ValidationAccept
			case Reject:
				h.log.Debug("gossip rejected", "topic", kind, "via", m.ReceivedFrom)
				return pubsub.ValidationReject
			default:
				return pubsub.ValidationIgnore
			}
		})
		if err != nil {
			return nil, fmt.Errorf("p2p: validator for %s: %w", name, err)
		}
	}
	pt, err := h.ps.Join(name)
	if err != nil {
		return nil, fmt.Errorf("p2p: join %s: %w", name, err)
	}
	if err := pt.SetScoreParams(topicScoreParams()); err != nil {
		return nil, fmt.Errorf("p2p: score params for %s: %w", name, err)
	}
	t := &Topic{h: h, name: name, kind: kind, t: pt}
	h.topics[name] = t
	return t, nil
}

// Name returns the topic's full name.
func (t *Topic) Name() string { return t.name }

// Publish validates data with the topic's validator and sends it.
func (t *Topic) Publish(ctx context.Context, data []byte) error {
	if err := t.t.Publish(ctx, data); err != nil {
		return fmt.Errorf("p2p: publish on %s: %w", t.kind, err)
	}
	t.h.metrics.published(t.kind)
	return nil
}

// Subscribe starts receiving validated messages of the topic.
func (t *Topic) Subscribe() (*Subscription, error) {
	s, err := t.t.Subscribe()
	if err != nil {
		return nil, fmt.Errorf("p2p: subscribe %s: %w", t.kind, err)
	}
	return &Subscription{topic: t, sub: s}, nil
}

// MeshPeers returns the peers this host exchanges the topic with.
func (t *Topic) MeshPeers() []peer.ID { return t.t.ListPeers() }

// Next blocks until the next message or until ctx is done or the
// subscription is cancelled.
func (s *Subscription) Next(ctx context.Context) (*Message, error) {
	m, err := s.sub.Next(ctx)
	if err != nil {
		if errors.Is(err, pubsub.ErrSubscriptionCancelled) {
			return nil, err
		}
		return nil, err
	}
	s.topic.h.metrics.delivered(s.topic.kind)
	self := s.topic.h.h.ID()
	return &Message{Via: m.ReceivedFrom, Local: m.ReceivedFrom == self, Data: m.Data, Value: m.ValidatorData}, nil
}

// Cancel stops the subscription.
func (s *Subscription) Cancel() { s.sub.Cancel() }
