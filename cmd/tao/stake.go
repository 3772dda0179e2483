package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/wallet"
)

func newStakeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "stake",
		Short: "Stake TAO on a hotkey in a subnet (buy its alpha), unstake, move, list",
		Long: `Staking buys a subnet's alpha with TAO from its pool and holds it on a
hotkey; unstaking sells it back. Netuid 0 is the root subnet: stake there is
TAO itself. Each swap is shown first with its price impact (an estimate before
the swap fee); --yes skips the question. --limit-price bounds the price the
swap may reach (TAO per alpha; for a move, destination alpha per source
alpha); with --partial the part beyond the limit is refunded instead of the
whole transaction failing.`,
	}
	c.AddCommand(newStakeAddCmd(), newStakeRemoveCmd(), newStakeMoveCmd(), newStakeListCmd())
	return c
}

// stakeFlags are the flags of stake add, remove, move and delegate.
type stakeFlags struct {
	txOpts
	hotkey, amount, limit string
	netuid                uint16
	partial, yes          bool
}

func (f *stakeFlags) register(fs *pflag.FlagSet, hotkeyFlag bool, unit string) {
	f.txOpts.register(fs)
	if hotkeyFlag {
		fs.StringVar(&f.hotkey, "hotkey", "default", "hotkey: a `NAME` in the wallet, or 64 hex digits or a peer ID")
	}
	fs.Uint16Var(&f.netuid, "netuid", 0, "subnet `NETUID` (0: root)")
	fs.StringVar(&f.amount, "amount", "", "amount in "+unit+", e.g. 1.5")
	fs.StringVar(&f.limit, "limit-price", "", "fail (or with --partial, stop) past this `PRICE` in TAO per alpha")
	fs.BoolVar(&f.partial, "partial", false, "with --limit-price: fill what the limit allows and refund the rest")
	fs.BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation")
}

// parse reads --amount and --limit-price in rao.
func (f *stakeFlags) parse() (amount, limit market.Rao, err error) {
	if amount, err = market.ParseTAO(f.amount); err != nil {
		return 0, 0, usageError(fmt.Errorf("--amount: %w", err))
	}
	if amount == 0 {
		return 0, 0, usageError(fmt.Errorf("--amount must be more than 0"))
	}
	if f.limit != "" {
		if limit, err = market.ParseTAO(f.limit); err != nil || limit == 0 {
			return 0, 0, usageError(fmt.Errorf("--limit-price: a positive price in TAO per alpha, like 0.05 (%v)", err))
		}
	}
	if f.partial && limit == 0 {
		return 0, 0, usageError(fmt.Errorf("--partial needs --limit-price"))
	}
	return amount, limit, nil
}

// limitLine describes the slippage protection for the prompt.
func (f *stakeFlags) limitLine(w io.Writer, limit market.Rao) {
	switch {
	case limit == 0:
		fmt.Fprintln(w, "  limit price     none (pass --limit-price to bound the price)")
	case f.partial:
		fmt.Fprintf(w, "  limit price     %s, partial fill allowed\n", limit)
	default:
		fmt.Fprintf(w, "  limit price     %s, all or nothing\n", limit)
	}
}

// findSubnet returns a subnet's state from GET /subnets.
func findSubnet(ctx context.Context, cl *node.Client, netuid uint16) (ledger.SubnetInfo, error) {
	ss, err := cl.Subnets(ctx)
	if err != nil {
		return ledger.SubnetInfo{}, err
	}
	for _, s := range ss {
		if s.NetUID == netuid {
			return s, nil
		}
	}
	return ledger.SubnetInfo{}, fmt.Errorf("no subnet %d; list them with `tao subnet list`", netuid)
}

// ask prints the prompt's lines and asks, unless --yes; then it unlocks
// the coldkey.
func (f *stakeFlags) ask(cmd *cobra.Command, lines func(io.Writer), question string) (*wallet.Key, error) {
	return f.txOpts.ask(cmd, f.yes, lines, question)
}

