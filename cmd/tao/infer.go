package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/node"
)

func newInferCmd() *cobra.Command {
	var (
		api     string
		r       node.InferRequest
		raw     bool
		asJSON  bool
		temp    float64
		seed    int64
		netuid  uint16
		maxToks int
	)
	c := &cobra.Command{
		Use:   "infer [flags] PROMPT",
		Short: "Ask a subnet's miners through a node's OpenAI API; streams the answer",
		Long: `Send a prompt to a subnet through a running node's OpenAI-compatible API
(POST /v1/chat/completions, model "subnet-N") and stream the answer to the
terminal as the miners generate it. The node picks a live miner, hedges and
fails over; a miner that dies mid-answer is replaced without a visible break.

--raw sends the prompt as is to /v1/completions instead of as a chat message.
--json prints one JSON object (text, finish reason, token counts) at the end.`,
		Example: `  tao infer --netuid 1 "Tell me a story"
  tao infer --api http://127.0.0.1:8421 --temperature 0 --max-tokens 32 --json "Once upon a time"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
				return usageError(errors.New("give one PROMPT argument (quote it)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			r.NetUID, r.Prompt, r.Chat, r.MaxTokens = netuid, args[0], !raw, maxToks
			if cmd.Flags().Changed("temperature") {
				if temp < 0 || temp > 2 {
					return usageError(fmt.Errorf("--temperature %v: want 0 to 2", temp))
				}
				r.Temperature = &temp
			}
			if cmd.Flags().Changed("seed") {
				r.Seed = &seed
			}
			if maxToks < 0 {
				return usageError(fmt.Errorf("--max-tokens %d: want a positive number", maxToks))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			var onText func(string)
			if !asJSON {
				onText = func(s string) { io.WriteString(out, s) }
			}
			res, err := (&node.Client{BaseURL: api}).Infer(ctx, r, onText)
			if err != nil {
				if !asJSON {
					fmt.Fprintln(out)
				}
				return err
			}
			if asJSON {
				return printJSON(out, res)
			}
			fmt.Fprintln(out)
			fmt.Fprintf(cmd.ErrOrStderr(), "[%s, %d prompt + %d completion tokens, finish: %s]\n", res.Model, res.PromptTokens, res.CompletionTokens, res.FinishReason)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	f.Uint16Var(&netuid, "netuid", 1, "the subnet to ask (its model is \"subnet-N\")")
	f.IntVar(&maxToks, "max-tokens", 0, "most tokens to generate (default: the endpoint's: up to the context for chat, 16 with --raw)")
	f.Float64Var(&temp, "temperature", 1, "sampling temperature; 0 is greedy (the same answer from every miner)")
	f.Int64Var(&seed, "seed", 0, "sampling seed (default: drawn by the node)")
	f.StringArrayVar(&r.Stop, "stop", nil, "stop at this `STRING` (repeatable, up to 4)")
	f.BoolVar(&raw, "raw", false, "send the prompt as raw text to /v1/completions instead of as a chat message")
	f.BoolVar(&asJSON, "json", false, "print the whole answer as one JSON object at the end")
	return c
}

// printInference tells a devnet's user how to use its subnet.
func printInference(w io.Writer, d *node.Devnet, miners int) {
	if miners == 0 {
		return
	}
	gw := d.Gateway()
	fmt.Fprintf(w, "\nSubnet 1 is served by %d miners (synthetic model: its text is meaningless). OpenAI base URL:\n  %s/v1   (model \"subnet-1\")\n", miners, gw.API)
	fmt.Fprintf(w, "Try:\n  curl -N %s/v1/chat/completions -H 'Content-Type: application/json' \\\n    -d '{\"model\":\"subnet-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":32,\"stream\":true}'\n", gw.API)
	fmt.Fprintf(w, "  tao infer --api %s --netuid 1 \"Tell me a story\"\n", gw.API)
	fmt.Fprintf(w, "The validator nodes registered on subnet 1 verify the miners each tempo and set weights; watch\nthe miners' incentive with:\n  tao metagraph 1 --api %s\n", gw.API)
}
