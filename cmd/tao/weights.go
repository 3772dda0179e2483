package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/wallet"
)

func newWeightsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "weights",
		Short: "Set a validator's weights on a subnet's miners, directly or by commit-reveal",
		Long: `A validator scores the miners of a subnet by weights, signed with its
hotkey (the fee is paid by the hotkey's owner coldkey). Subnets with
commit_reveal on take a hash first (tao weights commit) and the weights
themselves a reveal period later (tao weights reveal); the others take them
directly (tao weights set).

Weights are any non-negative numbers, one per uid; they are scaled so the
largest is 65535, as the chain stores them.`,
	}
	c.AddCommand(newWeightsSetCmd(), newWeightsCommitCmd(), newWeightsRevealCmd())
	return c
}

// weightsFlags are the flags of weights set and commit.
type weightsFlags struct {
	txOpts
	hotkey, uids, weights string
	netuid                uint16
	version               int64
}

func (f *weightsFlags) register(fs *pflag.FlagSet, vector bool) {
	f.txOpts.register(fs)
	fs.StringVar(&f.hotkey, "hotkey", wallet.DefaultHotkey, "the validator's hotkey `NAME` in the wallet (it signs)")
	fs.Uint16Var(&f.netuid, "netuid", 0, "subnet `NETUID`")
	if vector {
		fs.StringVar(&f.uids, "uids", "", "comma-separated `UIDS`, e.g. 1,2,3")
		fs.StringVar(&f.weights, "weights", "", "comma-separated `WEIGHTS`, one per uid, e.g. 0.2,0.3,0.5")
		fs.Int64Var(&f.version, "version-key", -1, "version key (default: the subnet's weights_version)")
	}
}

// parseWeights reads --uids and --weights into the vector a transaction
// carries: uids ascending (the ledger wants them sorted), values scaled
// so the largest is 65 535.
func parseWeights(uidsArg, weightsArg string) (uids, values []uint16, err error) {
	us, ws := splitList(uidsArg), splitList(weightsArg)
	if len(us) == 0 || len(us) != len(ws) {
		return nil, nil, usageError(fmt.Errorf("--uids has %d entries and --weights %d; give one weight per uid", len(us), len(ws)))
	}
	type pair struct {
		uid uint16
		w   float64
	}
	ps := make([]pair, len(us))
	top := 0.0
	for i := range us {
		u, err := strconv.ParseUint(us[i], 10, 16)
		if err != nil || u > protocols.MaxUID {
			return nil, nil, usageError(fmt.Errorf("--uids: %q is not a uid (0..%d)", us[i], protocols.MaxUID))
		}
		w, err := strconv.ParseFloat(ws[i], 64)
		if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
			return nil, nil, usageError(fmt.Errorf("--weights: %q is not a non-negative number", ws[i]))
		}
		ps[i] = pair{uint16(u), w}
		top = max(top, w)
	}
	if top == 0 {
		return nil, nil, usageError(fmt.Errorf("--weights: every weight is zero; give at least one positive weight"))
	}
	slices.SortFunc(ps, func(a, b pair) int { return int(a.uid) - int(b.uid) })
	for i, p := range ps {
		if i > 0 && p.uid == ps[i-1].uid {
			return nil, nil, usageError(fmt.Errorf("--uids: uid %d appears twice; give each uid once", p.uid))
		}
		uids = append(uids, p.uid)
		values = append(values, uint16(math.Round(p.w/top*65535)))
	}
	return uids, values, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// prepare parses the vector, unlocks the hotkey and reads the subnet.
func (f *weightsFlags) prepare(cmd *cobra.Command) (key *wallet.Key, s ledger.SubnetInfo, uids, values []uint16, version uint64, err error) {
	if uids, values, err = parseWeights(f.uids, f.weights); err != nil {
		return
	}
	if s, err = findSubnet(cmd.Context(), f.client(), f.netuid); err != nil {
		return
	}
	version = s.Hyper.WeightsVersion
	if f.version >= 0 {
		version = uint64(f.version)
	}
	key, err = f.hotkeyKey(cmd)
	return
}

// hotkeyKey unlocks the signing hotkey.
func (f *weightsFlags) hotkeyKey(cmd *cobra.Command) (*wallet.Key, error) {
	f.walletOpts.hotkey = f.hotkey
	st, _, err := f.store(cmd)
	if err != nil {
		return nil, err
	}
	return st.Hotkey(f.wallet, f.hotkey)
}

