package routing

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// MinerConfig configures a Miner. Host, Key, Engine are required; every
// other zero value means the default named in its comment.
type MinerConfig struct {
	Host *p2p.Host
	// Key is the miner's hotkey; it must be the host's identity, so that
	// its heartbeats and receipts speak for its peer ID.
	Key    ed25519.PrivateKey
	NetUID uint16
	Engine inference.Engine
	// Registry, if set, gives clients' stake, which raises their rate
	// limit. Nil: every client gets the base rate.
	Registry Registry

	// MaxConcurrent requests generate at once. Zero: 8 (the builtin
	// engine's batch).
	MaxConcurrent int
	// MaxQueue requests may wait for a slot; more are refused with
	// CodeOverloaded. Zero: 4 × MaxConcurrent.
	MaxQueue int
	// QueueTimeout bounds the wait for a slot. Zero: 10 s.
	QueueTimeout time.Duration
	// Rate (requests per second) and Burst bound each client peer, times
	// its stake weight. Zero: 10 and 20.
	Rate  float64
	Burst int
	// MaxDuration bounds one request, queueing excluded. Zero: 5 min.
	MaxDuration time.Duration
	// HeartbeatInterval is how often the miner gossips its heartbeat.
	// Zero: 5 s.
	HeartbeatInterval time.Duration
	// GPU reports the GPU's memory (MiB) and utilisation (percent) for
	// heartbeats; ok false when there is none. Nil: no GPU fields.
	GPU func() (totalMiB, freeMiB uint32, utilPct uint8, ok bool)
	// ReplayFile keeps the replay window on disk, so that a restarted
	// miner does not serve again a request it served in the window.
	// Empty: in memory only.
	ReplayFile string

	Clock  Clock        // nil: SystemClock
	Logger *slog.Logger // nil: discarded
	// Registerer receives the miner's metrics. Nil: metrics off.
	Registerer prometheus.Registerer
}

func (c MinerConfig) withDefaults() MinerConfig {
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 8
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = 4 * c.MaxConcurrent
	}
	if c.QueueTimeout <= 0 {
		c.QueueTimeout = 10 * time.Second
	}
	if c.Rate <= 0 {
		c.Rate = 10
	}
	if c.Burst <= 0 {
		c.Burst = 20
	}
	if c.MaxDuration <= 0 {
		c.MaxDuration = 5 * time.Minute
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 5 * time.Second
	}
	c.HeartbeatInterval = min(max(c.HeartbeatInterval, protocols.MinHeartbeatInterval), protocols.MaxHeartbeatInterval)
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Miner serves one subnet's model on the infer/1 protocol: it admits
// requests (signature, chain, timestamp, replay window, per-client rate,
// concurrency and queue limits), streams the engine's tokens, signs a
// receipt, gossips heartbeats and advertises itself in the DHT. Safe for
// concurrent use.
type Miner struct {
	cfg   MinerConfig
	log   *slog.Logger
	model []byte // binary CID of the engine's model

	slots   *slots
	limiter *limiter
	replays *replays
	metrics *metrics
	ttft    *window // recent times to first token
	speed   *window // recent per-token decode times
	// receipts is the subnet's receipt topic, joined by Start.
	receipts *p2p.Topic

	startOnce, closeOnce sync.Once
	ctx                  context.Context
	cancel               context.CancelFunc
	wg                   sync.WaitGroup

	silent atomic.Bool // tests: stop heartbeating, keep serving

	mu     sync.Mutex // guards closed, seq
	closed bool
	seq    uint64
}

