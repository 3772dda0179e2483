package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/ledger/replica"
	"github.com/taonet/tao/protocols"
)

// Block sync: a node that is more than syncLag blocks behind the heights
// its peers announce fetches the missing blocks in bulk over
// protocols.SyncBlocksProtocol, up to MaxSyncBlocks per request, the next
// request in flight while the replica applies the previous answer. Every
// block goes through replica.ApplyCertified: the core verifies its
// certificate against the validator set it tracks and the ledger
// re-executes it, exactly as for a catch-up response. A peer that sends a
// malformed frame, a block out of order or a block whose certificate does
// not verify is reported (banned) and the sync goes on from another peer.
// Within syncLag of the tip, the consensus catch-up protocol takes over.

// Block sync tuning.
const (
	// syncLag is how many blocks behind a node must be before it syncs in
	// bulk; closer, catch-up's one block per round trip is enough.
	syncLag = 8
	// syncBatch is the blocks asked for in one request.
	syncBatch = protocols.MaxSyncBlocks
	// syncQueue bounds the fetched blocks waiting to be applied (each at
	// most protocols.MaxSyncBlockSize).
	syncQueue = 2 * syncBatch
	// syncCheck is how often a node looks at its peers' heights.
	syncCheck = 500 * time.Millisecond
	// syncWorkers bounds the blocks pre-verified at once.
	syncWorkers = 4
	// syncBackoffMax bounds the wait after a sync round that made no
	// progress (peers that claim heights they do not serve).
	syncBackoffMax = 30 * time.Second
)

// errPeerFault marks a sync error that the peer caused by sending bad
// data, as opposed to a slow or broken connection.
var errPeerFault = errors.New("sync: peer sent bad data")

// syncPeer is a candidate to sync from; height 0 means unknown.
type syncPeer struct {
	id     peer.ID
	height uint64
}

// fetchFunc streams the blocks from, from+1, ... (at most count) that
// peer p holds into out, in order, and returns how many it delivered. An
// error wrapping errPeerFault blames p.
type fetchFunc func(ctx context.Context, p peer.ID, from uint64, count uint32, out chan<- *protocols.SyncBlock) (uint32, error)

// syncer runs block sync for one chain. Its fields other than mu and state
// are set before run and not changed.
type syncer struct {
	log    *slog.Logger
	height func() uint64     // the ledger's tip
	peers  func() []syncPeer // candidates, in no particular order
	fetch  fetchFunc
	apply  func(ctx context.Context, value []byte, c *protocols.Commit) error // replica.ApplyCertified
	bulk   func(on bool)                                                      // replica.SetBulkSync
	bad    func(p peer.ID, err error)                                         // report a peer at fault
	// preverify, if set, checks a fetched block's signatures ahead of
	// apply, to fill the cache the replica verifies through; its result
	// is not trusted.
	preverify func(b *protocols.SyncBlock)

	// roundFrom and roundBegan are where and when the current round
	// started; owned by run's goroutine.
	roundFrom  uint64
	roundBegan time.Time

	mu    sync.Mutex // guards state
	state SyncStatus
}

// SyncStatus is what block sync has done since the node started.
type SyncStatus struct {
	Active   bool    `json:"active"`       // a sync round is running
	Target   uint64  `json:"target"`       // highest height peers announced when the last round began
	Blocks   uint64  `json:"blocks"`       // blocks applied by block sync
	Rounds   uint64  `json:"rounds"`       // rounds that applied at least one block
	BadPeers uint64  `json:"bad_peers"`    // peers reported for bad blocks or certificates
	Rate     float64 `json:"blocks_per_s"` // of the current or last round that applied blocks
	Snapshot uint64  `json:"snapshot"`     // height of the snapshot restored at start; 0: none
}

// SyncStatus reports block sync's progress; zero without a chain.
func (n *Node) SyncStatus() SyncStatus {
	if n.chain == nil || n.chain.sync == nil {
		return SyncStatus{}
	}
	st := n.chain.sync.status()
	st.Snapshot = n.chain.restored
	return st
}

func (s *syncer) status() SyncStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *syncer) update(f func(*SyncStatus)) {
	s.mu.Lock()
	f(&s.state)
	s.mu.Unlock()
}

// run checks the peers' heights every syncCheck and syncs when behind,
// until ctx ends.
func (s *syncer) run(ctx context.Context) {
	wait, backoff := syncCheck, syncCheck
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		progressed, tried := s.round(ctx)
		switch {
		case progressed || !tried:
			wait, backoff = syncCheck, syncCheck
		default:
			// Peers claimed heights and served nothing: do not hammer
			// them (or let a liar keep this node in bulk mode).
			backoff = min(2*backoff, syncBackoffMax)
			wait = backoff
		}
	}
}

