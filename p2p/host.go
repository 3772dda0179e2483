package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	"github.com/libp2p/go-libp2p/p2p/host/autorelay"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/taonet/tao/protocols"
)

// ErrNotStarted is returned by methods that need a started host.
var ErrNotStarted = errors.New("p2p: host not started")

// Host is one node's libp2p host with its DHT and gossip. It is safe for
// concurrent use once started.
type Host struct {
	cfg     Config
	log     *slog.Logger
	gater   *gater
	metrics *metrics

	startOnce sync.Once
	closeOnce sync.Once
	startErr  error
	cancel    context.CancelFunc
	wg        sync.WaitGroup

	h    host.Host
	dht  *dht.IpfsDHT
	ps   *pubsub.PubSub
	mdns mdns.Service

	mu     sync.Mutex // guards topics, scores
	topics map[string]*Topic
	scores map[peer.ID]float64
}

// New validates cfg and returns a Host that has not started: nothing
// listens until Start.
func New(cfg Config) (*Host, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Host{
		cfg:     cfg,
		log:     cfg.Logger.With("component", "p2p"),
		gater:   newGater(),
		metrics: newMetrics(cfg.Registerer),
		topics:  make(map[string]*Topic),
		scores:  make(map[peer.ID]float64),
	}, nil
}

// Start listens, starts the DHT and gossip, connects to the bootstrap peers
// and begins discovery. A second call returns the first call's result.
func (h *Host) Start(ctx context.Context) error {
	h.startOnce.Do(func() { h.startErr = h.start(ctx) })
	return h.startErr
}

func (h *Host) start(ctx context.Context) error {
	c := h.cfg
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.Scale(c.MaxMemory, c.MaxFDs)))
	if err != nil {
		return fmt.Errorf("p2p: resource manager: %w", err)
	}
	cm, err := connmgr.NewConnManager(c.ConnLow, c.ConnHigh)
	if err != nil {
		return fmt.Errorf("p2p: connection manager: %w", err)
	}
	opts := []libp2p.Option{
		libp2p.Identity(c.PrivKey),
		libp2p.DefaultTransports,
		libp2p.DefaultSecurity,
		libp2p.ResourceManager(rm),
		libp2p.ConnectionManager(cm),
		libp2p.ConnectionGater(h.gater),
		libp2p.EnableRelay(),
		libp2p.EnableHolePunching(),
		libp2p.EnableNATService(),
		libp2p.UserAgent("tao"),
	}
	if c.NoListen {
		opts = append(opts, libp2p.NoListenAddrs)
	} else {
		opts = append(opts, libp2p.ListenAddrStrings(c.ListenAddrs...))
	}
	if c.RelayService {
		// An operator who offers relaying vouches for reachability; without
		// this, go-libp2p waits for AutoNAT to call the host public first.
		opts = append(opts, libp2p.EnableRelayService(), libp2p.ForceReachabilityPublic())
	}
	if len(c.StaticRelays) > 0 {
		opts = append(opts,
			libp2p.EnableAutoRelayWithStaticRelays(c.StaticRelays, autorelay.WithBootDelay(0)),
			libp2p.ForceReachabilityPrivate())
	}
	if c.Registerer != nil {
		opts = append(opts, libp2p.PrometheusRegisterer(c.Registerer))
	} else {
		opts = append(opts, libp2p.DisableMetrics())
	}
	lh, err := libp2p.New(opts...)
	if err != nil {
		return fmt.Errorf("p2p: start libp2p host: %w (check --listen addresses; a port may be in use)", err)
	}
	h.h = lh
	ctx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))

	h.dht, err = dht.New(lh,
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(protocols.DHTPrefix),
		dht.BootstrapPeers(c.Bootstrap...),
	)
	if err != nil {
		return errors.Join(fmt.Errorf("p2p: start DHT: %w", err), h.closeAll())
	}
	h.ps, err = newGossip(ctx, lh, h)
	if err != nil {
		return errors.Join(fmt.Errorf("p2p: start gossipsub: %w", err), h.closeAll())
	}
	h.metrics.watch(h)
	if c.MDNS {
		h.mdns = mdns.NewMdnsService(lh, protocols.DiscoveryNamespace(c.ChainID), &mdnsNotifee{h: h, ctx: ctx})
		if err := h.mdns.Start(); err != nil {
			h.log.Warn("mDNS unavailable; relying on bootstrap and DHT", "err", err)
			h.mdns = nil
		}
	}
	h.wg.Go(func() { h.discover(ctx) })
	h.log.Info("p2p host started", "peer", lh.ID(), "addrs", lh.Addrs())
	return nil
}

// Close stops discovery, gossip, the DHT and the host, and waits for every
// goroutine it started. A second call is a no-op.
func (h *Host) Close() error {
	var err error
	h.closeOnce.Do(func() { err = h.closeAll() })
	return err
}

func (h *Host) closeAll() error {
	if h.cancel != nil {
		h.cancel()
	}
	h.wg.Wait()
	var errs []error
	if h.mdns != nil {
		errs = append(errs, h.mdns.Close())
	}
	if h.dht != nil {
		errs = append(errs, h.dht.Close())
	}
	if h.h != nil {
		errs = append(errs, h.h.Close())
	}
	return errors.Join(errs...)
}

// ID returns the host's peer ID (derivable before Start).
func (h *Host) ID() peer.ID {
	id, _ := peer.IDFromPrivateKey(h.cfg.PrivKey)
	return id
}

// ChainID returns the chain the host serves.
func (h *Host) ChainID() string { return h.cfg.ChainID }

// Libp2p returns the underlying host, for stream protocols; nil before Start.
func (h *Host) Libp2p() host.Host { return h.h }

// Addrs returns the host's dialable addresses with its /p2p/ suffix.
func (h *Host) Addrs() []ma.Multiaddr {
	if h.h == nil {
		return nil
	}
	info := peer.AddrInfo{ID: h.h.ID(), Addrs: h.h.Addrs()}
	out, _ := peer.AddrInfoToP2pAddrs(&info)
	return out
}

// Peers returns the peers this host is connected to.
func (h *Host) Peers() []peer.ID {
	if h.h == nil {
		return nil
	}
	return h.h.Network().Peers()
}

// Connect dials p (and keeps its addresses for later).
func (h *Host) Connect(ctx context.Context, p peer.AddrInfo) error {
	if h.h == nil {
		return ErrNotStarted
	}
	return h.h.Connect(ctx, p)
}

// RoutingTableSize is the number of peers in the DHT routing table.
func (h *Host) RoutingTableSize() int {
	if h.dht == nil {
		return 0
	}
	return h.dht.RoutingTable().Size()
}

// Connectedness reports how the host is connected to p.
func (h *Host) Connectedness(p peer.ID) network.Connectedness {
	if h.h == nil {
		return network.NotConnected
	}
	return h.h.Network().Connectedness(p)
}
