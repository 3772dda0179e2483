package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

func newRegisterCmd() *cobra.Command {
	var (
		f       stakeFlags
		maxBurn string
	)
	c := &cobra.Command{
		Use:   "register --netuid N --hotkey NAME",
		Short: "Register a hotkey as a neuron (miner or validator) of a subnet, burning the registration cost",
		Long: `Register a hotkey in a subnet: your coldkey burns the subnet's registration
cost (it rises after each registration and decays over time; --max-burn
refuses a higher one, by default the cost shown) and the hotkey gets a uid.
The first registration of a hotkey makes your coldkey its owner. A full
subnet replaces its lowest-scoring neuron outside its immunity period.`,
		Example: `  tao register --netuid 1 --hotkey default
  tao register --netuid 1 --hotkey miner0 --max-burn 2 --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			hk, err := f.hotkeyPub(f.hotkey)
			if err != nil {
				return err
			}
			var bound market.Rao
			if maxBurn != "" {
				if bound, err = market.ParseTAO(maxBurn); err != nil {
					return usageError(fmt.Errorf("--max-burn: %w", err))
				}
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			s, err := findSubnet(ctx, f.client(), f.netuid)
			if err != nil {
				return err
			}
			if bound == 0 {
				bound = s.Burn
			}
			key, err := f.ask(cmd, func(w io.Writer) {
				fmt.Fprintf(w, "Register hotkey %s in subnet %d %q (%d of %d uids taken):\n", hk, s.NetUID, s.Name, s.N, s.Hyper.MaxUIDs)
				fmt.Fprintf(w, "  burn            %s TAO (at most %s)\n", s.Burn, bound)
			}, "Proceed?")
			if err != nil {
				return err
			}
			info, err := f.send(ctx, key, &protocols.Register{NetUID: f.netuid, Hotkey: hk[:], MaxBurn: uint64(bound)})
			if err != nil {
				return err
			}
			did := fmt.Sprintf("hotkey %s registration in subnet %d submitted", hk, f.netuid)
			if info.State == "committed" {
				if uid, ok := uidOf(cmd, f.api, f.netuid, hk); ok {
					did = fmt.Sprintf("registered hotkey %s in subnet %d as uid %d", hk, f.netuid, uid)
				}
			}
			return f.printTx(cmd.OutOrStdout(), info, did)
		},
	}
	fs := c.Flags()
	f.txOpts.register(fs)
	fs.StringVar(&f.hotkey, "hotkey", "default", "hotkey: a `NAME` in the wallet, or 64 hex digits or a peer ID")
	fs.Uint16Var(&f.netuid, "netuid", 0, "subnet `NETUID`")
	fs.StringVar(&maxBurn, "max-burn", "", "refuse a burn above this many `TAO` (default: the burn shown)")
	fs.BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation")
	_ = c.MarkFlagRequired("netuid")
	return c
}
