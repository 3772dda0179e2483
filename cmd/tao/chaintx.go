package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/wallet"
)

// txOpts holds the flags of the commands that sign and submit a market
// transaction: the wallet, the node, and how to wait and print.
type txOpts struct {
	walletOpts
	api     string
	noWait  bool
	asJSON  bool
	timeout time.Duration
}

func (o *txOpts) register(f *pflag.FlagSet) {
	registerKeyFlags(f, &o.walletOpts)
	f.StringVar(&o.api, "api", "http://"+node.DefaultHTTPAddr, "the node's API `URL`")
	f.BoolVar(&o.noWait, "no-wait", false, "return once the node accepted the transaction, before it is in a block")
	f.BoolVar(&o.asJSON, "json", false, "print JSON")
	f.DurationVar(&o.timeout, "timeout", time.Minute, "give up after this long")
}

func (o *txOpts) client() *node.Client { return &node.Client{BaseURL: o.api} }

// context bounds the command by --timeout.
func (o *txOpts) context(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), o.timeout)
}

// send signs body with key (a coldkey, or a hotkey for weights), taking
// the nonce of the key's account from the node, submits it and, unless
// --no-wait, waits until it is committed. The node's refusal is returned
// as it is: it names the fix.
func (o *txOpts) send(ctx context.Context, key *wallet.Key, body protocols.TxBody) (node.TxInfo, error) {
	cl := o.client()
	st, err := cl.Status(ctx)
	if err != nil {
		return node.TxInfo{}, err
	}
	acct, err := cl.Account(ctx, wallet.ColdkeyAddress(key.Public()).String())
	if err != nil {
		return node.TxInfo{}, err
	}
	tx, err := protocols.NewTx(st.ChainID, acct.Nonce, acct.TxFee, body)
	if err != nil {
		return node.TxInfo{}, err
	}
	if err := tx.Sign(ed25519.NewKeyFromSeed(key.Seed())); err != nil {
		return node.TxInfo{}, err
	}
	enc, err := protocols.EncodeTx(tx)
	if err != nil {
		return node.TxInfo{}, err
	}
	info, err := cl.SubmitTx(ctx, enc)
	if err != nil || o.noWait {
		return info, err
	}
	return awaitTx(ctx, cl, info.ID)
}

// printTx prints a submitted transaction: JSON, or what it did and where.
func (o *txOpts) printTx(w io.Writer, info node.TxInfo, did string) error {
	if o.asJSON {
		return printJSON(w, info)
	}
	fmt.Fprintf(w, "%s\ntx %s: %s", did, info.ID, info.State)
	if info.Height > 0 {
		fmt.Fprintf(w, " in block %d", info.Height)
	}
	fmt.Fprintln(w)
	return nil
}

// ask prints the prompt's lines to stderr and asks on standard input
// (which the password prompt shares), unless yes; then it unlocks the
// coldkey.
func (o *txOpts) ask(cmd *cobra.Command, yes bool, lines func(io.Writer), question string) (*wallet.Key, error) {
	s, in, err := o.store(cmd)
	if err != nil {
		return nil, err
	}
	if !yes {
		lines(cmd.ErrOrStderr())
		if err := confirm(in, cmd.ErrOrStderr(), question); err != nil {
			return nil, err
		}
	}
	return s.Coldkey(o.wallet)
}

// hotkeyPub resolves --hotkey: 64 hex digits or a peer ID name any
// hotkey; anything else is a hotkey of the wallet, read without a
// password.
func (o *txOpts) hotkeyPub(name string) (ledger.Hotkey, error) {
	if h, err := node.ParseHotkey(name); err == nil {
		return h, nil
	}
	if err := wallet.ValidateName("hotkey", name); err != nil {
		return ledger.Hotkey{}, usageError(fmt.Errorf("--hotkey %q is neither a hotkey of the wallet, 64 hex digits nor a peer ID", name))
	}
	p, err := (&wallet.Store{Home: o.home}).ExportPub(o.wallet, wallet.Hotkey, name)
	if err != nil {
		return ledger.Hotkey{}, err
	}
	var h ledger.Hotkey
	if err := h.UnmarshalText([]byte(p.PubKey)); err != nil {
		return h, err
	}
	return h, nil
}

// confirm asks a yes/no question on in; anything but y or yes declines.
func confirm(in *bufio.Reader, out io.Writer, question string) error {
	fmt.Fprintf(out, "%s [y/N] ", question)
	line, err := in.ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	if answer == "y" || answer == "yes" {
		return nil
	}
	if err != nil && answer == "" {
		fmt.Fprintln(out)
	}
	return &exitError{code: 1, err: fmt.Errorf("aborted; nothing was sent (pass --yes to skip the question)")}
}
