package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/wallet"
)

// buildTao builds the tao binary once per test binary.
func buildTao(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the tao binary; skipped with -short")
	}
	exe := filepath.Join(t.TempDir(), "tao")
	out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// TestDevnetProcs runs `tao devnet --procs` as a user would: separate OS
// processes, devnet.json for scripts, `tao status` against a node, a
// transfer from the faucet (checkTransferCLI), Ctrl-C.
func TestDevnetProcs(t *testing.T) {
	exe := buildTao(t)
	dir := t.TempDir()
	var out bytes.Buffer
	cmd := exec.Command(exe, "devnet", "--procs", "--validators", "2", "--nodes", "3", "--miners", "0", "--dir", dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	manifest := filepath.Join(dir, "devnet.json")
	deadline := time.Now().Add(90 * time.Second)
	for {
		if _, err := os.Stat(manifest); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no devnet.json after 90 s; output:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(manifest)
	var m node.DevnetManifest
	if err := json.Unmarshal(b, &m); err != nil || len(m.Nodes) != 3 {
		t.Fatalf("devnet.json: %v: %s", err, b)
	}
	st, err := exec.Command(exe, "status", "--json", "--api", m.Nodes[1].API).Output()
	if err != nil {
		t.Fatalf("tao status: %v", err)
	}
	var s node.Status
	if err := json.Unmarshal(st, &s); err != nil || s.Peers != 2 || s.PeerID != m.Nodes[1].PeerID || s.Height < 2 {
		t.Fatalf("status %s: %v", st, err)
	}
	checkTransferCLI(t, exe, m)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("devnet exit: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("devnet did not stop on SIGINT\n%s", out.String())
	}
	for _, n := range m.Nodes {
		if _, err := (&node.Client{BaseURL: n.API}).Status(t.Context()); err == nil {
			t.Fatalf("%s still answers after the devnet stopped", n.Name)
		}
	}
}

// checkTransferCLI sends TAO from the devnet's faucet with `tao transfer`
// as the devnet's banner tells a user to, then follows it with
// `tao balance`, `tao tx` and `tao block`; a transfer of more than the faucet holds
// exits non-zero with the error that names the fix.
func checkTransferCLI(t *testing.T, exe string, m node.DevnetManifest) {
	t.Helper()
	api := m.Nodes[len(m.Nodes)-1].API
	to := wallet.ColdkeyAddress(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x7a}, ed25519.SeedSize)).Public().(ed25519.PublicKey)).String()
	tao := func(args ...string) ([]byte, []byte, error) {
		var stdout, stderr bytes.Buffer
		c := exec.Command(exe, args...)
		c.Stdout, c.Stderr = &stdout, &stderr
		err := c.Run()
		return stdout.Bytes(), stderr.Bytes(), err
	}
	transfer := []string{"transfer", "--home", m.Dir, "--wallet", "devnet", "--password-file", m.PasswordFile, "--api", api, "--to", to}

	out, errOut, err := tao(append(transfer, "--amount", "1.5", "--json", "--timeout", "30s")...)
	var sent node.TxInfo
	if err != nil || json.Unmarshal(out, &sent) != nil || sent.State != ledger.TxCommitted.String() || sent.Height == 0 || sent.ID == "" {
		t.Fatalf("tao transfer: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = tao("balance", to, "--api", api, "--json")
	var acct node.AccountInfo
	if err != nil || json.Unmarshal(out, &acct) != nil || acct.Address != to || acct.Balance != uint64(3*market.RaoPerTAO/2) {
		t.Fatalf("tao balance after sending 1.5 TAO: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = tao("tx", sent.ID, "--api", api)
	var got node.TxInfo
	if err != nil || json.Unmarshal(out, &got) != nil || got.ID != sent.ID || got.State != ledger.TxCommitted.String() || got.Height != sent.Height {
		t.Fatalf("tao tx %s (committed in block %d): %v\n%s%s", sent.ID, sent.Height, err, out, errOut)
	}
	checkBlockCLI(t, tao, api, sent)

	// More than the faucet holds: the node refuses it and the CLI says
	// how much it could send.
	out, errOut, err = tao(append(transfer, "--amount", "100000000", "--timeout", "30s")...)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 || !strings.Contains(string(errOut), "insufficient funds") || !strings.Contains(string(errOut), "send at most ") {
		t.Fatalf("tao transfer --amount 100000000: %v, want a non-zero exit naming the most it can send\n%s%s", err, out, errOut)
	}
}

// checkBlockCLI reads the block that committed sent with `tao block
// HEIGHT --json` (it lists sent, and its certificate names a quorum of
// the devnet's validators) and the tip with `tao block` as text.
func checkBlockCLI(t *testing.T, tao func(...string) ([]byte, []byte, error), api string, sent node.TxInfo) {
	t.Helper()
	out, errOut, err := tao("block", fmt.Sprint(sent.Height), "--api", api, "--json")
	var b node.BlockInfo
	if err != nil || json.Unmarshal(out, &b) != nil || b.Height != sent.Height || !slices.Contains(b.Txs, sent.ID) ||
		b.Commit == nil || !b.Commit.ValidatorsKnown || 3*b.Commit.SignedPower <= 2*b.Commit.TotalPower {
		t.Fatalf("tao block %d (committed %s): %v\n%s%s", sent.Height, sent.ID, err, out, errOut)
	}
	out, errOut, err = tao("block", "--api", api)
	if err != nil || !strings.Contains(string(out), "signed   ") || !strings.Contains(string(out), "of voting power") {
		t.Fatalf("tao block (latest): %v\n%s%s", err, out, errOut)
	}
}