func newWeightsSetCmd() *cobra.Command {
	var f weightsFlags
	c := &cobra.Command{
		Use:     "set --netuid N --uids 1,2,3 --weights 1,2,3",
		Short:   "Set weights directly (subnets without commit-reveal)",
		Example: `  tao weights set --netuid 1 --hotkey validator --uids 1,2,3 --weights 0.2,0.3,0.5`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, _, uids, values, version, err := f.prepare(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			info, err := f.send(ctx, key, &protocols.SetWeights{NetUID: f.netuid, UIDs: uids, Values: values, VersionKey: version})
			if err != nil {
				return err
			}
			return f.printTx(cmd.OutOrStdout(), info, fmt.Sprintf("set %d weights on subnet %d: %s", len(uids), f.netuid, formatVector(uids, values)))
		},
	}
	f.register(c.Flags(), true)
	_ = c.MarkFlagRequired("netuid")
	return c
}

func formatVector(uids, values []uint16) string {
	parts := make([]string, len(uids))
	for i := range uids {
		parts[i] = fmt.Sprintf("%d:%s", uids[i], frac(values[i]))
	}
	return strings.Join(parts, " ")
}

// WeightsCommit is the file `tao weights commit` writes under the wallet
// (weights/<hotkey>-<netuid>.json) so that `tao weights reveal` can send
// exactly what was committed. A newer commit replaces it, as on the
// chain.
type WeightsCommit struct {
	NetUID       uint16        `json:"netuid"`
	Hotkey       string        `json:"hotkey"`        // its name in the wallet
	HotkeyKey    ledger.Hotkey `json:"hotkey_pubkey"` // hex
	UIDs         []uint16      `json:"uids"`
	Values       []uint16      `json:"values"`
	Salt         string        `json:"salt"` // hex
	VersionKey   uint64        `json:"version_key"`
	Tx           string        `json:"tx,omitempty"`           // the commit transaction
	CommitBlock  uint64        `json:"commit_block,omitempty"` // 0 until known
	RevealPeriod uint64        `json:"reveal_period"`
	RevealFrom   uint64        `json:"reveal_from,omitempty"`   // first block a reveal may be in
	RevealBefore uint64        `json:"reveal_before,omitempty"` // the commit expires then
}

func (w *WeightsCommit) setBlock(b uint64) {
	w.CommitBlock, w.RevealFrom, w.RevealBefore = b, b+w.RevealPeriod, b+2*w.RevealPeriod
}

func commitPath(home, walletName, hotkey string, netuid uint16) (string, error) {
	dir, err := (&wallet.Store{Home: home}).WalletDir(walletName)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "weights", fmt.Sprintf("%s-%d.json", hotkey, netuid)), nil
}

func writeCommit(path string, c *WeightsCommit) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save the weights commit: %w", err)
	}
	return os.Rename(tmp, path)
}

func newWeightsCommitCmd() *cobra.Command {
	var f weightsFlags
	c := &cobra.Command{
		Use:   "commit --netuid N --uids 1,2,3 --weights 1,2,3",
		Short: "Commit a hash of weights (subnets with commit-reveal); reveal them later with `tao weights reveal`",
		Long: `Commit a hash of the weights and a random salt. The weights and the salt
are saved under the wallet (weights/<hotkey>-<netuid>.json) for
tao weights reveal, which may be sent from the block printed here until the
commit expires one reveal period later.`,
		Example: `  tao weights commit --netuid 1 --hotkey validator --uids 1,2,3 --weights 0.2,0.3,0.5`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, s, uids, values, version, err := f.prepare(cmd)
			if err != nil {
				return err
			}
			salt := make([]byte, 32)
			if _, err := rand.Read(salt); err != nil {
				return err
			}
			path, err := commitPath(f.home, f.wallet, f.hotkey, f.netuid)
			if err != nil {
				return err
			}
			hk, _ := ledger.AccountOf(key.Public())
			wc := &WeightsCommit{NetUID: f.netuid, Hotkey: f.hotkey, HotkeyKey: ledger.Hotkey(hk), UIDs: uids, Values: values,
				Salt: hex.EncodeToString(salt), VersionKey: version, RevealPeriod: s.Hyper.RevealPeriod}
			// Saved before sending: a commit on the chain whose salt is lost
			// could never be revealed.
			if err := writeCommit(path, wc); err != nil {
				return err
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			hash := protocols.WeightsCommitHash(key.Public(), f.netuid, uids, values, salt, version)
			info, err := f.send(ctx, key, &protocols.CommitWeights{NetUID: f.netuid, Hash: hash})
			if info.ID != "" {
				wc.Tx = info.ID
			}
			if info.Height > 0 {
				wc.setBlock(info.Height)
			}
			if werr := writeCommit(path, wc); err == nil {
				err = werr
			}
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(cmd.OutOrStdout(), struct {
					Tx     any            `json:"tx"`
					File   string         `json:"file"`
					Commit *WeightsCommit `json:"commit"`
				}{info, path, wc})
			}
			did := fmt.Sprintf("committed %d weights on subnet %d (saved in %s)", len(uids), f.netuid, path)
			if wc.RevealFrom > 0 {
				did += fmt.Sprintf("\nreveal from block %d, before block %d: tao weights reveal --netuid %d --hotkey %s", wc.RevealFrom, wc.RevealBefore, f.netuid, f.hotkey)
			} else {
				did += fmt.Sprintf("\nreveal %d blocks after the commit's block: tao weights reveal --netuid %d --hotkey %s", wc.RevealPeriod, f.netuid, f.hotkey)
			}
			return f.printTx(cmd.OutOrStdout(), info, did)
		},
	}
	f.register(c.Flags(), true)
	_ = c.MarkFlagRequired("netuid")
	return c
}

