package routing

import (
	"context"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// Receipts are gossiped per subnet (protocols.ReceiptTopic) as encoded
// receipt frames, so that validators can sample organic traffic and count
// the work each miner signed for. A receipt is accepted only if the miner
// that it names signed it, for this chain and this subnet.

// maxReceiptsKept bounds the receipts a Receipts keeps per subnet.
const maxReceiptsKept = 1024

// joinReceipts joins a subnet's receipt topic with its validator.
func joinReceipts(h *p2p.Host, netuid uint16) (*p2p.Topic, error) {
	chain := h.ChainID()
	return h.Join(protocols.ReceiptTopic(chain, netuid), func(_ context.Context, data []byte) (any, p2p.Verdict) {
		f, err := protocols.DecodeFrame(data)
		if err != nil || f.Type != protocols.FrameReceipt || f.Receipt == nil {
			return nil, p2p.Reject
		}
		rc := f.Receipt
		if rc.NetUID != netuid || rc.Verify(chain) != nil {
			return nil, p2p.Reject
		}
		return rc, p2p.Accept
	})
}

// publishReceipt gossips rc; failures only cost validators a sample.
func (m *Miner) publishReceipt(rc *protocols.Receipt) {
	if m.receipts == nil {
		return
	}
	b, err := protocols.EncodeFrame(&protocols.Frame{Type: protocols.FrameReceipt, Receipt: rc})
	if err != nil {
		return
	}
	if err := m.receipts.Publish(m.ctx, b); err != nil && m.ctx.Err() == nil {
		m.log.Debug("gossip receipt", "err", err)
	}
}

// Receipts collects the verified receipts gossiped on a subnet: the most
// recent ones and a count per miner. Safe for concurrent use.
type Receipts struct {
	netuid uint16

	mu     sync.Mutex // guards recent, count
	recent []*protocols.Receipt
	count  map[peer.ID]int
}

// WatchReceipts subscribes to netuid's receipts until ctx ends.
func WatchReceipts(ctx context.Context, h *p2p.Host, netuid uint16) (*Receipts, error) {
	t, err := joinReceipts(h, netuid)
	if err != nil {
		return nil, err
	}
	sub, err := t.Subscribe()
	if err != nil {
		return nil, err
	}
	r := &Receipts{netuid: netuid, count: make(map[peer.ID]int)}
	go func() {
		defer sub.Cancel()
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			if rc, ok := m.Value.(*protocols.Receipt); ok {
				r.add(rc)
			}
		}
	}()
	return r, nil
}

func (r *Receipts) add(rc *protocols.Receipt) {
	id, err := rc.MinerID()
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.recent) == maxReceiptsKept {
		copy(r.recent, r.recent[1:])
		r.recent = r.recent[:maxReceiptsKept-1]
	}
	r.recent = append(r.recent, rc)
	r.count[id]++
}

// Recent returns the receipts kept, oldest first.
func (r *Receipts) Recent() []*protocols.Receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*protocols.Receipt(nil), r.recent...)
}

// Count returns how many receipts miner p has signed since watching began.
func (r *Receipts) Count(p peer.ID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[p]
}
