package node_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

// TestBlockAPI: GET /block/{height} on a four-validator chain answers
// what the node stored: the header's fields, the transactions' IDs (a
// transfer's among them), and the certificate, whose signers are named by
// keys that verify its precommits. GET /block/latest is the tip; a height
// not committed yet, 0 or not a number is refused with an error that says
// why. Once a validator stops, later certificates name it as missing.
func TestBlockAPI(t *testing.T) {
	nw := taotest.NewNetwork(t, 4, &taotest.Options{Validators: 4})
	nw.AwaitHeight(t, 2, time.Minute)
	ctx := context.Background()
	cl := &node.Client{BaseURL: nw.Nodes[1].HTTPURL()}

	to := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	txID := nw.MustTransfer(t, 1, 0, to, market.RaoPerTAO)
	var txH uint64
	waitUntil(t, time.Minute, "the transfer committed", func() bool {
		st, err := cl.Tx(ctx, txID)
		txH = st.Height
		return err == nil && st.State == ledger.TxCommitted.String()
	})
	got, err := cl.Block(ctx, fmt.Sprint(txH))
	if err != nil {
		t.Fatal(err)
	}
	checkBlockInfo(t, nw, 1, got, 4)
	if !slices.Contains(got.Txs, txID) {
		t.Errorf("block %d lists transactions %v, want %s among them", txH, got.Txs, txID)
	}
	for _, s := range got.Commit.Signers {
		if s.PeerID == "" {
			t.Errorf("signer %+v has no peer ID", s)
		}
	}

	latest, err := cl.Block(ctx, "latest")
	if err != nil {
		t.Fatal(err)
	}
	if latest.Height < txH {
		t.Errorf("latest is block %d, below block %d", latest.Height, txH)
	}
	checkBlockInfo(t, nw, 1, latest, 4)

	far := nw.Nodes[1].Ledger().Height() + 1000
	for _, c := range []struct {
		height string
		code   int
		want   []string
	}{
		{fmt.Sprint(far), http.StatusNotFound, []string{fmt.Sprintf("block %d is not committed yet: the chain is at ", far)}},
		{"0", http.StatusNotFound, []string{"blocks start at height 1"}},
		{"tip", http.StatusBadRequest, []string{`bad height "tip"`, "latest"}},
	} {
		code, msg := getError(t, nw.Nodes[1].HTTPURL()+"/block/"+c.height)
		if code != c.code {
			t.Errorf("GET /block/%s: status %d, want %d (%s)", c.height, code, c.code, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("GET /block/%s: error %q, want it to contain %q", c.height, msg, w)
			}
		}
	}

	// Stop validator 3: the other three are a quorum, and from then on no
	// certificate can hold its precommit.
	stopped := nw.Nodes[3].PeerID().String()
	if err := nw.Nodes[3].Close(); err != nil {
		t.Logf("close node 3: %v", err)
	}
	from := nw.Nodes[0].Ledger().Height() + 2
	waitUntil(t, time.Minute, fmt.Sprintf("node 0 at height %d", from), func() bool { return nw.Nodes[0].Ledger().Height() >= from })
	after, err := (&node.Client{BaseURL: nw.Nodes[0].HTTPURL()}).Block(ctx, fmt.Sprint(from))
	if err != nil {
		t.Fatal(err)
	}
	checkBlockInfo(t, nw, 0, after, 4)
	if len(after.Commit.Missing) != 1 || after.Commit.Missing[0].PeerID != stopped {
		t.Errorf("block %d after validator 3 stopped: missing %+v, want only %s", from, after.Commit.Missing, stopped)
	}
}

