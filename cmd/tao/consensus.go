package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/wallet"
)

func newConsensusCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "consensus",
		Short: "Declare that a hotkey runs a consensus node (a candidate for the validator set), or stop",
		Long: `The chain's block producers are the top max_validators candidates by power:
their genesis bond plus the TAO staked on them in the root subnet (netuid 0,
delegated stake included), recomputed every tempo. A hotkey becomes a candidate
only by declaring it, signed with the hotkey itself, so that stake alone never
elects a key that runs no node. Run the node with that hotkey as its identity
(tao node --wallet W --hotkey H) before you join, and keep it running: a
validator that is offline costs the chain its votes.

The hotkey must be registered (it needs an owner coldkey, which pays the fee).`,
	}
	c.AddCommand(newConsensusSetCmd("join", true), newConsensusSetCmd("leave", false))
	return c
}

func newConsensusSetCmd(use string, active bool) *cobra.Command {
	var o txOpts
	var hotkey string
	short := "Become a candidate for the validator set"
	if !active {
		short = "Stop being a candidate (leaves the set at the next tempo)"
	}
	c := &cobra.Command{
		Use:     use + " --hotkey NAME",
		Short:   short,
		Example: fmt.Sprintf("  tao consensus %s --wallet default --hotkey default", use),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.walletOpts.hotkey = hotkey
			st, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			key, err := st.Hotkey(o.wallet, hotkey)
			if err != nil {
				return err
			}
			ctx, cancel := o.context(cmd)
			defer cancel()
			info, err := o.send(ctx, key, &protocols.SetConsensus{Active: active})
			if err != nil {
				return err
			}
			did := "hotkey is a candidate for the validator set from the next tempo boundary"
			if !active {
				did = "hotkey leaves the validator set at the next tempo boundary"
			}
			return o.printTx(cmd.OutOrStdout(), info, did)
		},
	}
	o.register(c.Flags())
	c.Flags().StringVar(&hotkey, "hotkey", wallet.DefaultHotkey, "the node's hotkey `NAME` in the wallet (it signs)")
	return c
}
