package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/taonet/tao/wallet"
)

// walletOpts holds the flags shared by every wallet subcommand.
type walletOpts struct {
	home, wallet, hotkey, passwordFile string
}

func newWalletCmd() *cobra.Command {
	o := &walletOpts{}
	c := &cobra.Command{
		Use:   "wallet",
		Short: "Create, restore and inspect coldkeys and hotkeys",
		Long: `Manage the keys of this machine. A wallet has one coldkey (owns balances
and stake; may stay on another machine, leaving only coldkeypub.txt here) and
any number of hotkeys (each is a node's libp2p identity).

Keys live in <home>/wallets/<wallet>/{coldkey,coldkeypub.txt,hotkeys/<name>},
encrypted with argon2id and XChaCha20-Poly1305. Passwords come from
--password-file, else the environment (TAO_PASSWORD_<WALLET>_COLDKEY,
TAO_PASSWORD_<WALLET>_HOTKEY_<NAME>, upper-cased with other characters as '_',
then TAO_PASSWORD), else a prompt on standard input.`,
	}
	home, _ := wallet.DefaultHome()
	pf := c.PersistentFlags()
	pf.StringVar(&o.home, "home", home, "tao home `DIR` (env TAO_HOME)")
	pf.StringVar(&o.wallet, "wallet", "default", "wallet `NAME`")
	pf.StringVar(&o.hotkey, "hotkey", wallet.DefaultHotkey, "hotkey `NAME`")
	pf.StringVar(&o.passwordFile, "password-file", "", "read key passwords from the first line of `FILE`")
	c.AddCommand(
		newWalletCreateCmd(o),
		newWalletListCmd(o),
		newWalletShowCmd(o),
		newWalletNewHotkeyCmd(o),
		newWalletRegenCmd(o),
		newWalletExportPubCmd(o),
	)
	return c
}

// store validates the shared flags and builds the wallet store. The returned
// reader is standard input, shared by the password prompt and the mnemonic.
func (o *walletOpts) store(cmd *cobra.Command) (*wallet.Store, *bufio.Reader, error) {
	if o.home == "" {
		return nil, nil, usageError(fmt.Errorf("no tao home: pass --home DIR or set TAO_HOME"))
	}
	if err := wallet.ValidateName("wallet", o.wallet); err != nil {
		return nil, nil, usageError(err)
	}
	if err := wallet.ValidateName("hotkey", o.hotkey); err != nil {
		return nil, nil, usageError(err)
	}
	in := bufio.NewReader(cmd.InOrStdin())
	src := wallet.PasswordChain(wallet.PasswordFromEnv(nil), walletPrompt(in, cmd.ErrOrStderr()))
	if o.passwordFile != "" {
		src = wallet.PasswordFromFile(o.passwordFile)
	}
	return &wallet.Store{Home: o.home, Password: src}, in, nil
}

// walletPrompt reads passwords from standard input: without echo when it is
// a terminal, else one line each (scripts, tests).
func walletPrompt(in *bufio.Reader, out io.Writer) wallet.PasswordSource {
	prompt := wallet.PasswordFromPrompt(in, out)
	return func(req wallet.PasswordRequest) ([]byte, error) {
		fd := int(os.Stdin.Fd())
		if !term.IsTerminal(fd) {
			return prompt(req)
		}
		read := func(label string) ([]byte, error) {
			fmt.Fprint(out, label)
			pw, err := term.ReadPassword(fd)
			fmt.Fprintln(out)
			return pw, err
		}
		pw, err := read(fmt.Sprintf("Password for %s: ", req))
		if err != nil || !req.New {
			return pw, err
		}
		again, err := read("Repeat the password: ")
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(pw, again) {
			return nil, fmt.Errorf("the passwords for %s do not match; try again", req)
		}
		return pw, nil
	}
}

func walletWordsFlag(c *cobra.Command, words *int) {
	c.Flags().IntVar(words, "words", 12, "mnemonic length: 12 or 24 `WORDS`")
}

func checkWords(words int) error {
	if words != 12 && words != 24 {
		return usageError(fmt.Errorf("--words must be 12 or 24, not %d", words))
	}
	return nil
}

func walletNoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("%s takes no arguments (got %q); see --help", cmd.CommandPath(), args[0]))
	}
	return nil
}

const mnemonicWarning = `
Write down each mnemonic below and keep it offline. It is shown only this once.
Anyone who has it controls the key; without it a lost key file cannot be restored.
`

func printMnemonic(w io.Writer, label string, k *wallet.Key) {
	if m, ok := k.Mnemonic(); ok {
		fmt.Fprintf(w, "\n%s mnemonic:\n  %s\n", label, m)
	}
}

func newWalletCreateCmd(o *walletOpts) *cobra.Command {
	var words int
	var noPassword, overwrite bool
	c := &cobra.Command{
		Use:   "create",
		Short: "Create a wallet: a coldkey and its first hotkey, each with a new mnemonic",
		Example: `  tao wallet create
  tao wallet create --wallet miner --hotkey gpu0 --no-password --password-file cold.pw`,
		Args: walletNoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkWords(words); err != nil {
				return err
			}
			s, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			cold, hot, err := s.Create(o.wallet, wallet.CreateOptions{
				Hotkey: o.hotkey, Words: words, Overwrite: overwrite, NoHotkeyPassword: noPassword,
			})
			if err != nil {
				return err
			}
			dir, _ := s.WalletDir(o.wallet)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Created wallet %q in %s\n  coldkey  %s\n  hotkey   %s  %s\n", o.wallet, dir, cold.Address(), o.hotkey, hot.Address())
			fmt.Fprint(w, mnemonicWarning)
			printMnemonic(w, "coldkey", cold)
			printMnemonic(w, fmt.Sprintf("hotkey %q", o.hotkey), hot)
			return nil
		},
	}
	walletWordsFlag(c, &words)
	c.Flags().BoolVar(&noPassword, "no-password", false, "store the hotkey unencrypted, for unattended miners (the coldkey is always encrypted)")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace existing keys (they are lost unless you hold their mnemonics)")
	return c
}