// checkBlockInfo compares got with the block and certificate node i
// stores at got.Height, whose set of validators (signers and missing)
// must be known to the node and hold validators.
func checkBlockInfo(t *testing.T, nw *taotest.Network, i int, got node.BlockInfo, validators int) {
	t.Helper()
	b, raw, err := nw.Nodes[i].Ledger().Block(got.Height)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := b.ID()
	prev, _ := cid.Cast(b.Header.PrevHash)
	txs, _ := cid.Cast(b.Header.TxsHash)
	want := node.BlockInfo{
		Height: b.Header.Height, Hash: id.String(), ParentHash: prev.String(),
		StateRoot: hex.EncodeToString(b.Header.StateRoot), TxsHash: txs.String(),
		ValidatorsHash: hex.EncodeToString(b.Header.ValidatorsHash),
		Proposer:       peerIDOf(t, b.Header.Proposer), ProposerHotkey: hex.EncodeToString(b.Header.Proposer),
		TimeMs: b.Header.Time, Time: time.UnixMilli(b.Header.Time).UTC().Format(time.RFC3339Nano),
		TxCount: len(b.Txs), Txs: []string{},
	}
	for j := range b.Txs {
		tid, _ := b.Txs[j].ID()
		want.Txs = append(want.Txs, tid.String())
	}
	gotHeader := got
	gotHeader.Commit = nil
	if !reflect.DeepEqual(gotHeader, want) {
		t.Errorf("block %d:\n got %+v\nwant %+v", got.Height, gotHeader, want)
	}
	if got.Commit == nil {
		t.Fatalf("block %d has no commit in the answer", got.Height)
	}
	c, err := protocols.DecodeCommit(raw)
	if err != nil {
		t.Fatal(err)
	}
	gc := got.Commit
	if gc.Round != c.Round || len(gc.Signers) != len(c.Sigs) || !gc.ValidatorsKnown {
		t.Fatalf("block %d: commit %+v, stored round %d with %d signatures (set known)", got.Height, gc, c.Round, len(c.Sigs))
	}
	var signed uint64
	for j, s := range gc.Signers {
		pub, err := hex.DecodeString(s.Hotkey)
		if err != nil || s.Index != c.Sigs[j].Index || c.Precommit(j, pub).Verify(c.ChainID) != nil {
			t.Errorf("block %d: signer %d %+v does not verify the stored signature at index %d", got.Height, j, s, c.Sigs[j].Index)
		}
		if s.PeerID != peerIDOf(t, pub) || s.Power == 0 {
			t.Errorf("block %d: signer %+v: peer ID or power wrong", got.Height, s)
		}
		signed += s.Power
	}
	if len(gc.Signers)+len(gc.Missing) != validators || signed != gc.SignedPower || 3*signed <= 2*gc.TotalPower {
		t.Errorf("block %d: %d signers (%d of %d power) and %d missing, want %d validators and a quorum", got.Height, len(gc.Signers), gc.SignedPower, gc.TotalPower, len(gc.Missing), validators)
	}
}

// checkKeptSet checks that node i names the validator set that committed
// block height, which holds validators: GET /block/{height} names the
// signers (by keys that verify their precommits) and GET
// /validators?height= serves the set the header's hash names.
func checkKeptSet(t *testing.T, nw *taotest.Network, i int, height uint64, validators int) {
	t.Helper()
	url := nw.Nodes[i].HTTPURL()
	got, err := (&node.Client{BaseURL: url}).Block(context.Background(), fmt.Sprint(height))
	if err != nil {
		t.Fatal(err)
	}
	checkBlockInfo(t, nw, i, got, validators)
	resp, err := http.Get(fmt.Sprintf("%s/validators?height=%d", url, height))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var vs ledger.ValidatorSet
	if err := json.NewDecoder(resp.Body).Decode(&vs); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /validators?height=%d: %s, %v", height, resp.Status, err)
	}
	if h, _ := vs.Hash(); len(vs) != validators || hex.EncodeToString(h) != got.ValidatorsHash {
		t.Errorf("GET /validators?height=%d: %d validators hashing to %x, want %d hashing to %s", height, len(vs), h, validators, got.ValidatorsHash)
	}
}

func peerIDOf(t *testing.T, pub []byte) string {
	t.Helper()
	pk, err := crypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// getError returns the status and the JSON error of GET url.
func getError(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("GET %s: %s is not a JSON error: %v", url, b, err)
	}
	return resp.StatusCode, e.Error
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
