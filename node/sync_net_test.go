package node_test

import (
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
)

// TestLateNodeBulkSyncs: a full node started hundreds of blocks late on
// real libp2p fetches them through block sync (sync/blocks/1), verifying
// every certificate and re-executing every block, and ends on the same
// chain as the validators.
func TestLateNodeBulkSyncs(t *testing.T) {
	behind := uint64(300)
	if testing.Short() {
		behind = 100
	}
	p := ledger.DevParams()
	p.BlockTimeMs = 1
	nw := taotest.NewNetwork(t, 4, &taotest.Options{Validators: 4, Params: &p})
	nw.AwaitHeight(t, behind, 3*time.Minute)
	late := nw.Add(t)
	target := nw.Nodes[0].Ledger().Height()
	nw.AwaitHeight(t, target+2, 2*time.Minute)
	if h := late.Ledger().Height(); h < target {
		t.Fatalf("late node at %d, chain at %d", h, target)
	}
	nw.AssertSameChain(t, target)
	st := late.SyncStatus()
	if st.Blocks < behind/2 || st.BadPeers != 0 {
		t.Fatalf("block sync applied %d of %d blocks (bad peers %d); the rest came through catch-up", st.Blocks, target, st.BadPeers)
	}
	t.Logf("block sync: %d blocks in %d rounds, %.0f blocks/s", st.Blocks, st.Rounds, st.Rate)
}
