package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/wallet"
)

// cli runs the tao CLI in-process against a home and a node.
type cli struct {
	t        *testing.T
	home, pw string
	api      string
}

// run runs args with stdin and returns the exit status and output.
func (c *cli) run(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := runIO(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// tx runs a command taking the wallet and node flags.
func (c *cli) tx(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	return c.run(stdin, append(args, "--home", c.home, "--wallet", "owner", "--password-file", c.pw, "--api", c.api)...)
}

// ok runs a command that must succeed and returns its standard output.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out, errOut := c.tx("", args...)
	if code != 0 {
		c.t.Fatalf("tao %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// okJSON runs a read-only command with --json and decodes its output.
func (c *cli) okJSON(v any, args ...string) {
	c.t.Helper()
	code, out, errOut := c.run("", append(args, "--json", "--api", c.api)...)
	if code != 0 {
		c.t.Fatalf("tao %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("tao %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestMarketCLI: against one validator node, a wallet creates a subnet,
// registers a validator and two miners, stakes, commits and reveals
// weights, then sets them directly, and the metagraph shows all of it
// after an epoch; prompts, delegate, stake list and remove work, and the
// node's errors reach the user as they are.
func TestMarketCLI(t *testing.T) {
	t.Setenv("TAO_PASSWORD", "")
	nw := taotest.NewNetwork(t, 1, &taotest.Options{Validators: 1})
	nw.AwaitHeight(t, 1, time.Minute)
	c := &cli{t: t, home: t.TempDir(), pw: filepath.Join(t.TempDir(), "pw"), api: nw.Nodes[0].HTTPURL()}
	if err := os.WriteFile(c.pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	walletFlags := []string{"--home", c.home, "--wallet", "owner", "--password-file", c.pw, "--no-password"}
	if code, _, e := c.run("", append([]string{"wallet", "create"}, walletFlags...)...); code != 0 {
		t.Fatalf("wallet create: %s", e)
	}
	for _, h := range []string{"val", "miner1", "miner2"} {
		if code, _, e := c.run("", append([]string{"wallet", "new-hotkey", "--hotkey", h}, walletFlags...)...); code != 0 {
			t.Fatalf("new-hotkey %s: %s", h, e)
		}
	}
	st := &wallet.Store{Home: c.home}
	cold, err := st.ColdkeyPub("owner")
	if err != nil {
		t.Fatal(err)
	}
	id := nw.MustTransfer(t, 0, 0, cold.PublicKey(), 10_000*market.RaoPerTAO)
	if _, err := awaitTx(ctxTimeout(t), &node.Client{BaseURL: c.api}, id); err != nil {
		t.Fatal(err)
	}

	if out := c.ok("subnet", "create", "--hotkey", "default", "--name", "text", "--yes"); !strings.Contains(out, "created subnet 1") {
		t.Fatalf("subnet create: %s", out)
	}
	for i, h := range []string{"val", "miner1", "miner2"} {
		out := c.ok("register", "--netuid", "1", "--hotkey", h, "--yes")
		if want := "as uid " + string(rune('1'+i)); !strings.Contains(out, want) {
			t.Fatalf("register %s: %q lacks %q", h, out, want)
		}
	}
	// The prompt shows the price impact; declining sends nothing.
	code, _, errOut := c.tx("n\n", "stake", "add", "--netuid", "1", "--hotkey", "val", "--amount", "100")
	if code != 1 || !strings.Contains(errOut, "TAO/alpha (+") || !strings.Contains(errOut, "aborted") {
		t.Fatalf("declined stake: exit %d\n%s", code, errOut)
	}
	c.ok("stake", "add", "--netuid", "1", "--hotkey", "val", "--amount", "100", "--yes")
	valPub, err := st.ExportPub("owner", wallet.Hotkey, "val")
	if err != nil {
		t.Fatal(err)
	}
	var stakes []StakeRow
	c.okJSON(&stakes, "stake", "list", cold.String())
	found := false
	for _, s := range stakes { // the owner hotkey may hold the owner cut too
		found = found || s.Hotkey.String() == valPub.PubKey && s.NetUID == 1 && s.Alpha > 0 && s.Value > 0
	}
	if !found {
		t.Fatalf("stake list: no stake on the validator's hotkey %s: %+v", valPub.PubKey, stakes)
	}

	// Commit-reveal is on in the dev preset: set is refused with the fix,
	// commit saves the salt, reveal waits for its block.
	code, _, errOut = c.tx("", "weights", "set", "--netuid", "1", "--hotkey", "val", "--uids", "2,3", "--weights", "1,3")
	if code == 0 || !strings.Contains(errOut, "tao weights commit") {
		t.Fatalf("weights set under commit-reveal: exit %d %s", code, errOut)
	}
	if out := c.ok("weights", "commit", "--netuid", "1", "--hotkey", "val", "--uids", "3,2", "--weights", "3,1"); !strings.Contains(out, "reveal from block") {
		t.Fatalf("weights commit: %s", out)
	}
	c.ok("weights", "reveal", "--netuid", "1", "--hotkey", "val", "--wait")
	if _, err := os.Stat(filepath.Join(c.home, "wallets", "owner", "weights", "val-1.json")); !os.IsNotExist(err) {
		t.Errorf("the commit file outlived its reveal: %v", err)
	}
	val := metagraphNeuron(t, c, 1)
	if want := [][2]uint16{{2, 21845}, {3, 65535}}; len(val.Weights) != 2 || val.Weights[0] != want[0] || val.Weights[1] != want[1] {
		t.Fatalf("revealed weights %v, want %v", val.Weights, want)
	}

	c.ok("subnet", "set", "1", "commit_reveal", "false")
	var params struct {
		Hyper ledger.SubnetHyper `json:"hyperparameters"`
	}
	c.okJSON(&params, "subnet", "params", "1")
	if params.Hyper.CommitReveal {
		t.Fatal("commit_reveal still on")
	}
	c.ok("weights", "set", "--netuid", "1", "--hotkey", "val", "--uids", "3,2", "--weights", "0.75,0.25")

	// An epoch pays the miners by the weights.
	var m ledger.Metagraph
	epoch := uint64(0)
	c.okJSON(&m, "metagraph", "1")
	epoch = m.Subnet.EpochIndex
	deadline := time.Now().Add(time.Minute)
	for m.Subnet.EpochIndex < epoch+2 {
		if time.Now().After(deadline) {
			t.Fatalf("no epoch in a minute: %+v", m.Subnet)
		}
		time.Sleep(200 * time.Millisecond)
		c.okJSON(&m, "metagraph", "1")
	}
	if len(m.Neurons) != 4 || m.Neurons[1].Stake == 0 || len(m.Neurons[1].Weights) != 2 {
		t.Fatalf("metagraph neurons %+v", m.Neurons)
	}
	if m.Neurons[3].Incentive <= m.Neurons[2].Incentive || !m.Neurons[1].Permit || m.Neurons[1].Dividends == 0 {
		t.Errorf("after an epoch: miner incentives %d, %d; validator permit %v dividends %d",
			m.Neurons[2].Incentive, m.Neurons[3].Incentive, m.Neurons[1].Permit, m.Neurons[1].Dividends)
	}
	code, table, errOut := c.run("", "metagraph", "1", "--api", c.api)
	if code != 0 || !strings.Contains(table, "CONSENSUS") || !strings.Contains(table, m.Neurons[1].Hotkey.String()[:10]) ||
		!strings.Contains(table, frac(m.Neurons[3].Incentive)) {
		t.Fatalf("metagraph table: exit %d %s\n%s", code, errOut, table)
	}

	t.Logf("tao metagraph 1:\n%s", table)
	// Delegate to the validator's hotkey by hex, then unstake part.
	hk := m.Neurons[1].Hotkey.String()
	code, _, errOut = c.tx("y\n", "delegate", hk, "--netuid", "1", "--amount", "5")
	if code != 0 || !strings.Contains(errOut, "delegate take   18.00%") {
		t.Fatalf("delegate: exit %d\n%s", code, errOut)
	}
	c.ok("stake", "remove", "--netuid", "1", "--hotkey", "val", "--amount", "1", "--yes")
	code, _, errOut = c.tx("yes\n", "stake", "move", "--netuid", "1", "--hotkey", "val", "--to-hotkey", "default", "--amount", "1")
	if code != 0 || !strings.Contains(errOut, "the stake moves as it is") {
		t.Fatalf("stake move within the subnet: exit %d\n%s", code, errOut)
	}
	c.ok("stake", "move", "--netuid", "1", "--hotkey", "val", "--to-netuid", "0", "--amount", "1", "--yes")
	c.okJSON(&stakes, "stake", "list", cold.String())
	if !slices.ContainsFunc(stakes, func(s StakeRow) bool { return s.NetUID == 0 && s.Alpha > 0 && s.Value == s.Alpha }) {
		t.Fatalf("no root stake after a move to netuid 0: %+v", stakes)
	}
	for _, args := range [][]string{{"subnet", "list"}, {"subnet", "show", "1"}, {"subnet", "params", "1"}, {"stake", "list", cold.String()}} {
		code, out, errOut := c.run("", append(args, "--api", c.api)...)
		if code != 0 || !strings.Contains(out, "text") && !strings.Contains(out, valPub.PubKey) {
			t.Fatalf("tao %s: exit %d %s\n%s", strings.Join(args, " "), code, errOut, out)
		}
	}
	code, _, errOut = c.tx("", "stake", "remove", "--netuid", "1", "--hotkey", "miner1", "--all", "--yes")
	if code == 0 || !strings.Contains(errOut, "tao stake list") {
		t.Fatalf("remove without stake: exit %d %s", code, errOut)
	}
	code, _, errOut = c.run("", "metagraph", "9", "--api", c.api)
	if code != 1 || !strings.Contains(errOut, "tao subnet list") {
		t.Fatalf("unknown subnet: exit %d %s", code, errOut)
	}

	// The validator's hotkey, now with root stake, becomes a consensus
	// candidate and enters the validator set at the next tempo boundary
	// (with 1 TAO of power beside the node's 1,000 the chain goes on).
	c.ok("consensus", "join", "--hotkey", "val")
	deadline = time.Now().Add(time.Minute)
	for {
		var vs []ledger.Validator
		if err := getJSON(c.api+"/validators", &vs); err == nil && len(vs) == 2 &&
			slices.ContainsFunc(vs, func(v ledger.Validator) bool { return v.Hotkey.String() == valPub.PubKey }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the joined hotkey is not in the validator set after a minute")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// getJSON fetches url and decodes its JSON body.
func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// metagraphNeuron returns uid's neuron of subnet 1.
func metagraphNeuron(t *testing.T, c *cli, uid int) ledger.NeuronInfo {
	t.Helper()
	var m ledger.Metagraph
	c.okJSON(&m, "metagraph", "1")
	if uid >= len(m.Neurons) {
		t.Fatalf("no uid %d in %+v", uid, m.Neurons)
	}
	return m.Neurons[uid]
}
