package node_test

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
	"github.com/taonet/tao/protocols"
)

// TestGossipedEvidenceSlashes: a validator's two conflicting prevotes
// reach only a full node, whose hotkey is unregistered and unfunded, so
// the ledger refuses its own report. The validators commit the evidence
// it gossips, and every node then holds the ledger's consequence: the
// offender has left the validator set at the next tempo boundary and is
// jailed (its request to rejoin is refused).
func TestGossipedEvidenceSlashes(t *testing.T) {
	const offender, full = 3, 4
	nw := taotest.NewNetwork(t, 5, &taotest.Options{Validators: 4})
	nw.AwaitHeight(t, 2, time.Minute)
	key := nw.Key(t, offender)
	pub := key.Public().(ed25519.PublicKey)

	// The votes are for a round far ahead at the next height but one, so
	// the full node's core keeps them until it gets there and no honest
	// validator's vote interferes. Sent again at a later height if the
	// chain outran a pair.
	deadline := time.Now().Add(15 * time.Second)
	for nw.Nodes[full].Status().Evidence == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the full node never detected the equivocation")
		}
		h := nw.Nodes[full].Ledger().Height() + 2
		for _, value := range []string{"a", "b"} {
			v := &protocols.Vote{ChainID: nw.Genesis.ChainID, Type: protocols.Prevote, Height: h, Round: 7, ValueID: protocols.CID([]byte(value)).Bytes()}
			if err := v.Sign(key); err != nil {
				t.Fatal(err)
			}
			sendConsensus(t, nw.Nodes[0], nw.Nodes[full], &protocols.ConsensusMessage{Vote: v})
		}
		for end := time.Now().Add(2 * time.Second); nw.Nodes[full].Status().Evidence == 0 && time.Now().Before(end); {
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The validators learned of it only from the full node's gossip.
	for i := range 4 {
		if e := nw.Nodes[i].Status().Evidence; e != 0 {
			t.Fatalf("validator %d's core saw %d equivocations; the test needs the full node alone to see the votes", i, e)
		}
	}

	deadline = time.Now().Add(30 * time.Second)
	for i, nd := range nw.Nodes {
		for {
			vs, err := nd.Ledger().Validators()
			if err != nil {
				t.Fatal(err)
			}
			if !vs.Has(pub) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d at height %d: the offender is still a validator", i, nd.Ledger().Height())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := rejoin(nd, key); !errors.Is(err, ledger.ErrJailed) {
			t.Fatalf("node %d: the offender's request to rejoin: %v, want %v", i, err, ledger.ErrJailed)
		}
	}
	// Three validators of four go on.
	h := nw.Nodes[0].Ledger().Height()
	nw.AwaitHeight(t, h+3, time.Minute)
	nw.AssertSameChain(t, h+3)
}

// sendConsensus delivers m to node to alone, from node from, over the
// consensus catch-up stream.
func sendConsensus(t *testing.T, from, to *node.Node, m *protocols.ConsensusMessage) {
	t.Helper()
	b, err := protocols.EncodeConsensusMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	h := from.Host().Libp2p()
	if err := h.Connect(ctx, peer.AddrInfo{ID: to.PeerID(), Addrs: to.Host().Libp2p().Addrs()}); err != nil {
		t.Fatal(err)
	}
	s, err := h.NewStream(ctx, to.PeerID(), protocols.CatchupProtocol(to.Network()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Write(append(binary.AppendUvarint(nil, uint64(len(b))), b...)); err != nil {
		t.Fatal(err)
	}
}

// rejoin asks nd's ledger to admit the offender's declaration that it runs
// a consensus node again.
func rejoin(nd *node.Node, key ed25519.PrivateKey) error {
	l := nd.Ledger()
	acct, err := ledger.AccountOf(key.Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	nonce, err := l.Mempool().NextNonce(acct)
	if err != nil {
		return err
	}
	tx, err := protocols.NewTx(l.Chain().ID, nonce, uint64(l.Chain().Params.TxFee), &protocols.SetConsensus{Active: true})
	if err != nil {
		return err
	}
	if err := tx.Sign(key); err != nil {
		return err
	}
	if err := l.SubmitTx(tx); err != nil {
		return err
	}
	return fmt.Errorf("admitted")
}
