package node

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestMinerOffChainSubnetWarns: a miner on a chain node whose subnet the
// chain lacks starts (an off-chain subnet is allowed) but says at start
// that it earns nothing there and how to mine on the chain.
func TestMinerOffChainSubnetWarns(t *testing.T) {
	home := t.TempDir()
	d := plannedDevnet(t, DevnetConfig{Validators: 2, Nodes: 2, Miners: 1, Dir: t.TempDir(), Home: home})
	var logs lockedBuffer
	n, err := New(Config{Home: home, DataDir: t.TempDir(), PrivKey: d.keys[1], Genesis: d.genesis, HTTPAddr: "off", NoMDNS: true,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Miner: &MinerConfig{NetUID: 9, Engine: newLazyMinerEngine(t, home), Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.Start(t.Context()); err != nil {
		t.Fatalf("start: %v", err)
	}
	if out := logs.String(); !strings.Contains(out, "not on this node's chain") || !strings.Contains(out, "tao subnet list") {
		t.Fatalf("no off-chain warning in the logs:\n%s", out)
	}
}
