package node_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
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
	"github.com/taonet/tao/wallet"
)

// TestMarketAPI: a subnet created and staked through POST /tx shows in
// GET /subnets, /metagraph/1, /economy, /stakes and /hotkey; unknown
// subnets and hotkeys are 404 with a message, malformed ones 400.
func TestMarketAPI(t *testing.T) {
	nw := taotest.NewNetwork(t, 1, &taotest.Options{Validators: 1})
	nw.AwaitHeight(t, 1, time.Minute)
	ctx := context.Background()
	cl := &node.Client{BaseURL: nw.Nodes[0].HTTPURL()}
	owner := nw.Faucet
	hot := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	submit := func(nonce uint64, body protocols.TxBody) {
		t.Helper()
		tx, err := protocols.NewTx(nw.Genesis.ChainID, nonce, uint64(nw.Genesis.Params.TxFee), body)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Sign(owner); err != nil {
			t.Fatal(err)
		}
		b, err := protocols.EncodeTx(tx)
		if err != nil {
			t.Fatal(err)
		}
		info, err := cl.SubmitTx(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			got, err := cl.Tx(ctx, info.ID)
			if err == nil && got.State == ledger.TxCommitted.String() {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%T not committed: %+v %v", body, got, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	submit(0, &protocols.CreateSubnet{OwnerHotkey: hot, Name: "text", Task: "text-generation"})
	submit(1, &protocols.AddStake{Hotkey: hot, NetUID: 1, Amount: uint64(10 * market.RaoPerTAO)})

	subnets, err := cl.Subnets(ctx)
	if err != nil || len(subnets) != 1 || subnets[0].NetUID != 1 || subnets[0].Name != "text" || subnets[0].PoolTAO == 0 {
		t.Fatalf("subnets %+v, %v", subnets, err)
	}
	m, err := cl.Metagraph(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subnet.N != 1 || len(m.Neurons) != 1 || m.Neurons[0].Hotkey != ledger.Hotkey(hot) || m.Neurons[0].Stake == 0 {
		t.Fatalf("metagraph %+v", m)
	}
	e, err := cl.Economy(ctx)
	if err != nil || e.Issued == 0 || len(e.Subnets) != 1 || e.Subnets[0].Price.Rao == 0 {
		t.Fatalf("economy %+v, %v", e, err)
	}
	addr := wallet.ColdkeyAddress(owner.Public().(ed25519.PublicKey)).String()
	for _, a := range []string{addr, hex.EncodeToString(owner.Public().(ed25519.PublicKey))} {
		st, err := cl.Stakes(ctx, a)
		if err != nil || len(st) != 1 || st[0].NetUID != 1 || st[0].Hotkey != ledger.Hotkey(hot) || st[0].Alpha == 0 {
			t.Fatalf("stakes of %s: %+v, %v", a, st, err)
		}
	}
	pid, err := wallet.HotkeyAddress(hot)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{hex.EncodeToString(hot), pid.String()} {
		hi, err := cl.Hotkey(ctx, h)
		if err != nil || hi.Owner != ledger.Account(owner.Public().(ed25519.PublicKey)) || hi.Take == 0 {
			t.Fatalf("hotkey %s: %+v, %v", h, hi, err)
		}
	}

	for _, c := range []struct {
		path string
		code int
		msg  string
	}{
		{"/metagraph/7", http.StatusNotFound, "tao subnet list"},
		{"/metagraph/x", http.StatusBadRequest, "not a subnet number"},
		{"/hotkey/" + strings.Repeat("ab", 32), http.StatusNotFound, "tao register"},
		{"/hotkey/nope", http.StatusBadRequest, "peer ID"},
		{"/stakes/nope", http.StatusBadRequest, "coldkey address"},
	} {
		resp, err := http.Get(nw.Nodes[0].HTTPURL() + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(string(body), c.msg) {
			t.Errorf("GET %s: %d %s; want %d with %q", c.path, resp.StatusCode, body, c.code, c.msg)
		}
	}
	if st, err := cl.Stakes(ctx, strings.Repeat("00", 32)); err != nil || st == nil || len(st) != 0 {
		t.Errorf("stakes of an empty account: %#v, %v; want []", st, err)
	}
}