func newWeightsRevealCmd() *cobra.Command {
	var (
		f    weightsFlags
		wait bool
	)
	c := &cobra.Command{
		Use:   "reveal --netuid N",
		Short: "Reveal the weights committed with `tao weights commit`",
		Long: `Reveal the weights saved by tao weights commit for this hotkey and subnet.
Before the reveal block it says which block to wait for; with --wait it waits
(within --timeout). After a successful reveal the saved file is removed.`,
		Example: `  tao weights reveal --netuid 1 --hotkey validator --wait`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := commitPath(f.home, f.wallet, f.hotkey, f.netuid)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no saved commit of hotkey %q on subnet %d (%s); commit first with `tao weights commit`", f.hotkey, f.netuid, path)
			}
			if err != nil {
				return err
			}
			var wc WeightsCommit
			if err := json.Unmarshal(b, &wc); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			salt, err := hex.DecodeString(wc.Salt)
			if err != nil {
				return fmt.Errorf("%s: salt: %w", path, err)
			}
			ctx, cancel := f.context(cmd)
			defer cancel()
			cl := f.client()
			if wc.CommitBlock == 0 && wc.Tx != "" {
				if t, err := cl.Tx(ctx, wc.Tx); err == nil && t.Height > 0 {
					wc.setBlock(t.Height)
					_ = writeCommit(path, &wc)
				}
			}
			if wc.CommitBlock == 0 {
				return fmt.Errorf("the commit %s is not in a block yet; check it with `tao tx %s`", wc.Tx, wc.Tx)
			}
			for {
				st, err := cl.Status(ctx)
				if err != nil {
					return err
				}
				if st.Height+1 >= wc.RevealFrom { // the reveal goes into the next block at the earliest
					break
				}
				if !wait {
					return fmt.Errorf("the commit of block %d can be revealed from block %d (now %d); run again then, or pass --wait", wc.CommitBlock, wc.RevealFrom, st.Height)
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("waiting for block %d: %w", wc.RevealFrom, ctx.Err())
				case <-time.After(100 * time.Millisecond):
				}
			}
			key, err := f.hotkeyKey(cmd)
			if err != nil {
				return err
			}
			info, err := f.send(ctx, key, &protocols.RevealWeights{NetUID: f.netuid, UIDs: wc.UIDs, Values: wc.Values, Salt: salt, VersionKey: wc.VersionKey})
			if err != nil {
				return err
			}
			if info.State == "committed" {
				_ = os.Remove(path)
			}
			return f.printTx(cmd.OutOrStdout(), info, fmt.Sprintf("revealed %d weights on subnet %d: %s", len(wc.UIDs), f.netuid, formatVector(wc.UIDs, wc.Values)))
		},
	}
	f.register(c.Flags(), false)
	c.Flags().BoolVar(&wait, "wait", false, "wait for the reveal block instead of failing before it")
	_ = c.MarkFlagRequired("netuid")
	return c
}
