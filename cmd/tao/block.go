package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
)

func newBlockCmd() *cobra.Command {
	var (
		api    string
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "block [HEIGHT|latest]",
		Short: "Show a committed block and its commit certificate: who precommitted it, who is missing",
		Long: `Show a committed block (default: the latest) as a node stores it: its hash,
parent, state root, proposer, time and transactions, and its commit certificate:
the round and the validators whose precommits it holds, with their voting power,
and the validators of the set that are missing from it. A validator operator can
check that their node's precommits land in commits.

The certificate is the one this node stored when it committed the block; it holds
the precommits the node had then, so another node's may name more signers.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			height := "latest"
			if len(args) == 1 {
				height = args[0]
			}
			if height != "latest" {
				if _, err := strconv.ParseUint(height, 10, 64); err != nil {
					return usageError(fmt.Errorf("HEIGHT %q is not a block number: give one (1, 2, …) or latest", height))
				}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
			defer cancel()
			b, err := (&node.Client{BaseURL: api}).Block(ctx, height)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), b)
			}
			return printBlock(cmd.OutOrStdout(), b)
		},
	}
	c.Flags().StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func printBlock(w io.Writer, b node.BlockInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "height\t%d\n", b.Height)
	fmt.Fprintf(tw, "hash\t%s\n", b.Hash)
	fmt.Fprintf(tw, "parent\t%s\n", b.ParentHash)
	fmt.Fprintf(tw, "state root\t%s\n", b.StateRoot)
	fmt.Fprintf(tw, "time\t%s\n", b.Time)
	fmt.Fprintf(tw, "proposer\t%s\n", b.Proposer)
	fmt.Fprintf(tw, "transactions\t%d\n", b.TxCount)
	for _, id := range b.Txs {
		fmt.Fprintf(tw, "\t  %s\n", id)
	}
	c := b.Commit
	if c == nil {
		fmt.Fprintf(tw, "commit\tnone stored with this block\n")
		return tw.Flush()
	}
	if !c.ValidatorsKnown {
		fmt.Fprintf(tw, "commit\tround %d, %d precommits (this node did not keep the set that committed this block: it started from a snapshot taken after it, or an older tao committed it; signers are shown by index)\n", c.Round, len(c.Signers))
		for _, s := range c.Signers {
			fmt.Fprintf(tw, "\t  validator #%d\n", s.Index)
		}
		return tw.Flush()
	}
	fmt.Fprintf(tw, "commit\tround %d, %d of %d validators, %s of %s TAO of voting power\n",
		c.Round, len(c.Signers), len(c.Signers)+len(c.Missing), market.Rao(c.SignedPower), market.Rao(c.TotalPower))
	for _, s := range c.Signers {
		fmt.Fprintf(tw, "\t  signed   %s  %s TAO\n", s.PeerID, market.Rao(s.Power))
	}
	for _, s := range c.Missing {
		fmt.Fprintf(tw, "\t  missing  %s  %s TAO\n", s.PeerID, market.Rao(s.Power))
	}
	return tw.Flush()
}