func newStakeAddCmd() *cobra.Command {
	var f stakeFlags
	c := &cobra.Command{
		Use:   "add --netuid N --hotkey NAME --amount TAO",
		Short: "Stake TAO on a hotkey in a subnet (buys the subnet's alpha)",
		Example: `  tao stake add --netuid 1 --hotkey default --amount 10
  tao stake add --netuid 1 --hotkey 3f2a…(64 hex) --amount 10 --limit-price 0.02 --partial --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			hk, err := f.hotkeyPub(f.hotkey)
			if err != nil {
				return err
			}
			return f.add(cmd, hk, nil)
		},
	}
	f.register(c.Flags(), true, "TAO")
	_ = c.MarkFlagRequired("amount")
	return c
}

// add stakes --amount TAO on hk; extra adds lines to the prompt
// (delegate: the hotkey's take).
func (f *stakeFlags) add(cmd *cobra.Command, hk ledger.Hotkey, extra func(io.Writer)) error {
	amount, limit, err := f.parse()
	if err != nil {
		return err
	}
	ctx, cancel := f.context(cmd)
	defer cancel()
	return f.swap(cmd, ctx, amount, limit, false, func(w io.Writer) {
		fmt.Fprintf(w, "Stake %s TAO on hotkey %s in subnet %d:\n", amount, hk, f.netuid)
		if extra != nil {
			extra(w)
		}
	}, "  root stake      TAO held as it is (no swap)",
		&protocols.AddStake{Hotkey: hk[:], NetUID: f.netuid, Amount: uint64(amount), LimitPrice: uint64(limit), Partial: f.partial},
		fmt.Sprintf("staked %s TAO on %s in subnet %d", amount, hk, f.netuid))
}

// swap quotes a stake (sell false) or unstake (sell true) of amount in
// the subnet's pool (nothing to quote on the root subnet: rootLine says
// so), asks with head's lines, then sends body and prints done.
func (f *stakeFlags) swap(cmd *cobra.Command, ctx context.Context, amount, limit market.Rao, sell bool, head func(io.Writer), rootLine string, body protocols.TxBody, done string) error {
	var q *quote
	if f.netuid != 0 {
		s, err := findSubnet(ctx, f.client(), f.netuid)
		if err != nil {
			return err
		}
		pq := poolQuote(s, amount, sell)
		q = &pq
	}
	key, err := f.ask(cmd, func(w io.Writer) {
		head(w)
		if q == nil {
			fmt.Fprintln(w, rootLine)
		} else {
			printQuote(w, *q)
		}
		f.limitLine(w, limit)
	}, "Proceed?")
	if err != nil {
		return err
	}
	info, err := f.send(ctx, key, body)
	if err != nil {
		return err
	}
	return f.printTx(cmd.OutOrStdout(), info, done)
}

func newStakeRemoveCmd() *cobra.Command {
	var (
		f   stakeFlags
		all bool
	)
	c := &cobra.Command{
		Use:   "remove --netuid N --hotkey NAME --amount ALPHA",
		Short: "Unstake alpha from a hotkey in a subnet (sells it for TAO)",
		Example: `  tao stake remove --netuid 1 --hotkey default --amount 100
  tao stake remove --netuid 1 --hotkey default --all --limit-price 0.009 --partial`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			hk, err := f.hotkeyPub(f.hotkey)
			if err != nil {
				return err
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			if all == (f.amount != "") {
				return usageError(fmt.Errorf("give either --amount or --all"))
			}
			if all {
				a, err := f.stakeOn(ctx, hk, f.netuid)
				if err != nil {
					return err
				}
				f.amount = a.String()
			}
			amount, limit, err := f.parse()
			if err != nil {
				return err
			}
			return f.swap(cmd, ctx, amount, limit, true, func(w io.Writer) {
				fmt.Fprintf(w, "Unstake %s alpha from hotkey %s in subnet %d:\n", amount, hk, f.netuid)
			}, "  root stake      TAO returned as it is (no swap)",
				&protocols.RemoveStake{Hotkey: hk[:], NetUID: f.netuid, Amount: uint64(amount), LimitPrice: uint64(limit), Partial: f.partial},
				fmt.Sprintf("unstaked %s alpha from %s in subnet %d", amount, hk, f.netuid))
		},
	}
	f.register(c.Flags(), true, "alpha (TAO on the root subnet)")
	c.Flags().BoolVar(&all, "all", false, "unstake everything the coldkey holds on the hotkey in the subnet")
	return c
}

// stakeOn returns the wallet coldkey's stake on (hk, netuid).
func (f *stakeFlags) stakeOn(ctx context.Context, hk ledger.Hotkey, netuid uint16) (market.Rao, error) {
	addr, err := (&wallet.Store{Home: f.home}).ColdkeyPub(f.wallet)
	if err != nil {
		return 0, err
	}
	st, err := f.client().Stakes(ctx, addr.String())
	if err != nil {
		return 0, err
	}
	for _, s := range st {
		if s.Hotkey == hk && s.NetUID == netuid && s.Alpha > 0 {
			return s.Alpha, nil
		}
	}
	return 0, fmt.Errorf("wallet %q has no stake on hotkey %s in subnet %d; see `tao stake list`", f.wallet, hk, netuid)
}

func newStakeMoveCmd() *cobra.Command {
	var (
		f        stakeFlags
		toHotkey string
		toNetUID int
	)
	c := &cobra.Command{
		Use:   "move --netuid N --hotkey NAME --to-hotkey H --to-netuid M --amount ALPHA",
		Short: "Move stake to another hotkey or subnet (no swap within one subnet)",
		Long: `Move alpha of your coldkey from (--hotkey, --netuid) to (--to-hotkey,
--to-netuid), each defaulting to the source. Within one subnet the alpha moves
as it is; across subnets it is sold and the TAO bought into the other pool, and
--limit-price bounds the ratio of the prices (destination alpha per source
alpha).`,
		Example: `  tao stake move --netuid 1 --hotkey default --to-hotkey 3f2a…(64 hex) --amount 5
  tao stake move --netuid 1 --hotkey default --to-netuid 2 --amount 5 --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			from, err := f.hotkeyPub(f.hotkey)
			if err != nil {
				return err
			}
			to := from
			if toHotkey != "" {
				if to, err = f.hotkeyPub(toHotkey); err != nil {
					return err
				}
			}
			dest := f.netuid
			if toNetUID >= 0 {
				if toNetUID > 65535 {
					return usageError(fmt.Errorf("--to-netuid %d is not a subnet number", toNetUID))
				}
				dest = uint16(toNetUID)
			}
			if f.partial {
				return usageError(fmt.Errorf("--partial does not apply to a move (it is all or nothing)"))
			}
			amount, limit, err := f.parse()
			if err != nil {
				return err
			}
			if to == from && dest == f.netuid {
				return usageError(fmt.Errorf("the destination is the source; give --to-hotkey or --to-netuid"))
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			var sell, buy *quote
			tao := amount
			if f.netuid != dest {
				if f.netuid != 0 {
					s, err := findSubnet(ctx, f.client(), f.netuid)
					if err != nil {
						return err
					}
					q := poolQuote(s, amount, true)
					sell, tao = &q, market.Rao(q.Out*float64(market.RaoPerTAO))
				}
				if dest != 0 {
					s, err := findSubnet(ctx, f.client(), dest)
					if err != nil {
						return err
					}
					q := poolQuote(s, tao, false)
					buy = &q
				}
			}
			key, err := f.ask(cmd, func(w io.Writer) {
				fmt.Fprintf(w, "Move %s alpha from hotkey %s in subnet %d\n            to hotkey %s in subnet %d:\n", amount, from, f.netuid, to, dest)
				if sell == nil && buy == nil {
					fmt.Fprintln(w, "  no swap         the stake moves as it is")
				}
				for _, q := range []*quote{sell, buy} {
					if q != nil {
						printQuote(w, *q)
					}
				}
				f.limitLine(w, limit)
			}, "Proceed?")
			if err != nil {
				return err
			}
			info, err := f.send(ctx, key, &protocols.MoveStake{FromHotkey: from[:], FromNetUID: f.netuid, ToHotkey: to[:], ToNetUID: dest, Amount: uint64(amount), LimitPrice: uint64(limit)})
			if err != nil {
				return err
			}
			return f.printTx(cmd.OutOrStdout(), info, fmt.Sprintf("moved %s alpha from %s/%d to %s/%d", amount, from, f.netuid, to, dest))
		},
	}
	f.register(c.Flags(), true, "source alpha (TAO on the root subnet)")
	c.Flags().Lookup("partial").Hidden = true
	c.Flags().StringVar(&toHotkey, "to-hotkey", "", "destination hotkey (default: the source's): a wallet `NAME`, 64 hex digits or a peer ID")
	c.Flags().IntVar(&toNetUID, "to-netuid", -1, "destination subnet `NETUID` (default: the source's)")
	_ = c.MarkFlagRequired("amount")
	return c
}
