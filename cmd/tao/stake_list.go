package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/wallet"
)

// StakeRow is one line of `tao stake list --json`.
type StakeRow struct {
	ledger.StakeInfo
	Value market.Rao `json:"value_tao"` // at the spot price, before fees and slippage
}

func newStakeListCmd() *cobra.Command {
	var (
		o    readOpts
		home string
		name string
	)
	c := &cobra.Command{
		Use:   "list [ADDRESS]",
		Short: "List a coldkey's stakes and their value at the spot price (default: your wallet's)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addressArg(args, home, name)
			if err != nil {
				return err
			}
			cl := &node.Client{BaseURL: o.api}
			st, err := cl.Stakes(cmd.Context(), addr)
			if err != nil {
				return err
			}
			ss, err := cl.Subnets(cmd.Context())
			if err != nil {
				return err
			}
			prices := map[uint16]ledger.Price{}
			for _, s := range ss {
				prices[s.NetUID] = s.Price
			}
			rows := make([]StakeRow, len(st))
			var total market.Rao
			for i, s := range st {
				rows[i] = StakeRow{StakeInfo: s, Value: s.Alpha}
				if s.NetUID != 0 {
					rows[i].Value = market.Rao(toFloat(s.Alpha) * priceFloat(prices[s.NetUID]) * float64(market.RaoPerTAO))
				}
				total += rows[i].Value
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "stakes of %s\n", addr)
			fmt.Fprintln(tw, "NETUID\tHOTKEY\tSTAKE α\tVALUE τ\tPRICE τ/α")
			for _, r := range rows {
				p := "1 (root)"
				if r.NetUID != 0 {
					p = price(prices[r.NetUID])
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.NetUID, r.Hotkey, r.Alpha, r.Value, p)
			}
			fmt.Fprintf(tw, "%d stakes worth %s TAO at spot prices\n", len(rows), total)
			return tw.Flush()
		},
	}
	o.register(c)
	h, _ := wallet.DefaultHome()
	c.Flags().StringVar(&home, "home", h, "tao home `DIR` (env TAO_HOME)")
	c.Flags().StringVar(&name, "wallet", "default", "wallet `NAME`")
	return c
}
