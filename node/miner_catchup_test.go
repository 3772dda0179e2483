package node_test

import (
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

// TestMinerWaitsForItsLedger: a miner restarted on a data directory whose
// ledger predates its hotkey's registration starts once the ledger has
// caught up, instead of refusing ("not registered") on the stale height.
// (An unregistered hotkey is refused: TestValidatorRefusesToStart.)
func TestMinerWaitsForItsLedger(t *testing.T) {
	home := t.TempDir()
	_, model, err := node.DefaultModel(home)
	if err != nil {
		t.Fatal(err)
	}
	miner := -1
	nw := taotest.NewNetwork(t, 3, &taotest.Options{Validators: 2, Configure: func(i int, c *node.Config) {
		c.Home = home
		if i == miner {
			c.Miner = &node.MinerConfig{NetUID: 1, Threads: 1}
		}
	}})
	nw.AwaitHeight(t, 2, time.Minute)
	m := &marketNet{t: t, nw: nw, nonces: map[string]uint64{}}
	m.commit(nw.Faucet, &protocols.CreateSubnet{OwnerHotkey: pub(seededKey(0x2f, 0)), Name: "catchup", Task: "text-generation", Model: model.String()})
	nw.AwaitHeight(t, nw.Nodes[0].Ledger().Height(), time.Minute)

	// Node 2 stops; its hotkey is registered while it is down.
	stale := nw.Nodes[2].Ledger().Height()
	if err := nw.Nodes[2].Close(); err != nil {
		t.Fatal(err)
	}
	m.next = 0
	m.commit(nw.Faucet, &protocols.Register{NetUID: 1, Hotkey: pub(nw.Key(t, 2))})
	m.next = 0
	if h := nw.Nodes[0].Ledger().Height(); h <= stale {
		t.Fatalf("registered at height %d, not above node 2's %d", h, stale)
	}
	miner = 2
	nd := nw.Restart(t, 2) // fails the test if the miner refuses to start
	if nd.Miner() == nil {
		t.Fatal("node 2 restarted without its miner")
	}

}
