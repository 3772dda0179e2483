package taotest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

func newKey(t testing.TB) crypto.PrivKey {
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// makeGenesis builds the dev-preset genesis: the first Validators nodes
// validate with equal power; the faucet (and Options.Accounts-1 more
// accounts) hold the TAO.
func (nw *Network) makeGenesis(t testing.TB) {
	t.Helper()
	nw.Faucet = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0xfa}, ed25519.SeedSize))
	faucet, _ := ledger.AccountOf(nw.Faucet.Public().(ed25519.PublicKey))
	g := &ledger.Genesis{
		ChainID:  nw.opts.Network,
		Time:     time.Now().UnixMilli(),
		Params:   ledger.DevParams(),
		Balances: map[ledger.Account]market.Rao{faucet: 1_000_000 * market.RaoPerTAO},
	}
	nw.Accounts = []ed25519.PrivateKey{nw.Faucet}
	for i := 1; i < nw.opts.Accounts; i++ {
		seed := make([]byte, ed25519.SeedSize)
		seed[0], seed[1], seed[2] = 0xac, byte(i>>8), byte(i)
		k := ed25519.NewKeyFromSeed(seed)
		a, _ := ledger.AccountOf(k.Public().(ed25519.PublicKey))
		g.Balances[a] = 1_000_000 * market.RaoPerTAO
		nw.Accounts = append(nw.Accounts, k)
	}
	if nw.opts.Params != nil {
		g.Params = *nw.opts.Params
	}
	for i := range nw.opts.Validators {
		raw, err := nw.keys[i].GetPublic().Raw()
		if err != nil {
			t.Fatal(err)
		}
		hk, _ := ledger.AccountOf(raw)
		g.Validators = append(g.Validators, ledger.Validator{Hotkey: ledger.Hotkey(hk), Coldkey: faucet, Power: 1000 * uint64(market.RaoPerTAO)})
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	nw.Genesis = g
}

// AwaitHeight waits until every node has committed block h.
func (nw *Network) AwaitHeight(t testing.TB, h uint64, timeout time.Duration) {
	t.Helper()
	nw.await(t, timeout, fmt.Sprintf("every node at height %d", h), func() (bool, string) {
		for i, nd := range nw.Nodes {
			if got := nd.Ledger().Height(); got < h {
				return false, fmt.Sprintf("node %d at height %d", i, got)
			}
		}
		return true, ""
	})
}

// AssertSameChain checks that every node holds the same block (and so the
// same state root) at each height up to h.
func (nw *Network) AssertSameChain(t testing.TB, h uint64) {
	t.Helper()
	for height := uint64(1); height <= h; height++ {
		var want []byte
		for i, nd := range nw.Nodes {
			b, _, err := nd.Ledger().Block(height)
			if err != nil {
				t.Fatalf("node %d block %d: %v", i, height, err)
			}
			if i == 0 {
				want = b.Header.StateRoot
				continue
			}
			if !bytes.Equal(b.Header.StateRoot, want) {
				t.Fatalf("node %d disagrees at height %d: state root %x, node 0 has %x", i, height, b.Header.StateRoot, want)
			}
		}
	}
}

// Transfer returns an encoded transfer from the faucet with the given
// nonce.
func (nw *Network) Transfer(t testing.TB, nonce uint64, to ed25519.PublicKey, amount market.Rao) []byte {
	t.Helper()
	return nw.TransferFrom(t, 0, nonce, to, amount)
}

// TransferFrom returns an encoded transfer from Accounts[from] with the
// given nonce.
func (nw *Network) TransferFrom(t testing.TB, from int, nonce uint64, to ed25519.PublicKey, amount market.Rao) []byte {
	t.Helper()
	return nw.SignTx(t, nw.Accounts[from], nonce, &protocols.Transfer{To: to, Amount: uint64(amount)})
}

// SignTx returns body as an encoded transaction of the network's chain,
// signed by key at nonce with the chain's fee.
func (nw *Network) SignTx(t testing.TB, key ed25519.PrivateKey, nonce uint64, body protocols.TxBody) []byte {
	t.Helper()
	tx, err := protocols.NewTx(nw.Genesis.ChainID, nonce, uint64(nw.Genesis.Params.TxFee), body)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Sign(key); err != nil {
		t.Fatal(err)
	}
	b, err := protocols.EncodeTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MustTransfer signs a transfer from the faucet with the given nonce,
// submits it to node i's API, and returns its ID.
func (nw *Network) MustTransfer(t testing.TB, i int, nonce uint64, to ed25519.PublicKey, amount market.Rao) string {
	t.Helper()
	b := nw.Transfer(t, nonce, to, amount)
	info, err := (&node.Client{BaseURL: nw.Nodes[i].HTTPURL()}).SubmitTx(context.Background(), b)
	if err != nil {
		t.Fatalf("submit transfer to node %d: %v", i, err)
	}
	return info.ID
}
