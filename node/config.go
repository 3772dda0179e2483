package node

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// Config configures a Node. Its zero value runs a local peer of the "dev"
// network with its data under ~/.tao/dev and its API on 127.0.0.1:8420.
type Config struct {
	// Home is tao's base directory (wallets, models, one data directory per
	// network). Zero: $TAO_HOME, else ~/.tao.
	Home string
	// Network is the chain ID to join. Zero: "dev".
	Network string
	// DataDir holds this node's state. Zero: Home/Network.
	DataDir string

	// PrivKey is the node's identity: the hotkey of a miner or validator.
	// Nil: a node key kept in DataDir/node_key, created on first start.
	PrivKey crypto.PrivKey

	// ListenAddrs are libp2p multiaddrs. Zero: TCP and QUIC on every
	// interface, ports chosen by the system; give fixed ports to a node
	// that others bootstrap from.
	ListenAddrs []string
	// Bootstrap lists multiaddrs (with /p2p/ID) of peers to join through.
	Bootstrap []string
	// NoMDNS turns off discovery of peers on the local network.
	NoMDNS bool
	// RelayService lets this node relay for peers behind NAT.
	RelayService bool

	// Genesis starts the chain this node follows. Nil: GenesisFile, else
	// DataDir/genesis.json if it exists, else no chain (the node joins the
	// network without a ledger).
	Genesis *ledger.Genesis
	// GenesisFile is a genesis.json to load when Genesis is nil.
	GenesisFile string
	// Consensus tunes the consensus core's timeouts. Zero: its defaults.
	Consensus consensus.Config
	// Sync is how a node with a fresh ledger catches up: SyncSnapshot
	// restores a peer's verified snapshot when it is more than two
	// snapshot intervals above genesis, then fetches the blocks after it;
	// SyncBlocks replays every block from genesis. Zero: SyncSnapshot.
	Sync string

	// HTTPAddr is the API's listen address. Zero: 127.0.0.1:8420. "off"
	// disables the API.
	HTTPAddr string

	// Roles this node announces (peer, miner, validator, gateway). Zero:
	// ["peer"].
	Roles []string
	// AnnounceInterval is how often the node gossips its signed status.
	// Zero: 10 s.
	AnnounceInterval time.Duration
	// DiscoveryInterval bounds the DHT discovery period. Zero: p2p default.
	DiscoveryInterval time.Duration

	// Subnets declares the model of subnets not (yet) on the chain
	// (netuid → model); a subnet on the chain declares its own. See
	// SubnetConfig and docs/decisions.md, "Registry". A miner's own subnet
	// is declared for it.
	Subnets map[uint16]SubnetConfig
	// Miner, if set, serves a subnet's model from this node.
	Miner *MinerConfig
	// Validator, if set, validates a subnet's miners from this node and
	// sets its weights (the node's key is the validator's hotkey).
	Validator *ValidatorConfig

	// Logger receives the node's logs. Nil: discarded.
	Logger *slog.Logger
}

// DefaultHTTPAddr is the API address of a node whose Config leaves it zero.
const DefaultHTTPAddr = "127.0.0.1:8420"

// DefaultHome returns $TAO_HOME, else ~/.tao.
func DefaultHome() string {
	if h := os.Getenv("TAO_HOME"); h != "" {
		return h
	}
	if d, err := os.UserHomeDir(); err == nil {
		return filepath.Join(d, ".tao")
	}
	return ".tao"
}

func (c Config) withDefaults() Config {
	if c.Home == "" {
		c.Home = DefaultHome()
	}
	if c.Network == "" {
		c.Network = "dev"
	}
	if c.DataDir == "" {
		c.DataDir = filepath.Join(c.Home, c.Network)
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = DefaultHTTPAddr
	}
	if len(c.Roles) == 0 {
		c.Roles = []string{"peer"}
	}
	if c.AnnounceInterval == 0 {
		c.AnnounceInterval = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if err := protocols.ValidateChainID(c.Network); err != nil {
		errs = append(errs, fmt.Errorf("--network: %w", err))
	}
	if c.PrivKey != nil && c.PrivKey.Type() != crypto.Ed25519 {
		errs = append(errs, errors.New("node key must be ed25519 (a tao hotkey)"))
	}
	if c.AnnounceInterval < 0 {
		errs = append(errs, errors.New("AnnounceInterval must be positive"))
	}
	if c.Sync != "" && c.Sync != SyncSnapshot && c.Sync != SyncBlocks {
		errs = append(errs, fmt.Errorf("--sync %q: want %q or %q", c.Sync, SyncSnapshot, SyncBlocks))
	}
	return errors.Join(errs...)
}
