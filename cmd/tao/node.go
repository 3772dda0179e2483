package main

import (
	"bufio"
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/node"
	"github.com/taonet/tao/wallet"
)

func newNodeCmd() *cobra.Command { return nodeCmd(nil) }

// nodeCmd builds `tao node`. extend, if set, adds flags and returns a
// function that adjusts the configuration before the node starts (`tao
// miner` is a node with a miner).
func nodeCmd(extend func(f *pflag.FlagSet) func(*node.Config) error) *cobra.Command {
	var (
		cfg      node.Config
		logs     logFlags
		role     string
		announce time.Duration
		keys     nodeKeyFlags
		adjust   func(*node.Config) error
	)
	c := &cobra.Command{
		Use:   "node",
		Short: "Run a tao peer: join the network, keep up with it, serve the local API",
		Long: `Run a tao full node. It finds peers through the bootstrap list, mDNS and
the Kademlia DHT, gossips a signed announcement, and serves its local API
(default http://127.0.0.1:8420): /healthz, /readyz, /metrics, /status, /peers,
the OpenAI-compatible /v1 endpoints and, on a node that follows a chain
(--genesis FILE, or DATA_DIR/genesis.json), the ledger: /tx, /block,
/account, /subnets, /metagraph and the rest the README lists. Without a
genesis the node follows no chain and says so at start.

Data lives in --data-dir, by default ~/.tao/<network> (or $TAO_HOME/<network>).
The node's identity is DATA_DIR/node_key, created on first start: keep it to
keep your peer ID. Stop with Ctrl-C.`,
		Example: `  tao node --bootstrap /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...
  tao node --listen /ip4/0.0.0.0/tcp/4001 --http 127.0.0.1:8421`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := logs.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			cfg.Logger = log
			cfg.Roles = []string{role}
			cfg.AnnounceInterval = announce
			if adjust != nil {
				if err := adjust(&cfg); err != nil {
					return err
				}
			}
			if cfg.PrivKey, err = keys.load(cmd, cfg.Home); err != nil {
				return err
			}
			n, err := node.New(cfg)
			if err != nil {
				return usageError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := n.Start(ctx); err != nil {
				return err
			}
			<-ctx.Done()
			log.Info("shutting down")
			return n.Close()
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.Home, "home", "", "tao's base directory (default $TAO_HOME or ~/.tao)")
	f.StringVar(&cfg.Network, "network", "dev", "chain ID of the network to join")
	f.StringVar(&cfg.DataDir, "data-dir", "", "this node's data directory (default HOME/NETWORK)")
	f.StringArrayVar(&cfg.ListenAddrs, "listen", nil, "libp2p listen `multiaddr` (repeatable; default TCP and QUIC on all interfaces, random ports)")
	f.StringArrayVar(&cfg.Bootstrap, "bootstrap", nil, "bootstrap peer `multiaddr` with /p2p/ID (repeatable)")
	f.StringVar(&cfg.GenesisFile, "genesis", "", "the chain's genesis.json (default DATA_DIR/genesis.json if present)")
	f.StringVar(&cfg.Sync, "sync", node.SyncSnapshot, "how a node with a fresh ledger catches up: snapshot (restore a peer's verified snapshot, then fetch the blocks after it) or blocks (replay every block from genesis)")
	f.StringVar(&cfg.HTTPAddr, "http", node.DefaultHTTPAddr, "local API listen address, or \"off\"")
	f.BoolVar(&cfg.NoMDNS, "no-mdns", false, "do not look for peers on the local network")
	f.BoolVar(&cfg.RelayService, "relay-service", false, "relay connections for peers behind NAT")
	f.StringVar(&role, "role", "peer", "role this node announces")
	f.DurationVar(&announce, "announce-interval", 10*time.Second, "how often to gossip this node's signed status")
	keys.register(f)
	logs.register(f)
	f.Var(newSubnetsFlag(&cfg.Subnets), "subnet", "declare a subnet's model as `NETUID=CID` (or NETUID=default for the synthetic default model); repeatable. Subnets on the chain declare their own model; this declares one that is not on the chain (yet)")
	if extend != nil {
		adjust = extend(f)
	}
	return c
}

// nodeKeyFlags choose a wallet hotkey as the node's identity (miners and
// validators); without --wallet the node uses DATA_DIR/node_key.
type nodeKeyFlags struct {
	wallet, hotkey, passwordFile string
}

func (k *nodeKeyFlags) register(f *pflag.FlagSet) {
	f.StringVar(&k.wallet, "wallet", "", "use a hotkey of this wallet as the node's identity")
	f.StringVar(&k.hotkey, "hotkey", "default", "the hotkey's name (with --wallet)")
	f.StringVar(&k.passwordFile, "password-file", "", "read the hotkey's password from `FILE` (else $TAO_PASSWORD_<WALLET>_HOTKEY_<NAME>, else a prompt)")
}

func (k *nodeKeyFlags) load(cmd *cobra.Command, home string) (crypto.PrivKey, error) {
	if k.wallet == "" {
		return nil, nil
	}
	if home == "" {
		home = node.DefaultHome()
	}
	src := wallet.PasswordChain(wallet.PasswordFromEnv(nil), walletPrompt(bufio.NewReader(cmd.InOrStdin()), cmd.ErrOrStderr()))
	if k.passwordFile != "" {
		src = wallet.PasswordFromFile(k.passwordFile)
	}
	key, err := (&wallet.Store{Home: home, Password: src}).Hotkey(k.wallet, k.hotkey)
	if err != nil {
		return nil, err
	}
	return key.LibP2P(), nil
}

func newStatusCmd() *cobra.Command {
	var (
		api    string
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "status",
		Short: "Show a running node's status (height, peers, identity)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
			defer cancel()
			st, err := (&node.Client{BaseURL: api}).Status(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), st)
			}
			return printStatus(cmd.OutOrStdout(), st)
		},
	}
	c.Flags().StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func newPeersCmd() *cobra.Command {
	var (
		api    string
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "peers",
		Short: "List a running node's peers",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
			defer cancel()
			peers, err := (&node.Client{BaseURL: api}).Peers(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), peers)
			}
			return printPeers(cmd.OutOrStdout(), peers)
		},
	}
	c.Flags().StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// defaultRole makes role the --role a command built on nodeCmd announces by
// default, and shows it so in --help (not the plain node's "peer").
func defaultRole(c *cobra.Command, role string) {
	if f := c.Flags().Lookup("role"); f != nil {
		_ = f.Value.Set(role) // not marked Changed
		f.DefValue = role
	}
}
