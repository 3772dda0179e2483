package routing

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// maxMinersPerSubnet bounds the heartbeats kept per subnet, so a flood of
// fresh identities cannot grow the directory without limit.
const maxMinersPerSubnet = 4096

// DirectoryConfig configures a Directory. Host and Registry are required.
type DirectoryConfig struct {
	Host     *p2p.Host
	Registry Registry
	// Refresh is how often the directory prunes expired heartbeats, looks
	// up addresses of miners it cannot reach in the DHT, and measures
	// round trips. Zero: 5 s.
	Refresh time.Duration
	// Clock is the time source. Nil: SystemClock.
	Clock Clock
	// Logger receives logs. Nil: discarded.
	Logger *slog.Logger
}

// Directory knows the live miners of each watched subnet: the registry's
// neurons (serving the subnet's declared model) ∩ miners with a fresh
// signed heartbeat ∩ peers this node can reach. Safe for concurrent use.
type Directory struct {
	cfg DirectoryConfig
	log *slog.Logger

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	once      sync.Once
	startOnce sync.Once

	mu       sync.Mutex // guards subnets, inflight, freed
	subnets  map[uint16]*subnetDir
	inflight map[peer.ID]int
	freed    chan struct{} // closed when a request in flight ends
}

type subnetDir struct {
	sub    *p2p.Subscription
	miners map[peer.ID]*protocols.Heartbeat
	expiry map[peer.ID]time.Time
}

// NewDirectory returns a directory that watches no subnet yet and starts
// nothing.
func NewDirectory(cfg DirectoryConfig) (*Directory, error) {
	if cfg.Host == nil || cfg.Registry == nil {
		return nil, errors.New("routing: directory needs a host and a registry")
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 5 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Directory{
		cfg: cfg, log: cfg.Logger.With("component", "directory"), ctx: ctx, cancel: cancel,
		subnets: make(map[uint16]*subnetDir), inflight: make(map[peer.ID]int),
	}
	return d, nil
}

// Start begins the periodic refresh. A second call is a no-op.
func (d *Directory) Start() {
	d.startOnce.Do(func() { d.wg.Go(d.refreshLoop) })
}

// Watch starts following the heartbeats of subnet netuid. The host must be
// started. Watching a subnet twice is a no-op.
func (d *Directory) Watch(netuid uint16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.subnets[netuid]; ok {
		return nil
	}
	if d.ctx.Err() != nil {
		return errors.New("routing: directory closed")
	}
	t, err := joinHeartbeats(d.cfg.Host, netuid, d.cfg.Clock)
	if err != nil {
		return err
	}
	sub, err := t.Subscribe()
	if err != nil {
		return err
	}
	s := &subnetDir{sub: sub, miners: make(map[peer.ID]*protocols.Heartbeat), expiry: make(map[peer.ID]time.Time)}
	d.subnets[netuid] = s
	d.wg.Go(func() { d.receive(s) })
	return nil
}

// Watched lists the subnets being watched, ascending.
func (d *Directory) Watched() []uint16 {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]uint16, 0, len(d.subnets))
	for n := range d.subnets {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (d *Directory) receive(s *subnetDir) {
	for {
		m, err := s.sub.Next(d.ctx)
		if err != nil {
			return
		}
		hb, ok := m.Value.(*protocols.Heartbeat)
		if !ok {
			continue
		}
		// The miner is the hotkey that signed the heartbeat (gossip names
		// no author).
		miner, err := hb.PeerID()
		if err != nil {
			continue
		}
		iv := min(max(hb.IntervalDuration(), protocols.MinHeartbeatInterval), protocols.MaxHeartbeatInterval)
		expires := d.cfg.Clock.Now().Add(heartbeatExpiry * iv)
		d.mu.Lock()
		old, known := s.miners[miner]
		switch {
		case known && (hb.Time < old.Time || hb.Time == old.Time && hb.Seq <= old.Seq):
			// Out of order: keep the newer one.
		case known || len(s.miners) < maxMinersPerSubnet:
			s.miners[miner], s.expiry[miner] = hb, expires
		}
		d.mu.Unlock()
	}
}

// Candidates returns the miners of netuid that may be sent a request now,
// ordered by peer ID. It excludes this node itself.
func (d *Directory) Candidates(netuid uint16) []Candidate {
	info, ok := d.cfg.Registry.Subnet(netuid)
	if !ok {
		return nil
	}
	h := d.cfg.Host
	lh := h.Libp2p()
	now := d.cfg.Clock.Now()
	self := h.ID()
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.subnets[netuid]
	if !ok || lh == nil {
		return nil
	}
	var out []Candidate
	for p, hb := range s.miners {
		if p == self || !now.Before(s.expiry[p]) {
			continue
		}
		if model, err := hb.Model(); err != nil || !model.Equals(info.ModelCID) {
			continue
		}
		n, ok := d.cfg.Registry.Neuron(netuid, p)
		if !ok {
			continue
		}
		if h.Connectedness(p) != network.Connected && len(lh.Peerstore().Addrs(p)) == 0 {
			continue // unreachable until the refresh finds its addresses
		}
		out = append(out, Candidate{Peer: p, Heartbeat: hb, Neuron: n, RTT: lh.Peerstore().LatencyEWMA(p), InFlight: d.inflight[p]})
	}
	slices.SortFunc(out, func(a, b Candidate) int { return cmp.Compare(a.Peer, b.Peer) })
	return out
}

// begin counts a request to p as in flight until the returned func runs.
func (d *Directory) begin(p peer.ID) (end func()) {
	d.mu.Lock()
	d.inflight[p]++
	d.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			d.mu.Lock()
			if d.inflight[p]--; d.inflight[p] <= 0 {
				delete(d.inflight, p)
			}
			if d.freed != nil {
				close(d.freed)
				d.freed = nil
			}
			d.mu.Unlock()
		})
	}
}