func newWalletNewHotkeyCmd(o *walletOpts) *cobra.Command {
	var words int
	var noPassword, overwrite bool
	c := &cobra.Command{
		Use:     "new-hotkey",
		Short:   "Add a hotkey to a wallet (never touches the coldkey)",
		Example: `  tao wallet new-hotkey --wallet miner --hotkey gpu1 --no-password`,
		Args:    walletNoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkWords(words); err != nil {
				return err
			}
			s, _, err := o.store(cmd)
			if err != nil {
				return err
			}
			k, err := s.NewHotkey(o.wallet, o.hotkey, wallet.KeyOptions{Words: words, Overwrite: overwrite, NoPassword: noPassword})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Created hotkey %q in wallet %q: %s\n", o.hotkey, o.wallet, k.Address())
			fmt.Fprint(w, mnemonicWarning)
			printMnemonic(w, fmt.Sprintf("hotkey %q", o.hotkey), k)
			return nil
		},
	}
	walletWordsFlag(c, &words)
	c.Flags().BoolVar(&noPassword, "no-password", false, "store the hotkey unencrypted, for unattended miners")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing hotkey of that name")
	return c
}

func newWalletRegenCmd(o *walletOpts) *cobra.Command {
	var mnemonicFile string
	var noPassword, overwrite bool
	c := &cobra.Command{
		Use:   "regen coldkey|hotkey|coldkeypub [ADDRESS]",
		Short: "Restore a key from its mnemonic, or a watch-only coldkey from its address",
		Long: `Restore a coldkey or hotkey from its BIP-39 mnemonic, read from --mnemonic-file
or standard input (never from the command line, which shells keep in history).
"regen coldkeypub ADDRESS" writes coldkeypub.txt alone: a watch-only wallet.`,
		Example: `  tao wallet regen coldkey --mnemonic-file words.txt
  tao wallet regen hotkey --hotkey gpu0 --no-password < words.txt
  tao wallet regen coldkeypub tao1...`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError(fmt.Errorf("say what to restore: tao wallet regen coldkey|hotkey|coldkeypub"))
			}
			s, in, err := o.store(cmd)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			what := args[0]
			if what == "coldkeypub" {
				if len(args) != 2 {
					return usageError(fmt.Errorf("usage: tao wallet regen coldkeypub ADDRESS"))
				}
				addr, err := wallet.ParseAddress(args[1])
				if err != nil {
					return usageError(err)
				}
				if err := s.RegenColdkeyPub(o.wallet, addr, overwrite); err != nil {
					return err
				}
				fmt.Fprintf(w, "Wallet %q watches coldkey %s\n", o.wallet, addr)
				return nil
			}
			kind, hotkey := wallet.Kind(what), o.hotkey
			switch {
			case len(args) != 1:
				return usageError(fmt.Errorf("regen %s takes no address; the mnemonic comes from --mnemonic-file or standard input", what))
			case kind == wallet.Coldkey:
				hotkey = ""
				if noPassword {
					return usageError(fmt.Errorf("--no-password applies to hotkeys only; a coldkey is always encrypted"))
				}
			case kind != wallet.Hotkey:
				return usageError(fmt.Errorf("regen %q: want coldkey, hotkey or coldkeypub", what))
			}
			m, err := readMnemonic(mnemonicFile, in, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			k, err := s.Regen(o.wallet, kind, hotkey, m, wallet.KeyOptions{Overwrite: overwrite, NoPassword: noPassword})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "Restored %s: %s\n", wallet.PasswordRequest{Wallet: o.wallet, Kind: kind, Hotkey: hotkey}, k.Address())
			return nil
		},
	}
	c.Flags().StringVar(&mnemonicFile, "mnemonic-file", "", "read the mnemonic from `FILE` (default: standard input)")
	c.Flags().BoolVar(&noPassword, "no-password", false, "store a restored hotkey unencrypted")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing key (it is lost unless you hold its mnemonic)")
	return c
}

// readMnemonic reads one line of words from path, or from in after a prompt.
// It reads in line by line so the password prompt that follows still sees
// its own lines.
func readMnemonic(path string, in *bufio.Reader, prompt io.Writer) (string, error) {
	br := in
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", usageError(fmt.Errorf("--mnemonic-file: %v", err))
		}
		defer f.Close()
		br = bufio.NewReader(f)
	} else {
		fmt.Fprint(prompt, "Enter the mnemonic (12 or 24 words on one line): ")
	}
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > 4096 {
			return "", usageError(fmt.Errorf("the mnemonic line is too long: want 12 or 24 words"))
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read mnemonic: %w", err)
		}
		break
	}
	if strings.TrimSpace(string(line)) == "" {
		return "", usageError(fmt.Errorf("no mnemonic given: pass --mnemonic-file FILE or type the words on standard input"))
	}
	return string(line), nil
}