// NewMiner validates cfg; it starts nothing.
func NewMiner(cfg MinerConfig) (*Miner, error) {
	cfg = cfg.withDefaults()
	if cfg.Host == nil || cfg.Engine == nil || len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("routing: a miner needs a host, an engine and its hotkey")
	}
	pub, err := crypto.UnmarshalEd25519PublicKey(cfg.Key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	if id, _ := peer.IDFromPublicKey(pub); id != cfg.Host.ID() {
		return nil, fmt.Errorf("routing: the miner's hotkey %s is not the host's identity %s; run the node with the hotkey (--wallet/--hotkey)", id, cfg.Host.ID())
	}
	model := cfg.Engine.Info().CID
	if !model.Defined() {
		return nil, errors.New("routing: the engine does not name its model by CID; a subnet miner must serve the subnet's declared weights")
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Miner{
		cfg: cfg, log: cfg.Logger.With("component", "miner", "netuid", cfg.NetUID), model: model.Bytes(),
		slots:   newSlots(cfg.MaxConcurrent, cfg.MaxQueue),
		limiter: newLimiter(cfg.Clock, cfg.Rate, cfg.Burst),
		replays: newReplays(cfg.Clock, 2*MaxClockSkew, 1<<16),
		ttft:    newWindow(64), speed: newWindow(64), metrics: newMetrics(cfg.Registerer),
		ctx: ctx, cancel: cancel,
	}, nil
}

// Start serves infer/1 on the host (started before), gossips heartbeats
// and advertises the subnet in the DHT. A second call is a no-op.
func (m *Miner) Start() error {
	var err error
	m.startOnce.Do(func() {
		lh := m.cfg.Host.Libp2p()
		if lh == nil {
			err = p2p.ErrNotStarted
			return
		}
		if m.cfg.ReplayFile != "" {
			if err = m.replays.open(m.cfg.ReplayFile, m.log.Warn); err != nil {
				return
			}
		}
		var t *p2p.Topic
		if t, err = joinHeartbeats(m.cfg.Host, m.cfg.NetUID, m.cfg.Clock); err != nil {
			return
		}
		if m.receipts, err = joinReceipts(m.cfg.Host, m.cfg.NetUID); err != nil {
			return
		}
		lh.SetStreamHandler(protocols.InferProtocol(m.cfg.Host.ChainID()), m.handle)
		m.wg.Go(func() { m.heartbeats(t) })
		m.wg.Go(m.provide)
		m.log.Info("miner serving", "model", m.cfg.Engine.Info().CID, "slots", m.cfg.MaxConcurrent)
	})
	return err
}

// Close stops serving: new streams are refused, requests in flight end
// with CodeUnavailable (their clients resume on another miner), and Close
// waits for every goroutine. It does not close the engine. A second call
// is a no-op.
func (m *Miner) Close() error {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed = true
		m.mu.Unlock()
		if lh := m.cfg.Host.Libp2p(); lh != nil {
			lh.RemoveStreamHandler(protocols.InferProtocol(m.cfg.Host.ChainID()))
		}
		m.cancel()
		m.wg.Wait()
		if err := m.replays.close(); err != nil {
			m.log.Warn("close the replay window", "err", err)
		}
	})
	return nil
}

// enter counts a new request unless the miner is closed.
func (m *Miner) enter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	return true
}

// Load reports the requests generating and queued now.
func (m *Miner) Load() (running, queued int) { return m.slots.load() }

// heartbeats publishes a signed heartbeat at once, then faster while the
// gossip mesh forms, then every HeartbeatInterval.
func (m *Miner) heartbeats(t *p2p.Topic) {
	every := m.cfg.HeartbeatInterval
	wait := min(250*time.Millisecond, every)
	for {
		if m.silent.Load() {
			// A test stands in for a miner whose heartbeats stop.
		} else if b, err := m.heartbeat(); err != nil {
			m.log.Error("heartbeat", "err", err)
		} else if err := t.Publish(m.ctx, b); err != nil && m.ctx.Err() == nil {
			m.log.Debug("publish heartbeat", "err", err)
		}
		select {
		case <-m.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, every)
	}
}

func (m *Miner) heartbeat() ([]byte, error) {
	running, queued := m.slots.load()
	p50, _ := m.ttft.quantile(0.5)
	perTok, _ := m.speed.quantile(0.5)
	tps := uint32(0)
	if perTok > 0 {
		tps = uint32(time.Second / perTok)
	}
	m.mu.Lock()
	m.seq++
	seq := m.seq
	m.mu.Unlock()
	hb := &protocols.Heartbeat{
		ChainID: m.cfg.Host.ChainID(), NetUID: m.cfg.NetUID, Seq: seq,
		Time: m.cfg.Clock.Now().UnixMilli(), Interval: uint32(m.cfg.HeartbeatInterval / time.Millisecond),
		ModelCID: m.model, QueueDepth: uint32(queued), FreeSlots: uint32(max(m.cfg.MaxConcurrent-running, 0)),
		LatencyP50Ms: uint32(p50 / time.Millisecond), TokensPerSec: tps,
	}
	if m.cfg.GPU != nil {
		if total, free, util, ok := m.cfg.GPU(); ok && free <= total && util <= 100 {
			hb.GPUMemTotalMiB, hb.GPUMemFreeMiB, hb.GPUUtilPct = total, free, util
		}
	}
	if err := hb.Sign(m.cfg.Key); err != nil {
		return nil, err
	}
	return protocols.EncodeHeartbeat(hb)
}

// provide advertises the miner as a provider of the subnet's key, retrying
// until the DHT has peers, then refreshing well within the record's life.
func (m *Miner) provide() {
	key := protocols.SubnetKey(m.cfg.Host.ChainID(), m.cfg.NetUID)
	wait := 2 * time.Second
	for {
		ctx, cancel := context.WithTimeout(m.ctx, 30*time.Second)
		err := m.cfg.Host.Provide(ctx, key)
		cancel()
		if err == nil {
			wait = 10 * time.Minute
		} else {
			m.log.Debug("provide subnet key", "err", err)
			wait = min(2*wait, time.Minute)
		}
		select {
		case <-m.ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
