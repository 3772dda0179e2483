package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/p2p"
)

// TestValidatorKill9 runs a --procs devnet, kills one validator's process
// with SIGKILL in the middle of consensus, and checks that the devnet
// restarts it, that it replays its WAL, catches up and votes again, and
// that it never signs two values for one step. A host in the test records
// every vote gossiped, before the kill and after: a node's evidence
// counter would miss a double sign at the height the victim died at (the
// cores have left it) and the victim's own counter starts again at zero.
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
	victimKey := pubKeyOf(t, victim.PeerID)
	votes := taotest.NewVotes(t, m.Network)
	votes.Watch(t, "the test's host", watchHost(t, m))
	status := func(api string) node.Status {
		st, err := (&node.Client{BaseURL: api}).Status(t.Context())
		if err != nil {
			return node.Status{}
		}
		return st
	}
	waitFor(t, 60*time.Second, "height 5 and the victim's votes", func() bool {
		return status(victim.API).Height >= 5 && votes.SignedAbove(victimKey, 0)
	})
	pid := findNodePID(t, victim.DataDir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var before uint64
	for _, n := range m.Nodes {
		before = max(before, status(n.API).Height)
	}
	var caughtUp uint64
	waitFor(t, 90*time.Second, "the killed validator restarted and caught up", func() bool {
		st := status(victim.API)
		caughtUp = st.Height
		return st.Height > before+5 && findNodePIDOr0(victim.DataDir) != pid
	})
	// The killed process signed nothing above its tip + 1, at most one
	// block ahead of the others' when it died.
	waitFor(t, 30*time.Second, "the restarted validator's votes", func() bool { return votes.SignedAbove(victimKey, before+2) })
	// Its votes count: another node's certificate of a block above the
	// height the restarted process had caught up to holds its precommit.
	// With four equal powers the other three are a quorum, so the chain
	// moving on alone would not show it.
	h := awaitCertifiedBy(t, m, victim.PeerID, caughtUp, 60*time.Second)
	t.Logf("the restarted validator's precommit is in the certificate of block %d (restarted and caught up at %d)", h, caughtUp)
	votes.AssertNoDoubleSign(t)
	for _, n := range m.Nodes {
		if st := status(n.API); st.Evidence != 0 {
			t.Fatalf("%s saw %d equivocations", n.Name, st.Evidence)
		}
	}
}

// awaitCertifiedBy waits until a devnet node other than signer serves
// (GET /block/{h}) a commit certificate of a height above after whose
// signers include signer (a peer ID), and returns that height.
func awaitCertifiedBy(t *testing.T, m node.DevnetManifest, signer string, after uint64, d time.Duration) uint64 {
	t.Helper()
	next := map[string]uint64{} // per node API, the next height to read
	var found uint64
	waitFor(t, d, fmt.Sprintf("a certificate above height %d holding %s's precommit", after, signer), func() bool {
		for _, n := range m.Nodes {
			if n.PeerID == signer {
				continue
			}
			cl := &node.Client{BaseURL: n.API}
			next[n.API] = max(next[n.API], after+1)
			for {
				b, err := cl.Block(t.Context(), fmt.Sprint(next[n.API]))
				if err != nil {
					break // not committed there yet (or the node is busy)
				}
				next[n.API]++
				if b.Commit == nil {
					continue
				}
				for _, s := range b.Commit.Signers {
					if s.PeerID == signer {
						found = b.Height
						return true
					}
				}
			}
		}
		return false
	})
	return found
}

// watchHost starts a bare p2p host bootstrapped from every devnet node.
func watchHost(t *testing.T, m node.DevnetManifest) *p2p.Host {
	t.Helper()
	var addrs []string
	for _, n := range m.Nodes {
		addrs = append(addrs, n.Addrs...)
	}
	boot, err := p2p.ParseAddrInfos(addrs)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, err := p2p.New(p2p.Config{ChainID: m.Network, PrivKey: key, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Bootstrap: boot})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// pubKeyOf returns the ed25519 hotkey a peer ID embeds.
func pubKeyOf(t *testing.T, id string) []byte {
	t.Helper()
	p, err := peer.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := p.ExtractPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := pk.Raw()
	if err != nil {
		t.Fatal(err)
	}
	return raw
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
