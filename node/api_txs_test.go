package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
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
// the validator and committed; GET /status then matches the stored tip;
// a malformed or oversized batch is refused whole, and POST /tx refuses
// bytes that are not a transaction or exceed protocols.MaxTxSize with the
// ledger's sentinel and the fix.
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

	checkStatus(t, nw.Nodes[1])

	// Bytes that are not a transaction, or too many of them, are refused
	// with the sentinel's text and the fix.
	tooLarge := make([]byte, protocols.MaxTxSize+1)
	for _, tt := range []struct {
		name, path string
		body       []byte
		code       int
		want       []string
	}{
		{"not CBOR", "/tx", []byte("hello"), http.StatusBadRequest,
			[]string{ledger.ErrMalformedTx.Error(), "protocols.EncodeTx"}},
		{"oversized", "/tx", tooLarge, http.StatusRequestEntityTooLarge,
			[]string{ledger.ErrTxTooLarge.Error(), fmt.Sprintf("limit %d;", protocols.MaxTxSize), "split it"}},
		{"batch not CBOR", "/txs", []byte("hello"), http.StatusBadRequest,
			[]string{"not a transaction batch", "protocols.EncodeTxBatch"}},
		{"batch bad element", "/txs", mustMarshal(t, [][]byte{batch[0], []byte("junk")}), http.StatusBadRequest,
			[]string{"transaction 1: ", "protocols.EncodeTxBatch"}},
		{"batch oversized element", "/txs", mustMarshal(t, [][]byte{batch[0], tooLarge}), http.StatusRequestEntityTooLarge,
			[]string{"transaction 1: " + ledger.ErrTxTooLarge.Error(), fmt.Sprintf("%d bytes, limit %d;", len(tooLarge), protocols.MaxTxSize), "split it"}},
	} {
		resp, err := http.Post(nw.Nodes[1].HTTPURL()+tt.path, "application/cbor", bytes.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.code, body)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s: answer %s lacks %q", tt.name, body, w)
			}
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

// checkStatus checks GET /status against nd's ledger once nd says it is
// in sync: block_hash is the ID (header CID) of the stored block at
// height, and state_root that block's header StateRoot.
func checkStatus(t *testing.T, nd *node.Node) {
	t.Helper()
	cl := &node.Client{BaseURL: nd.HTTPURL()}
	var st node.Status
	for deadline := time.Now().Add(30 * time.Second); ; {
		var err error
		st, err = cl.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !st.Syncing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /status still syncing after 30 s: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _, err := nd.Ledger().Block(st.Height)
	if err != nil {
		t.Fatalf("block %d of GET /status: %v", st.Height, err)
	}
	id, err := b.ID()
	if err != nil {
		t.Fatal(err)
	}
	if st.Height == 0 || st.BlockHash != id.String() || st.StateRoot != hex.EncodeToString(b.Header.StateRoot) {
		t.Fatalf("GET /status height %d block_hash %s state_root %s; the stored block's ID is %s, its state root %x",
			st.Height, st.BlockHash, st.StateRoot, id, b.Header.StateRoot)
	}
}
