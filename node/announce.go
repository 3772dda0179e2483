package node

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// PeerStatus is what a node knows of another from its announcements.
type PeerStatus struct {
	PeerID   peer.ID   `json:"peer_id"`
	Roles    []string  `json:"roles"`
	Height   uint64    `json:"height"`
	Agent    string    `json:"agent"`
	Seq      uint64    `json:"seq"`
	LastSeen time.Time `json:"last_seen"`
}

// maxAnnounced bounds the announcement table, so a flood of fresh
// identities cannot grow it without limit.
const maxAnnounced = 4096

// announcer gossips this node's signed NodeStatus and records the
// statuses of others.
type announcer struct {
	host   *p2p.Host
	key    ed25519.PrivateKey
	roles  []string
	agent  string
	log    *slog.Logger
	topic  *p2p.Topic
	sub    *p2p.Subscription
	selfID peer.ID

	// height reports the ledger height to announce; nil: 0. Set before run.
	height func() uint64

	mu    sync.Mutex // guards peers, seq
	peers map[peer.ID]PeerStatus
	seq   uint64
}

func newAnnouncer(h *p2p.Host, key ed25519.PrivateKey, roles []string, agent string, log *slog.Logger) (*announcer, error) {
	// Seq starts at the clock, so a restarted node's announcements are
	// newer than its previous run's (and, gossip naming a message by its
	// bytes, not a repeat of one of them).
	a := &announcer{host: h, key: key, roles: roles, agent: agent, log: log, selfID: h.ID(), peers: make(map[peer.ID]PeerStatus), seq: uint64(time.Now().UnixMilli())}
	chain := h.ChainID()
	t, err := h.Join(protocols.NodeStatusTopic(chain), func(_ context.Context, data []byte) (any, p2p.Verdict) {
		st, err := protocols.DecodeNodeStatus(data)
		if err != nil {
			return nil, p2p.Reject
		}
		// The hotkey's signature makes a status its node's own words.
		if err := st.Verify(chain); err != nil {
			return nil, p2p.Reject
		}
		return st, p2p.Accept
	})
	if err != nil {
		return nil, err
	}
	a.topic = t
	if a.sub, err = t.Subscribe(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *announcer) run(ctx context.Context, every time.Duration) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.receive(ctx)
	}()
	defer func() { <-done }()
	defer a.sub.Cancel()
	// The first announcements go out quickly, while the gossip mesh forms.
	wait := 250 * time.Millisecond
	for {
		a.publish(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, every)
	}
}

func (a *announcer) publish(ctx context.Context) {
	a.mu.Lock()
	a.seq++
	st := &protocols.NodeStatus{ChainID: a.host.ChainID(), Seq: a.seq, Roles: a.roles, Agent: a.agent}
	if a.height != nil {
		st.Height = a.height()
	}
	a.mu.Unlock()
	if err := st.Sign(a.key); err != nil {
		a.log.Error("sign status", "err", err)
		return
	}
	b, err := protocols.EncodeNodeStatus(st)
	if err != nil {
		a.log.Error("encode status", "err", err)
		return
	}
	if err := a.topic.Publish(ctx, b); err != nil && ctx.Err() == nil {
		a.log.Debug("publish status", "err", err)
	}
}

func (a *announcer) receive(ctx context.Context) {
	for {
		m, err := a.sub.Next(ctx)
		if err != nil {
			return
		}
		st, ok := m.Value.(*protocols.NodeStatus)
		if !ok || m.Local {
			continue
		}
		id, err := st.PeerID()
		if err != nil || id == a.selfID {
			continue
		}
		a.mu.Lock()
		if old, known := a.peers[id]; known && old.Seq >= st.Seq && time.Since(old.LastSeen) < time.Minute {
			// A replayed or reordered older announcement.
		} else if known || len(a.peers) < maxAnnounced {
			a.peers[id] = PeerStatus{PeerID: id, Roles: st.Roles, Height: st.Height, Agent: st.Agent, Seq: st.Seq, LastSeen: time.Now()}
		}
		a.mu.Unlock()
	}
}

func (a *announcer) seen() []PeerStatus {
	a.mu.Lock()
	out := make([]PeerStatus, 0, len(a.peers))
	for _, p := range a.peers {
		out = append(out, p)
	}
	a.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].PeerID < out[j].PeerID })
	return out
}