// round syncs from the peers that are ahead until none has more blocks.
// It reports whether it applied any block and whether it tried at all.
func (s *syncer) round(ctx context.Context) (progressed, tried bool) {
	peers := s.peers()
	var target uint64
	for _, p := range peers {
		target = max(target, p.height)
	}
	start := s.height()
	if target < start+syncLag {
		return false, false
	}
	// Peers that announced a height first, highest first; then those
	// whose height is unknown.
	slices.SortStableFunc(peers, func(a, b syncPeer) int {
		switch {
		case a.height > b.height:
			return -1
		case a.height < b.height:
			return 1
		}
		return 0
	})
	s.update(func(st *SyncStatus) { st.Active, st.Target = true, target })
	began := time.Now()
	s.roundFrom, s.roundBegan = start, began
	defer func() {
		s.bulk(false)
		applied := s.height() - start
		s.update(func(st *SyncStatus) {
			st.Active = false
			if progressed {
				st.Rounds++
				st.Rate = float64(applied) / time.Since(began).Seconds()
			}
		})
		if progressed {
			s.log.Info("block sync done", "from", start, "to", s.height(), "blocks", applied, "took", time.Since(began).Round(time.Millisecond))
		}
	}()
	s.log.Info("block sync", "height", start, "target", target, "peers", len(peers))
	for _, p := range peers {
		if ctx.Err() != nil {
			return progressed, true
		}
		h := s.height()
		if p.height != 0 && p.height < h+syncLag {
			continue
		}
		n, err := s.syncFrom(ctx, p.id)
		if n > 0 {
			progressed = true
		}
		switch {
		case errors.Is(err, errPeerFault):
			s.log.Warn("block sync: bad peer", "peer", p.id, "err", err)
			s.update(func(st *SyncStatus) { st.BadPeers++ })
			s.bad(p.id, err)
		case errors.Is(err, replica.ErrNotApplied):
			// A verified certificate for a block this node cannot
			// execute: local trouble, or a faulty supermajority.
			s.log.Warn("block sync: certified block not applied", "peer", p.id, "err", err)
		case err != nil && ctx.Err() == nil:
			s.log.Debug("block sync: peer failed", "peer", p.id, "err", err)
		case err == nil && n > 0:
			// The peer served up to its tip: consensus catch-up takes
			// over from here, unless others announced more.
			if s.height()+syncLag > target {
				return progressed, true
			}
		}
	}
	return progressed, true
}

// syncFrom fetches and applies blocks from p until p has no more, and
// returns how many it applied. The fetcher runs ahead of the applier by
// at most syncQueue blocks; meanwhile, if preverify is set, workers check
// the signatures of queued blocks so that the replica's own checks find
// them in the verification cache.
func (s *syncer) syncFrom(ctx context.Context, p peer.ID) (uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := make(chan *protocols.SyncBlock, syncQueue)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(blocks)
		from := s.height() + 1
		for {
			n, err := s.fetch(ctx, p, from, syncBatch, blocks)
			if err != nil || n == 0 {
				fetchErr <- err
				return
			}
			from += uint64(n)
		}
	}()
	queue := s.pipeline(ctx, blocks)
	var applied uint64
	var err error
	for it := range queue {
		select {
		case <-it.ready:
		case <-ctx.Done():
		}
		b := it.b
		if err = s.apply(ctx, b.Value, &b.Commit); err != nil {
			break
		}
		if applied == 0 {
			// Only once a peer actually delivers: a peer that merely
			// claims a height cannot keep a validator from proposing.
			s.bulk(true)
		}
		applied++
		s.update(func(st *SyncStatus) {
			st.Blocks++
			if st.Blocks%32 == 0 {
				st.Rate = float64(s.height()-s.roundFrom) / time.Since(s.roundBegan).Seconds()
			}
		})
	}
	cancel()
	for range queue {
		// Let the fetcher and the workers see the cancellation and exit.
	}
	ferr := <-fetchErr
	switch {
	case errors.Is(err, replica.ErrBadCertified):
		return applied, fmt.Errorf("%w: %v", errPeerFault, err)
	case err != nil:
		return applied, err
	case ferr != nil && !errors.Is(ferr, context.Canceled):
		return applied, ferr
	}
	return applied, nil
}

// syncItem is a fetched block in apply order; ready is closed once its
// signatures were pre-verified (or at once without preverify).
type syncItem struct {
	b     *protocols.SyncBlock
	ready chan struct{}
}

// pipeline passes blocks on in order, pre-verifying up to syncWorkers of
// them at a time. The returned channel is closed after blocks is.
func (s *syncer) pipeline(ctx context.Context, blocks <-chan *protocols.SyncBlock) <-chan syncItem {
	queue := make(chan syncItem, syncWorkers)
	work := make(chan syncItem, syncWorkers)
	var wg sync.WaitGroup
	if s.preverify != nil {
		for range syncWorkers {
			wg.Go(func() {
				for it := range work {
					if ctx.Err() == nil {
						s.preverify(it.b)
					}
					close(it.ready)
				}
			})
		}
	}
	go func() {
		defer close(queue)
		defer wg.Wait()
		defer close(work)
		for b := range blocks {
			it := syncItem{b: b, ready: make(chan struct{})}
			if s.preverify == nil {
				close(it.ready)
			} else {
				work <- it
			}
			queue <- it
		}
	}()
	return queue
}
