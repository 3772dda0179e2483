package node_test

import (
	"context"
	"crypto/ed25519"
	"os"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
)

// TestChainCommitsTransfers: 4 validators and 2 full nodes on real libp2p
// commit blocks with transfers submitted to a non-validator node, and
// every node holds the same chain.
func TestChainCommitsTransfers(t *testing.T) {
	blocks := uint64(100)
	if testing.Short() {
		blocks = 30
	}
	nw := taotest.NewNetwork(t, 6, &taotest.Options{Validators: 4})
	nw.AwaitHeight(t, 2, time.Minute)
	to := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	const n = 20
	var ids []string
	for nonce := range uint64(n) {
		ids = append(ids, nw.MustTransfer(t, 5, nonce, to, market.RaoPerTAO))
	}
	cl := &node.Client{BaseURL: nw.Nodes[2].HTTPURL()}
	deadline := time.Now().Add(time.Minute)
	for _, id := range ids {
		for {
			info, err := cl.Tx(context.Background(), id)
			if err == nil && info.State == ledger.TxCommitted.String() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer %s not committed on a validator: %+v, %v", id, info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	nw.AwaitHeight(t, blocks, 3*time.Minute)
	nw.AssertSameChain(t, blocks)
	acct, _ := ledger.AccountOf(to)
	for i, nd := range nw.Nodes {
		if bal, err := nd.Ledger().Balance(acct); err != nil || bal != n*market.RaoPerTAO {
			t.Fatalf("node %d: balance %s, %v; want %d TAO", i, bal, err, n)
		}
	}
}

// TestLateNodeSyncs: a full node started after the chain has grown fetches
// and verifies every block and reaches the same state.
func TestLateNodeSyncs(t *testing.T) {
	nw := taotest.NewNetwork(t, 4, &taotest.Options{Validators: 4})
	nw.AwaitHeight(t, 20, 2*time.Minute)
	late := nw.Add(t)
	target := nw.Nodes[0].Ledger().Height()
	nw.AwaitHeight(t, target+2, 2*time.Minute)
	if late.Ledger().Height() < target {
		t.Fatalf("late node at %d, chain at %d", late.Ledger().Height(), target)
	}
	nw.AssertSameChain(t, target)
}

// TestValidatorRestartRejoins: a validator stopped and started again on
// the same data directory resumes from its WAL and signing guard, catches
// up, votes again (its precommits are in later commit certificates of the
// other nodes: 3 of 4 equal validators commit without it, so the chain
// moving on shows nothing), never signs two values for one step (every
// gossiped vote and stored certificate is recorded by step: a core's
// evidence counter misses a double sign at a height it has left, and the
// restarted node's starts at zero), and the chain never forks.
func TestValidatorRestartRejoins(t *testing.T) {
	const victim = 2
	nw := taotest.NewNetwork(t, 4, &taotest.Options{Validators: 4, Verbose: os.Getenv("TAO_TEST_VERBOSE") != ""})
	votes := nw.WatchVotes(t)
	nw.AwaitHeight(t, 10, 2*time.Minute)
	nw.Restart(t, victim)
	// The stopped instance signed nothing above its tip + 1, and no node's
	// tip can have been above what any holds now.
	var restarted uint64
	for _, nd := range nw.Nodes {
		restarted = max(restarted, nd.Ledger().Height())
	}
	nw.AwaitSignedBy(t, victim, restarted+1, time.Minute)
	h := nw.Nodes[0].Ledger().Height()
	nw.AwaitHeight(t, h+10, 2*time.Minute)
	nw.AssertSameChain(t, h+10)
	nw.AddCommits(t, votes, 1, h+10)
	votes.AssertNoDoubleSign(t)
	for i, nd := range nw.Nodes {
		if e := nd.Status().Evidence; e != 0 {
			t.Fatalf("node %d saw %d equivocations after a restart", i, e)
		}
	}
}
