package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

// TestResubmittedTxGossipedAgain: gossip names a message by its bytes, so
// a transaction submitted again while the node still holds it would not
// travel again; the node sends it as a numbered batch of one instead, so
// peers that missed it or set it aside get another chance.
func TestResubmittedTxGossipedAgain(t *testing.T) {
	p := ledger.DevParams()
	p.BlockTimeMs = 3_000 // no block takes the transaction between the submissions
	nw := taotest.NewNetwork(t, 2, &taotest.Options{Validators: 1, Params: &p, Accounts: 2})
	nw.AwaitHeight(t, 1, time.Minute)
	h := nw.Nodes[1].Host()
	topic, err := h.Join(protocols.TxBatchTopic(h.ChainID()), nil) // the node's own topic
	if err != nil {
		t.Fatal(err)
	}
	sub, err := topic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	to := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	tx := nw.TransferFrom(t, 1, 0, to, 1)
	cl := &node.Client{BaseURL: nw.Nodes[0].HTTPURL()}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 2 {
		info, err := cl.SubmitTx(ctx, tx)
		if err != nil || info.State != ledger.TxPending.String() {
			t.Fatalf("submission %d: %+v, %v", i, info, err)
		}
	}
	m, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("the resubmitted transaction was not gossiped again: %v", err)
	}
	_, raw, err := protocols.DecodeTxBatchGossip(m.Data)
	if err != nil || len(raw) != 1 || !bytes.Equal(raw[0], tx) {
		t.Fatalf("gossiped %d transactions (%v), want the resubmitted one", len(raw), err)
	}
}
