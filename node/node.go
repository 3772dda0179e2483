package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/taonet/tao/gpu"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/p2p"
)

// Version is the software version nodes announce.
var Version = "dev"

// Node is a running tao full node. It is safe for concurrent use.
type Node struct {
	cfg Config
	log *slog.Logger
	reg *prometheus.Registry

	startOnce sync.Once
	closeOnce sync.Once
	startErr  error
	closeErr  error
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	started   time.Time

	key      crypto.PrivKey
	host     *p2p.Host
	ann      *announcer
	rt       *routingState // inference routing; see routing.go
	val      *validator    // the validator role, if configured; see validator.go
	chain    *chain
	httpLn   net.Listener
	httpSrv  *http.Server                  // serves from the start of Start (serveAPI)
	api      atomic.Pointer[http.ServeMux] // the API's routes, once startHTTP installed them
	httpURL  string
	isClosed chan struct{}
}

// New validates cfg and returns a node that has not started.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Node{
		cfg:      cfg,
		log:      cfg.Logger,
		reg:      prometheus.NewRegistry(),
		isClosed: make(chan struct{}),
	}, nil
}

// Start opens the data directory, loads the identity, starts the p2p host,
// announcements and the HTTP API. On error everything started is closed.
// A second call returns the first call's result.
func (n *Node) Start(ctx context.Context) error {
	n.startOnce.Do(func() {
		n.startErr = n.start(ctx)
		if n.startErr != nil {
			n.closeErr = n.stop()
			n.closeOnce.Do(func() {})
		}
	})
	return n.startErr
}

func (n *Node) start(ctx context.Context) error {
	c := n.cfg
	n.started = time.Now()
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w (choose another with --home)", c.DataDir, err)
	}
	if c.HTTPAddr != "off" {
		// Take the API's port first, so a port in use fails at once and not
		// after a snapshot restore and the consensus start.
		ln, err := net.Listen("tcp", c.HTTPAddr)
		if err != nil {
			return fmt.Errorf("API listen on %s: %w (another node running? pick a port with --http)", c.HTTPAddr, err)
		}
		n.httpLn, n.httpURL = ln, "http://"+ln.Addr().String()
		n.httpSrv = &http.Server{Handler: http.HandlerFunc(n.serveAPI), ReadHeaderTimeout: 10 * time.Second}
		log := c.Logger
		n.wg.Go(func() {
			if err := n.httpSrv.Serve(ln); err != nil && err != http.ErrServerClosed {
				log.Error("API server stopped", "err", err)
			}
		})
	}
	n.key = c.PrivKey
	if n.key == nil {
		k, err := loadOrCreateNodeKey(filepath.Join(c.DataDir, "node_key"))
		if err != nil {
			return err
		}
		n.key = k
	}
	bootstrap, err := p2p.ParseAddrInfos(c.Bootstrap)
	if err != nil {
		return err
	}
	n.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), newGPUCollector(gpu.Probe))
	n.registerSyncMetrics()
	id, _ := peer.IDFromPrivateKey(n.key)
	n.log = c.Logger.With("node", shortID(id))
	n.host, err = p2p.New(p2p.Config{
		ChainID:           c.Network,
		PrivKey:           n.key,
		ListenAddrs:       c.ListenAddrs,
		Bootstrap:         bootstrap,
		MDNS:              !c.NoMDNS,
		RelayService:      c.RelayService,
		DiscoveryInterval: c.DiscoveryInterval,
		Logger:            n.log,
		Registerer:        n.reg,
	})
	if err != nil {
		return err
	}
	// What Start starts outlives Start's context (Close ends it); only a
	// wait within Start (awaitCaughtUp) ends with the caller's context,
	// as on Ctrl-C.
	startCtx := ctx
	ctx, n.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := n.host.Start(ctx); err != nil {
		return err
	}
	raw, err := n.key.Raw()
	if err != nil {
		return err
	}
	n.ann, err = newAnnouncer(n.host, ed25519.PrivateKey(raw), c.Roles, "tao/"+Version, n.log)
	if err != nil {
		return err
	}
	g, err := n.loadGenesis()
	if err != nil {
		return err
	}
	if g != nil {
		if n.chain, err = n.startChain(ctx, g); err != nil {
			return err
		}
		n.ann.height = n.chain.ledger.Height
	} else {
		n.log.Warn("this node follows no chain: no --genesis and no DATA_DIR/genesis.json; it joins the network and serves inference, but has no ledger (no balances, subnets or blocks). To follow a chain, start it with --genesis FILE (a devnet's is DIR/genesis.json)",
			"data_dir", n.cfg.DataDir)
	}
	n.wg.Go(func() { n.ann.run(ctx, c.AnnounceInterval) })
	if err := n.startRouting(startCtx); err != nil {
		return err
	}
	if c.Validator != nil {
		if err := n.startValidator(ctx, startCtx); err != nil {
			return err
		}
	}
	if c.HTTPAddr != "off" {
		if err := n.startHTTP(); err != nil {
			return err
		}
	}
	n.log.Info("node started", "network", c.Network, "peer", id, "api", n.httpURL, "data", c.DataDir)
	return nil
}

// Close stops the API, announcements and the host, in reverse order of
// Start, and waits for them. A second call is a no-op.
func (n *Node) Close() error {
	n.closeOnce.Do(func() { n.closeErr = n.stop() })
	return n.closeErr
}

func (n *Node) stop() error {
	var errs []error
	errs = append(errs, n.stopRouting())
	if n.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, n.httpSrv.Shutdown(ctx))
		cancel()
	}
	if n.cancel != nil {
		n.cancel()
	}
	n.wg.Wait()
	if n.val != nil {
		errs = append(errs, n.val.close())
	}
	if n.chain != nil {
		errs = append(errs, n.chain.close())
	}
	if n.host != nil {
		errs = append(errs, n.host.Close())
	}
	select {
	case <-n.isClosed:
	default:
		close(n.isClosed)
	}
	err := errors.Join(errs...)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Done is closed when the node has stopped.
func (n *Node) Done() <-chan struct{} { return n.isClosed }

// PeerID returns the node's peer ID; empty before Start.
func (n *Node) PeerID() peer.ID {
	if n.key == nil {
		return ""
	}
	id, _ := peer.IDFromPrivateKey(n.key)
	return id
}

// Host returns the node's p2p host; nil before Start.
func (n *Node) Host() *p2p.Host { return n.host }

// HTTPURL returns the API's base URL ("http://127.0.0.1:8420"); empty when
// the API is off or not started.
func (n *Node) HTTPURL() string { return n.httpURL }

// Network returns the chain ID the node joined.
func (n *Node) Network() string { return n.cfg.Network }

// DataDir returns the node's data directory.
func (n *Node) DataDir() string { return n.cfg.DataDir }

// Announced returns the peers whose signed status this node has received
// over gossip, excluding itself.
func (n *Node) Announced() []PeerStatus {
	if n.ann == nil {
		return nil
	}
	return n.ann.seen()
}

func shortID(id peer.ID) string {
	s := id.String()
	if len(s) > 8 {
		return s[len(s)-8:]
	}
	return s
}

// Ledger returns the node's ledger; nil before Start or without a genesis.
func (n *Node) Ledger() *ledger.Ledger {
	if n.chain == nil {
		return nil
	}
	return n.chain.ledger
}
