package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/node"
)

func newValidatorCmd() *cobra.Command {
	var v node.ValidatorConfig
	c := nodeCmd(func(f *pflag.FlagSet) func(*node.Config) error {
		f.Uint16Var(&v.NetUID, "netuid", 1, "the subnet to validate")
		f.StringVar(&v.Model, "model", "default", "the subnet's GGUF model `PATH`, or \"default\" for the synthetic default model (made once in the model cache)")
		f.IntVar(&v.Threads, "threads", 0, "CPU threads of the verifying engine (default: all cores)")
		f.StringVar(&v.KVCache, "kv-cache", "f16", "KV cache type of the verifying engine with --flash-attn off: f16 (llama.cpp's default) or f32")
		f.StringVar(&v.FlashAttn, "flash-attn", "on", "the verifying engine's attention as llama.cpp's with flash attention on (its default) or off")
		f.DurationVar(&v.Interval, "interval", 0, "time between rounds (default: one round per subnet tempo)")
		f.IntVar(&v.Prompts, "prompts", 0, "prompts per round, each asked of every miner (default 2)")
		f.IntVar(&v.MaxTokens, "max-tokens", 0, "tokens of each greedy answer (default 24)")
		f.DurationVar(&v.QueryTimeout, "query-timeout", 0, "deadline of one miner's answer to one prompt (default 20s)")
		return func(cfg *node.Config) error {
			switch {
			case v.Model == "":
				return usageError(errors.New("--model: give the subnet's GGUF file or \"default\""))
			case v.Interval < 0 || v.QueryTimeout < 0:
				return usageError(errors.New("--interval and --query-timeout must be positive"))
			case v.Prompts < 0 || v.MaxTokens < 0 || v.MaxTokens > 1024:
				return usageError(fmt.Errorf("--prompts must be positive and --max-tokens within 1..1024"))
			}
			if _, err := inference.ParseKVCache(v.KVCache); err != nil {
				return usageError(fmt.Errorf("--kv-cache: %w", err))
			}
			if _, err := inference.ParseFlashAttn(v.FlashAttn); err != nil {
				return usageError(fmt.Errorf("--flash-attn: %w", err))
			}
			if !f.Changed("role") {
				cfg.Roles = []string{"validator"}
			}
			cfg.Validator = &v
			return nil
		}
	})
	c.Use = "validator"
	c.Short = "Score a subnet's miners and set weights: a node that validates"
	c.Long = `Run a tao node that validates a subnet. It joins the network like 'tao node'
and follows the chain; once per subnet tempo (or --interval) it derives prompts
from the latest block hash, asks every live registered miner of the subnet the
same prompts (greedy, concurrently, with deadlines), and verifies each answer
token for token against its own engine over the subnet's model. Verified
answers score by quality and by speed (time to first token, tokens/s) ranked
against the other miners; an answer that fails verification resets the miner's
score to 0. The scores (an EMA per uid) become the validator's weights, set on
the chain by commit-reveal when the subnet uses it, within its rate limit.

The node's key is the validator's hotkey: use a wallet hotkey (--wallet and
--hotkey) registered on the subnet (tao register) and staked (tao stake add).
--model must be the subnet's model: the validator refuses to start otherwise.
Metrics (scores, weights submitted, verification failures) are on /metrics.
Stop with Ctrl-C.`
	c.Example = `  tao validator --netuid 1 --model default --wallet alice --hotkey validator
  tao validator --netuid 3 --model ./stories15m.gguf --threads 4 --http 127.0.0.1:8422`
	defaultRole(c, "validator")
	return c
}
