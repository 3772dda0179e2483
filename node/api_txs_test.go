package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

// TestSubmitTxs: a batch posted to a full node is admitted in order, a
// bad transaction in it is reported and skipped, the rest are gossiped to
// the validator and committed; a malformed batch is refused whole.
func TestSubmitTxs(t *testing.T) {
	nw := taotest.NewNetwork(t, 2, &taotest.Options{Validators: 1})
	nw.AwaitHeight(t, 1, time.Minute)
	to := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	const n = 10
	var batch [][]byte
	for nonce := range uint64(n) {
		batch = append(batch, nw.Transfer(t, nonce, to, market.RaoPerTAO))
	}
	bad, err := protocols.DecodeTx(nw.Transfer(t, n, to, market.RaoPerTAO))
	if err != nil {
		t.Fatal(err)
	}
	bad.Sig[0] ^= 1
	badEnc, err := protocols.EncodeTx(bad)
	if err != nil {
		t.Fatal(err)
	}
	batch = append(batch, badEnc)

	cl := &node.Client{BaseURL: nw.Nodes[1].HTTPURL()}
	ctx := context.Background()
	res, err := cl.SubmitTxs(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Txs) != n+1 || res.Accepted != n {
		t.Fatalf("answer %+v: want %d transactions, %d accepted", res, n+1, n)
	}
	for i, info := range res.Txs[:n] {
		if info.State != ledger.TxPending.String() || info.Error != "" {
			t.Errorf("transaction %d: %+v, want pending", i, info)
		}
	}
	if last := res.Txs[n]; last.State != "rejected" || last.Error == "" {
		t.Errorf("bad signature: %+v, want rejected with an error", last)
	}

	val := &node.Client{BaseURL: nw.Nodes[0].HTTPURL()}
	deadline := time.Now().Add(time.Minute)
	for _, info := range res.Txs[:n] {
		for {
			got, err := val.Tx(ctx, info.ID)
			if err == nil && got.State == ledger.TxCommitted.String() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer %s not committed on the validator: %+v, %v", info.ID, got, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	acct, _ := ledger.AccountOf(to)
	if bal, err := nw.Nodes[0].Ledger().Balance(acct); err != nil || bal != n*market.RaoPerTAO {
		t.Fatalf("balance %s, %v; want %d TAO", bal, err, n)
	}

	for name, body := range map[string][]byte{
		"not CBOR":    []byte("hello"),
		"bad element": mustMarshal(t, [][]byte{batch[0], []byte("junk")}),
	} {
		resp, err := http.Post(nw.Nodes[1].HTTPURL()+"/txs", "application/cbor", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
		}
	}
	if _, err := cl.SubmitTxs(ctx, make([][]byte, protocols.MaxTxBatchLen+1)); err == nil {
		t.Error("SubmitTxs sent an oversized batch")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := protocols.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
