package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/wallet"
)

func newTransferCmd() *cobra.Command {
	var (
		o       walletOpts
		api     string
		to      string
		amount  string
		noWait  bool
		asJSON  bool
		timeout time.Duration
	)
	c := &cobra.Command{
		Use:   "transfer --to ADDRESS --amount TAO",
		Short: "Send TAO from your coldkey to another coldkey",
		Long: `Sign a transfer with your wallet's coldkey, submit it to a node, and wait
until it is committed in a block. The fee (the chain's tx fee) is burned.`,
		Example: `  tao transfer --to tao1... --amount 1.5
  tao transfer --wallet alice --password-file pw.txt --api http://127.0.0.1:8421 --to tao1... --amount 0.25`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dest, err := wallet.ParseAddress(to)
			if err != nil {
				return usageError(fmt.Errorf("--to: %w", err))
			}
			amt, err := market.ParseTAO(amount)
			if err != nil {
				return usageError(fmt.Errorf("--amount: %w", err))
			}
			if amt == 0 {
				return usageError(fmt.Errorf("--amount must be more than 0"))
			}
			s, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			cold, err := s.Coldkey(o.wallet)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			cl := &node.Client{BaseURL: api}
			st, err := cl.Status(ctx)
			if err != nil {
				return err
			}
			acct, err := cl.Account(ctx, wallet.ColdkeyAddress(cold.Public()).String())
			if err != nil {
				return err
			}
			tx, err := protocols.NewTx(st.ChainID, acct.Nonce, acct.TxFee, &protocols.Transfer{To: dest.PublicKey(), Amount: uint64(amt)})
			if err != nil {
				return err
			}
			if err := tx.Sign(ed25519.NewKeyFromSeed(cold.Seed())); err != nil {
				return err
			}
			enc, err := protocols.EncodeTx(tx)
			if err != nil {
				return err
			}
			info, err := cl.SubmitTx(ctx, enc)
			if err != nil {
				return err
			}
			if !noWait {
				info, err = awaitTx(ctx, cl, info.ID)
				if err != nil {
					return err
				}
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), info)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sent %s TAO to %s (fee %s TAO)\ntx %s: %s", amt, dest, market.Rao(acct.TxFee), info.ID, info.State)
			if info.Height > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), " in block %d", info.Height)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
	f := c.Flags()
	registerKeyFlags(f, &o)
	f.StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	f.StringVar(&to, "to", "", "destination coldkey `ADDRESS` (tao1...)")
	f.StringVar(&amount, "amount", "", "amount in TAO, e.g. 1.5")
	f.BoolVar(&noWait, "no-wait", false, "return once the node accepted the transaction, before it is in a block")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.DurationVar(&timeout, "timeout", time.Minute, "give up after this long")
	_ = c.MarkFlagRequired("to")
	_ = c.MarkFlagRequired("amount")
	return c
}

// awaitTx polls the node until the transaction is committed.
func awaitTx(ctx context.Context, cl *node.Client, id string) (node.TxInfo, error) {
	for {
		info, err := cl.Tx(ctx, id)
		if err != nil {
			return info, err
		}
		if info.State == "committed" {
			return info, nil
		}
		select {
		case <-ctx.Done():
			return info, fmt.Errorf("transaction %s still %s: %w (check later with `tao tx %s`)", id, info.State, ctx.Err(), id)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func newBalanceCmd() *cobra.Command {
	var (
		o      walletOpts
		api    string
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "balance [ADDRESS]",
		Short: "Show a coldkey's balance and next nonce (default: your wallet's coldkey)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addressArg(args, o.home, o.wallet)
			if err != nil {
				return err
			}
			if _, err := wallet.ParseAddress(addr); err != nil {
				return usageError(err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
			defer cancel()
			a, err := (&node.Client{BaseURL: api}).Account(ctx, addr)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), a)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n  balance  %s TAO\n  nonce    %d\n", a.Address, market.Rao(a.Balance), a.Nonce)
			return nil
		},
	}
	registerKeyFlags(c.Flags(), &o)
	c.Flags().StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func newTxCmd() *cobra.Command {
	var api string
	c := &cobra.Command{
		Use:   "tx TXID",
		Short: "Show a transaction's status: pending, committed (with its block, fee and events) or unknown",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
			defer cancel()
			info, err := (&node.Client{BaseURL: api}).Tx(ctx, args[0])
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), info)
		},
	}
	c.Flags().StringVar(&api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	return c
}

// registerKeyFlags adds the wallet flags of commands that sign or read
// keys outside `tao wallet`.
func registerKeyFlags(f *pflag.FlagSet, o *walletOpts) {
	home, _ := wallet.DefaultHome()
	f.StringVar(&o.home, "home", home, "tao home `DIR` (env TAO_HOME)")
	f.StringVar(&o.wallet, "wallet", "default", "wallet `NAME`")
	f.StringVar(&o.passwordFile, "password-file", "", "read the coldkey's password from `FILE` (else $TAO_PASSWORD_<WALLET>_COLDKEY, else a prompt)")
	o.hotkey = "default"
}

// addressArg is a command's ADDRESS argument, or the address of the
// wallet's coldkey when there is none.
func addressArg(args []string, home, name string) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	a, err := (&wallet.Store{Home: home}).ColdkeyPub(name)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}
