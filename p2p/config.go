package p2p

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/protocols"
)

// Config configures a Host. The zero value of every optional field works;
// ChainID and PrivKey are required.
type Config struct {
	// ChainID names the network; it is part of every protocol ID and topic.
	ChainID string
	// PrivKey is the node's identity: its hotkey (ed25519).
	PrivKey crypto.PrivKey

	// ListenAddrs are multiaddrs to listen on. Zero: TCP and QUIC on every
	// interface, ports chosen by the system. Ignored when NoListen is set.
	ListenAddrs []string
	// NoListen makes the host dial-only: it is reachable through relays
	// (StaticRelays) only.
	NoListen bool
	// Bootstrap peers to connect to first (multiaddrs with /p2p/ IDs).
	Bootstrap []peer.AddrInfo
	// MDNS finds peers of the same chain on the local network.
	MDNS bool
	// RelayService lets this host relay connections for NATed peers.
	RelayService bool
	// StaticRelays are relays this host reserves a slot on when it is not
	// publicly reachable. Setting them also marks the host as private.
	StaticRelays []peer.AddrInfo

	// ConnLow and ConnHigh are the connection manager's water marks. Zero:
	// 100 and 400.
	ConnLow, ConnHigh int
	// MaxMemory bounds the resource manager's memory (bytes). Zero: 1 GiB.
	MaxMemory int64
	// MaxFDs bounds the resource manager's file descriptors. Zero: 1024.
	MaxFDs int

	// DiscoveryInterval is how often the host re-advertises itself and
	// looks for peers in the DHT. Zero: 30 s. The first rounds run sooner.
	DiscoveryInterval time.Duration
	// BanScore is the gossip score below which a peer is disconnected and
	// banned. Zero: the gossipsub graylist threshold (-2500).
	BanScore float64
	// BanDuration is how long a banned peer stays banned. Zero: 10 min.
	BanDuration time.Duration

	// Logger receives the host's logs. Nil: discarded.
	Logger *slog.Logger
	// Registerer receives the host's metrics. Nil: metrics off.
	Registerer prometheus.Registerer
}

const (
	defaultConnLow     = 100
	defaultConnHigh    = 400
	defaultMaxMemory   = 1 << 30
	defaultMaxFDs      = 1024
	defaultDiscovery   = 30 * time.Second
	defaultBanDuration = 10 * time.Minute
)

func (c Config) withDefaults() Config {
	if c.ListenAddrs == nil && !c.NoListen {
		c.ListenAddrs = []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"}
	}
	if c.ConnLow == 0 {
		c.ConnLow = defaultConnLow
	}
	if c.ConnHigh == 0 {
		c.ConnHigh = defaultConnHigh
	}
	if c.MaxMemory == 0 {
		c.MaxMemory = defaultMaxMemory
	}
	if c.MaxFDs == 0 {
		c.MaxFDs = defaultMaxFDs
	}
	if c.DiscoveryInterval == 0 {
		c.DiscoveryInterval = defaultDiscovery
	}
	if c.BanScore == 0 {
		c.BanScore = graylistThreshold
	}
	if c.BanDuration == 0 {
		c.BanDuration = defaultBanDuration
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if err := protocols.ValidateChainID(c.ChainID); err != nil {
		errs = append(errs, err)
	}
	if c.PrivKey == nil {
		errs = append(errs, errors.New("p2p: no identity key (Config.PrivKey); load the node's hotkey first"))
	} else if c.PrivKey.Type() != crypto.Ed25519 {
		errs = append(errs, errors.New("p2p: identity key must be ed25519 (a tao hotkey)"))
	}
	for _, a := range c.ListenAddrs {
		if _, err := ma.NewMultiaddr(a); err != nil {
			errs = append(errs, fmt.Errorf("p2p: listen address %q: %w (example: /ip4/0.0.0.0/tcp/4001)", a, err))
		}
	}
	if c.ConnLow > c.ConnHigh {
		errs = append(errs, fmt.Errorf("p2p: ConnLow %d above ConnHigh %d", c.ConnLow, c.ConnHigh))
	}
	if c.BanScore > 0 {
		errs = append(errs, fmt.Errorf("p2p: BanScore %v must be negative", c.BanScore))
	}
	return errors.Join(errs...)
}

// ParseAddrInfos parses multiaddrs with a /p2p/ component, as given on the
// command line (--bootstrap). Several addresses of one peer are merged.
func ParseAddrInfos(addrs []string) ([]peer.AddrInfo, error) {
	var mas []ma.Multiaddr
	for _, s := range addrs {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("bootstrap address %q: %w (want /ip4/HOST/tcp/PORT/p2p/PEERID)", s, err)
		}
		mas = append(mas, m)
	}
	infos, err := peer.AddrInfosFromP2pAddrs(mas...)
	if err != nil {
		return nil, fmt.Errorf("bootstrap addresses: %w (each needs a /p2p/PEERID suffix)", err)
	}
	return infos, nil
}