// freedCh returns a channel closed when the next request in flight ends.
func (d *Directory) freedCh() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.freed == nil {
		d.freed = make(chan struct{})
	}
	return d.freed
}

// Close stops watching and waits for the directory's goroutines.
func (d *Directory) Close() error {
	d.once.Do(func() {
		d.cancel()
		d.mu.Lock()
		for _, s := range d.subnets {
			s.sub.Cancel()
		}
		d.mu.Unlock()
		d.wg.Wait()
	})
	return nil
}

// refreshLoop prunes expired heartbeats, finds addresses of unreachable
// miners through the DHT (providers of the subnet's key) and pings miners
// whose round trip is unknown.
func (d *Directory) refreshLoop() {
	t := time.NewTicker(d.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-t.C:
		}
		d.refresh()
	}
}

func (d *Directory) refresh() {
	h := d.cfg.Host
	lh := h.Libp2p()
	if lh == nil {
		return
	}
	now := d.cfg.Clock.Now()
	var lookup []uint16
	var unmeasured []peer.ID
	d.mu.Lock()
	for netuid, s := range d.subnets {
		for p := range s.miners {
			switch {
			case !now.Before(s.expiry[p]):
				delete(s.miners, p)
				delete(s.expiry, p)
			case h.Connectedness(p) != network.Connected && len(lh.Peerstore().Addrs(p)) == 0:
				lookup = append(lookup, netuid)
			case lh.Peerstore().LatencyEWMA(p) == 0:
				unmeasured = append(unmeasured, p)
			}
		}
	}
	d.mu.Unlock()
	slices.Sort(lookup)
	for _, netuid := range slices.Compact(lookup) {
		ctx, cancel := context.WithTimeout(d.ctx, 5*time.Second)
		if _, err := h.FindProviders(ctx, protocols.SubnetKey(h.ChainID(), netuid), 64); err != nil {
			d.log.Debug("find subnet providers", "netuid", netuid, "err", err)
		}
		cancel()
	}
	for _, p := range unmeasured {
		ctx, cancel := context.WithTimeout(d.ctx, 2*time.Second)
		// ping records the round trip in the peerstore.
		if r := <-ping.Ping(ctx, lh, p); r.Error != nil {
			d.log.Debug("ping miner", "peer", p, "err", r.Error)
		}
		cancel()
	}
}
