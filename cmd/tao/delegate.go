package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/node"
)

func newDelegateCmd() *cobra.Command {
	var f stakeFlags
	c := &cobra.Command{
		Use:   "delegate HOTKEY --netuid N --amount TAO",
		Short: "Stake on another's validator hotkey (64 hex digits or peer ID); it keeps its take of your dividends",
		Long: `Delegate: stake TAO on a validator hotkey that is not yours, in a subnet.
Your stake earns the validator's dividends pro rata, less the hotkey's take
(shown before you confirm). Otherwise the same as tao stake add.`,
		Example: `  tao delegate 3f2a…(64 hex) --netuid 1 --amount 10`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hk, err := node.ParseHotkey(args[0])
			if err != nil {
				return usageError(err)
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			hi, err := f.client().Hotkey(ctx, hk.String())
			if err != nil {
				return err
			}
			return f.add(cmd, hk, func(w io.Writer) {
				fmt.Fprintf(w, "  delegate take   %.2f%% of dividends (hotkey owner %s)\n", 100*float64(hi.Take)/65535, hi.Owner)
			})
		},
	}
	f.register(c.Flags(), false, "TAO")
	_ = c.MarkFlagRequired("amount")
	return c
}
