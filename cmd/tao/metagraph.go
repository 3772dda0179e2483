package main

import (
	"github.com/spf13/cobra"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

func newMetagraphCmd() *cobra.Command {
	var o readOpts
	c := &cobra.Command{
		Use:   "metagraph NETUID",
		Short: "Show a subnet's neurons: stake, rank, trust, consensus, incentive, dividends, emission, permits",
		Long: `Show the metagraph of a subnet at the node's committed tip, as btcli does:
each uid's hotkey, alpha stake, the outputs of the last epoch (rank, trust,
consensus, incentive, dividends and validator trust as fractions of 1;
emission in alpha), its validator permit, and blocks since its last weights.
--json prints the node's GET /metagraph/NETUID, with full keys and weights.`,
		Example: `  tao metagraph 1
  tao metagraph 1 --json | jq '.neurons[] | {uid, incentive}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			netuid, err := subnetArg(args[0])
			if err != nil {
				return err
			}
			m, err := (&node.Client{BaseURL: o.api}).Metagraph(cmd.Context(), netuid)
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), m)
			}
			return printMetagraph(cmd.OutOrStdout(), m)
		},
	}
	o.register(c)
	return c
}

// uidOf looks a hotkey's uid up in a subnet's metagraph.
func uidOf(cmd *cobra.Command, api string, netuid uint16, hk ledger.Hotkey) (uint16, bool) {
	m, err := (&node.Client{BaseURL: api}).Metagraph(cmd.Context(), netuid)
	if err != nil {
		return 0, false
	}
	for _, n := range m.Neurons {
		if n.Hotkey == hk {
			return n.UID, true
		}
	}
	return 0, false
}
