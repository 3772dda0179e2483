package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/wallet"
)

// The read-only wallet commands: list, show, export-pub. None needs a
// password.

func walletJSONFlag(c *cobra.Command, asJSON *bool) {
	c.Flags().BoolVar(asJSON, "json", false, "print JSON")
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// printWallet writes one wallet as indented text.
func printWallet(w io.Writer, info wallet.Info) {
	fmt.Fprintf(w, "wallet %s  (%s)\n", info.Name, info.Dir)
	switch {
	case info.ColdkeyError != "":
		fmt.Fprintf(w, "  coldkey  error: %s\n", info.ColdkeyError)
	case info.WatchOnly:
		fmt.Fprintf(w, "  coldkey  %s  (watch-only)\n", info.Coldkey)
	default:
		fmt.Fprintf(w, "  coldkey  %s\n", info.Coldkey)
	}
	for _, h := range info.Hotkeys {
		switch {
		case h.Error != "":
			fmt.Fprintf(w, "  hotkey   %s  error: %s\n", h.Name, h.Error)
		case h.Encrypted:
			fmt.Fprintf(w, "  hotkey   %s  %s\n", h.Name, h.Address)
		default:
			fmt.Fprintf(w, "  hotkey   %s  %s  (unencrypted)\n", h.Name, h.Address)
		}
	}
}

func newWalletListCmd(o *walletOpts) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List the wallets under the tao home, with addresses (no password needed)",
		Args:  walletNoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			list, err := s.List()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, list)
			}
			if len(list) == 0 {
				fmt.Fprintf(w, "no wallets in %s; create one with: tao wallet create\n", o.home)
			}
			for _, info := range list {
				printWallet(w, info)
			}
			return nil
		},
	}
	walletJSONFlag(c, &asJSON)
	return c
}

func newWalletShowCmd(o *walletOpts) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show",
		Short: "Show a wallet's coldkey and hotkey addresses (works watch-only, no password needed)",
		Args:  walletNoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			info, err := s.Show(o.wallet)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), info)
			}
			printWallet(cmd.OutOrStdout(), info)
			return nil
		},
	}
	walletJSONFlag(c, &asJSON)
	return c
}

func newWalletExportPubCmd(o *walletOpts) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "export-pub [coldkey|hotkey]",
		Short: "Print the address of the coldkey (default) or of --hotkey",
		Example: `  tao wallet export-pub                 # coldkey address, for transfers and stake
  tao wallet export-pub hotkey --hotkey gpu0 --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := wallet.Coldkey
			if len(args) > 1 {
				return usageError(fmt.Errorf("usage: tao wallet export-pub [coldkey|hotkey]"))
			}
			if len(args) == 1 {
				kind = wallet.Kind(args[0])
			}
			if kind != wallet.Coldkey && kind != wallet.Hotkey {
				return usageError(fmt.Errorf("export-pub %q: want coldkey or hotkey", args[0]))
			}
			s, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			hotkey := o.hotkey
			if kind == wallet.Coldkey {
				hotkey = ""
			}
			p, err := s.ExportPub(o.wallet, kind, hotkey)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), p)
			}
			fmt.Fprintln(cmd.OutOrStdout(), p.Address)
			return nil
		},
	}
	walletJSONFlag(c, &asJSON)
	return c
}
