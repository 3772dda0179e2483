package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/node"
)

func newDevnetCmd() *cobra.Command {
	var (
		cfg                                     node.DevnetConfig
		logs                                    logFlags
		timeout                                 time.Duration
		engine, upstream, upModel, keyEnv, mcid string
	)
	c := &cobra.Command{
		Use:   "devnet",
		Short: "Run a whole local tao network on this machine",
		Long: `Run a local tao network on 127.0.0.1: it generates a key for each node,
starts node 0 as the bootstrap node and the others knowing only its address,
waits until every node has found every other through the DHT and gossip
reaches all, prints how to talk to them, and runs until Ctrl-C.

With --dir D the files stay in D, and D/devnet.json lists each node (name,
role, peer ID, multiaddrs, API URL) for scripts. --procs runs each node as
its own OS process, restarted (from its data directory, WAL and signing
guard) if it dies.`,
		Example: `  tao devnet
  tao devnet --nodes 6 --dir ./devnet --procs`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := logs.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			cfg.Logger = log
			switch engine {
			case "builtin":
				if cfg.Model, err = devnetModel(cmd, cfg.Model); err != nil {
					return err
				}
			case "openai":
				if upstream == "" || upModel == "" {
					return usageError(errors.New("--engine openai needs --upstream URL and --upstream-model NAME"))
				}
				cfg.Upstream = &node.DevnetUpstream{URL: upstream, Model: upModel, APIKey: os.Getenv(keyEnv), CID: mcid}
			default:
				return usageError(fmt.Errorf("--engine %q: want builtin or openai", engine))
			}
			d, err := node.NewDevnet(cfg)
			if err != nil {
				return usageError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			defer d.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "starting a devnet...")
			if err := d.Start(ctx); err != nil {
				return err
			}
			rctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			began := time.Now()
			if err := d.AwaitReady(rctx); err != nil {
				return err
			}
			if err := d.AwaitInference(rctx); err != nil {
				return err
			}
			printDevnet(out, d.Manifest(), time.Since(began))
			printInference(out, d, cfg.Miners)
			select {
			case <-ctx.Done():
				fmt.Fprintln(out, "stopping the devnet...")
			case err := <-d.Exited():
				return err
			}
			return d.Close()
		},
	}
	f := c.Flags()
	f.IntVar(&cfg.Validators, "validators", 4, "number of validators (the first nodes)")
	f.IntVar(&cfg.Nodes, "nodes", 0, "number of nodes (default validators + 1; the others follow the chain)")
	f.IntVar(&cfg.Miners, "miners", 3, "number of miner nodes serving subnet 1 (in addition to --nodes)")
	f.StringVar(&cfg.Model, "model", "default", "the GGUF model subnet 1 serves: a `PATH`, hf://OWNER/REPO/FILE.gguf or an http(s) URL (pulled into the model cache first), or \"default\" for the synthetic model")
	f.StringVar(&engine, "engine", "builtin", "the miners' engine: builtin, or openai to forward to an OpenAI-compatible server (vLLM, llama.cpp, Ollama)")
	f.StringVar(&upstream, "upstream", "", "with --engine openai: the server's API `URL` including /v1")
	f.StringVar(&upModel, "upstream-model", "", "with --engine openai: the model `NAME` the server knows")
	f.StringVar(&keyEnv, "upstream-key-env", "", "with --engine openai: the environment `VARIABLE` holding the server's API key")
	f.StringVar(&mcid, "model-cid", "", "with --engine openai: the `CID` subnet 1 declares for the server's weights (default: one derived from the model name)")
	f.StringVar(&cfg.Dir, "dir", "", "keep keys, data and devnet.json in this directory (default: a temporary one, removed on exit)")
	f.BoolVar(&cfg.Procs, "procs", false, "run each node as its own OS process")
	f.StringVar(&cfg.Network, "network", "dev", "chain ID")
	f.DurationVar(&timeout, "ready-timeout", 2*time.Minute, "give up if the network is not ready by then")
	logs.register(f)
	f.Lookup("log-level").DefValue = "warn"
	_ = f.Set("log-level", "warn")
	return c
}

// devnetModel resolves --model: a URL or hf:// reference is pulled into
// the model cache with a progress bar; a path must be a readable file.
func devnetModel(cmd *cobra.Command, ref string) (string, error) {
	if ref == "" || ref == "default" {
		return ref, nil
	}
	if !strings.Contains(ref, "://") {
		if _, err := os.Stat(ref); err != nil {
			return "", usageError(fmt.Errorf("--model %s: %w", ref, err))
		}
		return ref, nil
	}
	u, err := inference.ResolveModelURL(ref)
	if err != nil {
		return "", usageError(err)
	}
	dir, err := modelCacheDir()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "pulling %s\n", u)
	bar := newProgressBar(cmd.ErrOrStderr())
	res, err := inference.Cache{Dir: dir}.Pull(cmd.Context(), inference.PullOptions{URL: u, Progress: bar.update, Log: warnLogger(cmd.ErrOrStderr())})
	bar.finish()
	if err != nil {
		return "", fmt.Errorf("--model %s: %w", ref, err)
	}
	return res.Path, nil
}

func printDevnet(w io.Writer, m node.DevnetManifest, took time.Duration) {
	fmt.Fprintf(w, "\ndevnet %q ready in %s: %d nodes found each other through the DHT, gossip reaches all,\nand the validators are producing blocks.\n\n", m.Network, took.Round(time.Millisecond), len(m.Nodes))
	for _, n := range m.Nodes {
		fmt.Fprintf(w, "  %-6s %-10s %s\n         api %s\n         p2p %s\n", n.Name, n.Role, n.PeerID, n.API, n.Addrs[0])
	}
	fmt.Fprintf(w, "\nOpen %s/ in a browser for the network page, or try:\n  tao status --api %s\n  tao peers --api %s\n  curl %s/metrics\n", m.Nodes[0].API, m.Nodes[0].API, m.Nodes[0].API, m.Nodes[0].API)
	fmt.Fprintf(w, "Send TAO from the faucet (%s):\n  tao transfer --home %s --wallet devnet --password-file %s --api %s --to ADDRESS --amount 1.5\n", m.Faucet, m.Dir, m.PasswordFile, m.Nodes[len(m.Nodes)-1].API)
	fmt.Fprintf(w, "Join it from another terminal:\n  tao node --home /tmp/tao-extra --http 127.0.0.1:0 --no-mdns --network %s --genesis %s/genesis.json --bootstrap %s\n", m.Network, m.Dir, m.Nodes[0].Addrs[0])
	fmt.Fprintf(w, "\nFiles: %s (devnet.json lists every node). Stop with Ctrl-C.\n", m.Dir)
}
