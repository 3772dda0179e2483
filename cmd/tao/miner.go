package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/node"
)

func newMinerCmd() *cobra.Command {
	var (
		m                                 node.MinerConfig
		engine, upstream, upModel, keyEnv string
		modelCID                          string
	)
	c := nodeCmd(func(f *pflag.FlagSet) func(*node.Config) error {
		f.Uint16Var(&m.NetUID, "netuid", 1, "the subnet to serve")
		f.StringVar(&engine, "engine", "builtin", "inference engine: builtin (tao's engine for llama-family GGUF models, CPU or CUDA) or openai (forward to an OpenAI-compatible server: vLLM, llama.cpp, Ollama)")
		f.StringVar(&upstream, "upstream", "", "with --engine openai: the server's API `URL` including /v1, e.g. http://127.0.0.1:8000/v1")
		f.StringVar(&upModel, "upstream-model", "", "with --engine openai: the model `NAME` the server knows")
		f.StringVar(&keyEnv, "upstream-key-env", "", "with --engine openai: the environment `VARIABLE` holding the server's API key, if it needs one")
		f.StringVar(&modelCID, "model-cid", "", "with --engine openai: the `CID` of the weights the server runs, as the subnet declares it (tao subnet show N)")
		f.StringVar(&m.Model, "model", "default", "GGUF model `PATH`, or \"default\" for the synthetic default model (made once in the model cache)")
		f.IntVar(&m.Threads, "threads", 0, "CPU threads of the builtin engine (default: all cores)")
		f.StringVar(&m.Device, "device", "auto", "where the builtin engine runs: auto (a usable NVIDIA GPU that runs the model, else the CPU), cuda (the GPU or fail) or cpu")
		f.StringVar(&m.KVCache, "kv-cache", "f16", "KV cache type of the builtin engine on the CPU with --flash-attn off: f16 (llama.cpp's default) or f32 (twice the memory); flash attention computes in f16 either way")
		f.StringVar(&m.FlashAttn, "flash-attn", "on", "the builtin engine's attention on the CPU as llama.cpp's with flash attention on (its default) or off")
		f.IntVar(&m.MaxConcurrent, "max-concurrent", 0, "requests generated at once (default 8)")
		f.DurationVar(&m.HeartbeatInterval, "heartbeat-interval", 0, "how often to gossip the signed heartbeat (default 5s)")
		return func(cfg *node.Config) error {
			switch engine {
			case "builtin":
			case "openai":
				if upstream == "" || upModel == "" || modelCID == "" {
					return usageError(errors.New("--engine openai needs --upstream URL, --upstream-model NAME and --model-cid CID (the subnet's declared model: tao subnet show N)"))
				}
				id, err := cid.Decode(modelCID)
				if err != nil {
					return usageError(fmt.Errorf("--model-cid %q: %v", modelCID, err))
				}
				up, err := inference.NewUpstream(inference.UpstreamOptions{BaseURL: upstream, Model: upModel, APIKey: os.Getenv(keyEnv), CID: id})
				if err != nil {
					return usageError(err)
				}
				m.Engine = up
				cfg.Miner = &m
				if !f.Changed("role") {
					cfg.Roles = []string{"miner"}
				}
				return nil
			default:
				return usageError(fmt.Errorf("--engine %q: want builtin or openai", engine))
			}
			if m.Model == "" {
				return usageError(errors.New("--model: give a GGUF file or \"default\""))
			}
			if _, err := inference.ParseDevice(m.Device); err != nil {
				return usageError(fmt.Errorf("--device: %w", err))
			}
			if _, err := inference.ParseKVCache(m.KVCache); err != nil {
				return usageError(fmt.Errorf("--kv-cache: %w", err))
			}
			if _, err := inference.ParseFlashAttn(m.FlashAttn); err != nil {
				return usageError(fmt.Errorf("--flash-attn: %w", err))
			}
			if !f.Changed("role") {
				cfg.Roles = []string{"miner"}
			}
			cfg.Miner = &m
			return nil
		}
	})
	c.Use = "miner"
	c.Short = "Serve a subnet's model: a node that answers inference requests"
	c.Long = `Run a tao node that serves a subnet's model as a miner. It joins the network
like 'tao node', serves the infer/1 protocol with the builtin engine, gossips a
signed heartbeat with its free capacity every few seconds, and advertises
itself in the DHT under the subnet's key. Clients anywhere on the network are
routed to it while its heartbeats are fresh.

The miner's hotkey must be registered on the subnet (tao register) when the
subnet exists on the chain, and it must serve the model the subnet declares.
A subnet not yet on the chain can be declared by configuration: the miner
declares its own subnet with the CID of the model it serves, and clients
declare it with --subnet NETUID=CID (docs/decisions.md, "Registry"). The
default model is synthetic: its text is meaningless. --device cuda runs the
model on an NVIDIA GPU (weights in f16 on the GPU; docs/inference.md).
--engine openai forwards every request to an OpenAI-compatible server that
already runs the subnet's model (vLLM, llama.cpp's server, Ollama); its
answers carry text without token IDs, receipts commit to the text, and a
broken stream is not resumed on another miner.

Use a wallet hotkey (--wallet/--hotkey) so that the miner's peer ID is its
hotkey; without one it uses DATA_DIR/node_key. Stop with Ctrl-C.`
	c.Example = `  tao miner --netuid 1 --model default --http 127.0.0.1:8421
  tao miner --netuid 1 --model ./tinyllama.gguf --device cuda --wallet default --hotkey miner0
  tao miner --netuid 1 --engine openai --upstream http://127.0.0.1:8000/v1 --upstream-model llama3 --model-cid bafk...
  tao miner --netuid 1 --model ./stories15m.gguf --bootstrap /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...`
	defaultRole(c, "miner")
	return c
}

// subnetsFlag fills a subnet map from repeated --subnet NETUID=MODEL.
type subnetsFlag struct {
	m *map[uint16]node.SubnetConfig
}

func newSubnetsFlag(m *map[uint16]node.SubnetConfig) *subnetsFlag { return &subnetsFlag{m: m} }

func (s *subnetsFlag) Set(v string) error {
	id, model, ok := strings.Cut(v, "=")
	n, err := strconv.ParseUint(id, 10, 16)
	if !ok || err != nil || model == "" {
		return fmt.Errorf("want NETUID=CID or NETUID=default, got %q", v)
	}
	if *s.m == nil {
		*s.m = make(map[uint16]node.SubnetConfig)
	}
	(*s.m)[uint16(n)] = node.SubnetConfig{Model: model}
	return nil
}

func (s *subnetsFlag) String() string {
	if s.m == nil || *s.m == nil {
		return ""
	}
	var out []string
	for n, sc := range *s.m {
		out = append(out, fmt.Sprintf("%d=%s", n, sc.Model))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func (s *subnetsFlag) Type() string { return "netuid=cid" }
