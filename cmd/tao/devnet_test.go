package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/tao/node"
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
// processes, devnet.json for scripts, `tao status` against a node, Ctrl-C.
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
