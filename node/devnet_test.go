package node

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
