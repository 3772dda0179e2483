package node

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDevnetInProcess(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDevnet(DevnetConfig{Validators: 3, Nodes: 4, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.AwaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "devnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m DevnetManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != 4 || m.Nodes[0].Role != "validator" || m.Nodes[3].Role != "full" || m.Nodes[3].API == "" || m.Nodes[2].PeerID == "" {
		t.Fatalf("manifest = %+v", m)
	}
	st, err := (&Client{BaseURL: m.Nodes[3].API}).Status(ctx)
	if err != nil || st.Peers != 3 || st.PeerID != m.Nodes[3].PeerID || st.Height < 2 {
		t.Fatalf("node3 status %+v, %v", st, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// Keys and the chain persist: a second devnet on the same directory
	// keeps peer IDs and continues from the stored height.
	d2, _ := NewDevnet(DevnetConfig{Validators: 3, Nodes: 4, Dir: dir})
	if err := d2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if got := d2.Manifest().Nodes[2].PeerID; got != m.Nodes[2].PeerID {
		t.Fatalf("restarted devnet node2 is %s, was %s", got, m.Nodes[2].PeerID)
	}
	if err := d2.AwaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		st2, err := (&Client{BaseURL: d2.Manifest().Nodes[3].API}).Status(ctx)
		if err == nil && st2.Height > st.Height+2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("after restart: height %d, was %d (%v)", st2.Height, st.Height, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDevnetRepicksTakenPorts: a node process whose planned port another
// process took (its log says "address already in use") is restarted on
// new ports, and the manifest and its command line follow.
func TestDevnetRepicksTakenPorts(t *testing.T) {
	d, err := NewDevnet(DevnetConfig{Validators: 1, Nodes: 2, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.planNodes(); err != nil {
		t.Fatal(err)
	}
	before := d.Manifest().Nodes[1]
	log := filepath.Join(t.TempDir(), "node.log")
	if err := os.WriteFile(log, []byte(`{"level":"INFO","msg":"starting"}`+"\nerror: listen tcp 127.0.0.1:4001: bind: address already in use\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !logTail(log, "address already in use") || logTail(log, "no such text") {
		t.Fatal("logTail misread the log")
	}
	if err := d.repickPorts(1); err != nil {
		t.Fatal(err)
	}
	after := d.Manifest().Nodes[1]
	if after.API == before.API || after.Addrs[0] == before.Addrs[0] || after.PeerID != before.PeerID {
		t.Fatalf("ports not repicked: %+v → %+v", before, after)
	}
	args := strings.Join(d.procArgs(1), " ")
	if !strings.Contains(args, after.API[len("http://"):]) || strings.Contains(args, before.API[len("http://"):]) {
		t.Fatalf("command line %q does not use the new API address %s", args, after.API)
	}
}
