package node_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

// TestLateNodeBulkSyncs: a full node started hundreds of blocks late on
// real libp2p fetches them through block sync (sync/blocks/1), verifying
// every certificate and re-executing every block, and ends on the same
// chain as the validators; GET /status says syncing meanwhile, and then
// matches its stored tip.
func TestLateNodeBulkSyncs(t *testing.T) {
	behind := uint64(300)
	if testing.Short() {
		behind = 100
	}
	p := ledger.DevParams()
	p.BlockTimeMs = 1
	// The late node (index 4) replays blocks rather than restoring a
	// snapshot (TestFreshNodeRestoresSnapshot).
	nw := taotest.NewNetwork(t, 4, &taotest.Options{Validators: 4, Params: &p, Configure: func(i int, c *node.Config) {
		if i == 4 {
			c.Sync = node.SyncBlocks
		}
	}})
	nw.AwaitHeight(t, behind, 3*time.Minute)
	late := nw.Add(t)
	// GET /status says syncing while the node catches up: polled from
	// its start, it says so before the node has reached the chain.
	sawSyncing := watchSyncing(late)
	target := nw.Nodes[0].Ledger().Height()
	nw.AwaitHeight(t, target+2, 2*time.Minute)
	if !sawSyncing() {
		t.Error("GET /status never said syncing while the late node caught up")
	}
	if h := late.Ledger().Height(); h < target {
		t.Fatalf("late node at %d, chain at %d", h, target)
	}
	nw.AssertSameChain(t, target)
	st := late.SyncStatus()
	if st.Blocks < behind/2 || st.BadPeers != 0 {
		t.Fatalf("block sync applied %d of %d blocks (bad peers %d); the rest came through catch-up", st.Blocks, target, st.BadPeers)
	}
	t.Logf("block sync: %d blocks in %d rounds, %.0f blocks/s", st.Blocks, st.Rounds, st.Rate)
	// Operators see it in GET /status and /metrics.
	api, err := (&node.Client{BaseURL: late.HTTPURL()}).Status(context.Background())
	if err != nil || api.Sync.Blocks < st.Blocks {
		t.Fatalf("GET /status sync %+v, %v", api.Sync, err)
	}
	checkStatus(t, late)
	resp, err := http.Get(late.HTTPURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "tao_sync_blocks_total ") {
		t.Fatal("/metrics lacks tao_sync_blocks_total")
	}
}

// TestFreshNodeRestoresSnapshot: a fresh full node whose peers are
// several snapshot intervals ahead restores the latest snapshot over
// sync/snapshot/1 (verified against the certified block's state root),
// fetches the blocks after it, and ends on the same chain; blocks below
// the snapshot are not in its store.
func TestFreshNodeRestoresSnapshot(t *testing.T) {
	p := ledger.DevParams()
	p.BlockTimeMs = 1
	p.SnapshotInterval = 40
	nw := taotest.NewNetwork(t, 4, &taotest.Options{Validators: 4, Params: &p, Verbose: os.Getenv("TAO_TEST_VERBOSE") != ""})
	nw.AwaitHeight(t, 3*p.SnapshotInterval+30, 3*time.Minute)
	late := nw.Add(t)
	// GET /status says syncing while the node catches up: polled from
	// its start, it says so before the node has reached the chain.
	sawSyncing := watchSyncing(late)
	target := nw.Nodes[0].Ledger().Height()
	nw.AwaitHeight(t, target+2, 2*time.Minute)
	if !sawSyncing() {
		t.Error("GET /status never said syncing while the late node caught up")
	}
	st := late.SyncStatus()
	for h := st.Snapshot + 1; h <= target; h++ {
		want, _, err := nw.Nodes[0].Ledger().Block(h)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := late.Ledger().Block(h)
		if err != nil || !bytes.Equal(got.Header.StateRoot, want.Header.StateRoot) {
			t.Fatalf("restored node's block %d differs or is missing (%v)", h, err)
		}
	}
	if st.Snapshot < 2*p.SnapshotInterval || st.Snapshot%p.SnapshotInterval != 0 {
		t.Fatalf("restored snapshot at %d, want a multiple of %d above %d", st.Snapshot, p.SnapshotInterval, 2*p.SnapshotInterval)
	}
	if _, _, err := late.Ledger().Block(1); !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("block 1 on the restored node: %v, want ErrNotFound", err)
	}
	t.Logf("restored snapshot %d, then %d blocks by block sync", st.Snapshot, st.Blocks)
}

// TestSnapshotSyncAfterSetChange: once the validator set has changed, a
// fresh node still restores a snapshot: its block is committed by the new
// set, which the peer names, and the genesis validators among the signers
// hold more than a third of the genesis power.
func TestSnapshotSyncAfterSetChange(t *testing.T) {
	p := ledger.DevParams()
	p.SnapshotInterval = 10
	nw := taotest.NewNetwork(t, 5, &taotest.Options{Validators: 4, Accounts: 2, Params: &p})
	joinedAt := joinValidatorSet(t, nw)
	l0 := nw.Nodes[0].Ledger()
	// A snapshot whose block the new set committed (it commits from
	// joinedAt+1), two intervals up at least.
	nw.AwaitHeight(t, max(joinedAt+p.SnapshotInterval+2, 2*p.SnapshotInterval+2), time.Minute)
	late := nw.Add(t)
	target := l0.Height()
	nw.AwaitHeight(t, target+2, time.Minute)
	st := late.SyncStatus()
	if st.Snapshot <= joinedAt {
		t.Fatalf("restored snapshot at %d, want one above %d, where the set changed", st.Snapshot, joinedAt)
	}
	b, _, err := l0.Block(st.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	gh, _ := ledger.ValidatorSet(nw.Genesis.Validators).Hash()
	if bytes.Equal(b.Header.ValidatorsHash, gh) {
		t.Fatalf("snapshot block %d was committed by the genesis set", st.Snapshot)
	}
	for h := st.Snapshot + 1; h <= target; h++ {
		want, _, err := l0.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := late.Ledger().Block(h)
		if err != nil || !bytes.Equal(got.Header.StateRoot, want.Header.StateRoot) {
			t.Fatalf("restored node's block %d differs or is missing (%v)", h, err)
		}
	}
	lv, _ := late.Ledger().Validators()
	want, _ := l0.Validators()
	if len(lv) != len(want) {
		t.Fatalf("restored node has %d validators, want %d", len(lv), len(want))
	}
	t.Logf("set changed at %d; restored snapshot %d, then %d blocks by block sync", joinedAt, st.Snapshot, st.Blocks)
}

// watchSyncing polls n's GET /status every 5 ms from now on; the function
// it returns stops the polling and reports whether any answer said
// syncing.
func watchSyncing(n *node.Node) func() bool {
	stop, saw := make(chan struct{}), make(chan bool, 1)
	go func() {
		cl := &node.Client{BaseURL: n.HTTPURL()}
		for {
			if st, err := cl.Status(context.Background()); err == nil && st.Syncing {
				saw <- true
				return
			}
			select {
			case <-stop:
				saw <- false
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() bool { close(stop); return <-saw }
}
