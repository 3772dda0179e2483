package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/tao/node"
)

// TestValidatorKill9 runs a --procs devnet, kills one validator's process
// with SIGKILL in the middle of consensus, and checks that the devnet
// restarts it, that it replays its WAL and catches up, and that no node
// ever sees an equivocation from it.
func TestValidatorKill9(t *testing.T) {
	exe := buildTao(t)
	dir := t.TempDir()
	var out bytes.Buffer
	cmd := exec.Command(exe, "devnet", "--procs", "--validators", "4", "--nodes", "4", "--miners", "0", "--dir", dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	})
	m := awaitManifest(t, dir, &out)
	victim := m.Nodes[2]
	status := func(api string) node.Status {
		st, err := (&node.Client{BaseURL: api}).Status(t.Context())
		if err != nil {
			return node.Status{}
		}
		return st
	}
	waitFor(t, 60*time.Second, "height 5", func() bool { return status(victim.API).Height >= 5 })
	pid := findNodePID(t, victim.DataDir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	before := status(m.Nodes[0].API).Height
	waitFor(t, 90*time.Second, "the killed validator restarted and caught up", func() bool {
		st := status(victim.API)
		return st.Height > before+5 && findNodePIDOr0(victim.DataDir) != pid
	})
	for _, n := range m.Nodes {
		if st := status(n.API); st.Evidence != 0 {
			t.Fatalf("%s saw %d equivocations", n.Name, st.Evidence)
		}
	}
}

func awaitManifest(t *testing.T, dir string, out *bytes.Buffer) node.DevnetManifest {
	t.Helper()
	path := filepath.Join(dir, "devnet.json")
	waitFor(t, 120*time.Second, "devnet.json", func() bool { _, err := os.Stat(path); return err == nil })
	b, _ := os.ReadFile(path)
	var m node.DevnetManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("devnet.json: %v\n%s", err, out.String())
	}
	return m
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// findNodePID finds the `tao node` process serving dataDir through /proc.
func findNodePID(t *testing.T, dataDir string) int {
	t.Helper()
	pid := findNodePIDOr0(dataDir)
	if pid == 0 {
		t.Skip("cannot find node processes through /proc on this system")
	}
	return pid
}

func findNodePIDOr0(dataDir string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "--data-dir" && args[i+1] == dataDir && len(args) > 1 && args[1] == "node" {
				return pid
			}
		}
	}
	return 0
}
