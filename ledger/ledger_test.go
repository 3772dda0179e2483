package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

func TestTransferApplies(t *testing.T) {
	l := openMem(t, testGenesis(2))
	root0 := l.StateRoot()
	tx := transfer(t, 1, 0, 2, 5*uint64(market.RaoPerTAO))
	id, _ := tx.ID()
	if err := l.SubmitTx(tx); err != nil {
		t.Fatal(err)
	}
	if st, _ := l.TxStatus(id); st.State != TxPending {
		t.Fatalf("status before commit = %v, want pending", st.State)
	}
	b := step(t, l)
	if len(b.Txs) != 1 || l.Height() != 1 {
		t.Fatalf("block has %d txs, height %d", len(b.Txs), l.Height())
	}
	if got, want := balance(t, l, 1), 995*market.RaoPerTAO-DefaultTxFee; got != want {
		t.Errorf("sender balance %v, want %v", got, want)
	}
	if got, want := balance(t, l, 2), 1005*market.RaoPerTAO; got != want {
		t.Errorf("recipient balance %v, want %v", got, want)
	}
	if n, _ := l.Nonce(acct(1)); n != 1 {
		t.Errorf("sender nonce %d, want 1", n)
	}
	if _, burned, _ := l.Supply(); burned != DefaultTxFee {
		t.Errorf("burned %v, want the fee %v", burned, DefaultTxFee)
	}
	checkSupply(t, l)
	st, err := l.TxStatus(id)
	if err != nil || st.State != TxCommitted || st.Height != 1 || st.Index != 0 {
		t.Fatalf("status = %+v, %v", st, err)
	}
	if len(st.Result.Events) != 1 || st.Result.Events[0].Type != "transfer" || st.Result.Fee != uint64(DefaultTxFee) {
		t.Fatalf("result = %+v", st.Result)
	}
	if l.StateRoot() == root0 {
		t.Fatal("state root did not change")
	}
	got, cert, err := l.Block(1)
	if err != nil || string(cert) != "cert" {
		t.Fatalf("Block(1): %v, cert %q", err, cert)
	}
	gotID, _ := got.ID()
	if gotID != l.LastBlockID() {
		t.Fatal("stored block's ID is not LastBlockID")
	}
	if _, _, err := l.Block(2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Block(2): %v, want ErrNotFound", err)
	}
	if l.Mempool().Has(id) {
		t.Fatal("committed tx still in the mempool")
	}
}

func TestTransferToSelfAndEmptyBlocks(t *testing.T) {
	l := openMem(t, testGenesis(1))
	step(t, l, transfer(t, 1, 0, 1, 7))
	if got, want := balance(t, l, 1), 1000*market.RaoPerTAO-DefaultTxFee; got != want {
		t.Fatalf("balance %v, want %v", got, want)
	}
	r := l.StateRoot()
	step(t, l) // an empty block still moves the chained root
	if l.StateRoot() == r || l.Height() != 2 {
		t.Fatal("empty block did not advance")
	}
	checkSupply(t, l)
}

// TestTxRejected checks each rejection in the mempool, in DeliverTx and in
// a block, and that a rejected transaction changes nothing.
func TestTxRejected(t *testing.T) {
	big := transfer(t, 1, 0, 2, 1)
	big.Payload = make([]byte, protocols.MaxTxSize)
	tests := []struct {
		name string
		tx   func(t *testing.T) *protocols.Tx
		want error
	}{
		{"bad-signature", func(t *testing.T) *protocols.Tx {
			tx := transfer(t, 1, 0, 2, 1)
			tx.Sig[0] ^= 1
			return tx
		}, ErrBadSignature},
		{"wrong-signer", func(t *testing.T) *protocols.Tx {
			tx := transfer(t, 1, 0, 2, 1)
			tx.Signer = transfer(t, 2, 0, 2, 1).Signer
			return tx
		}, ErrBadSignature},
		{"wrong-chain", func(t *testing.T) *protocols.Tx {
			tx := transfer(t, 1, 0, 2, 1)
			tx.ChainID = "main"
			tx.Sign(key(1))
			return tx
		}, ErrWrongChain},
		{"stale-nonce", func(t *testing.T) *protocols.Tx { return transfer(t, 3, 0, 2, 1) }, ErrBadNonce},
		{"future-nonce", func(t *testing.T) *protocols.Tx { return transfer(t, 1, 5, 2, 1) }, ErrBadNonce},
		{"insufficient-funds", func(t *testing.T) *protocols.Tx {
			return transfer(t, 1, 0, 2, uint64(1000*market.RaoPerTAO))
		}, ErrInsufficientFunds},
		{"cannot-pay-fee", func(t *testing.T) *protocols.Tx { return transfer(t, 9, 0, 2, 1) }, ErrInsufficientFunds},
		{"fee-too-low", func(t *testing.T) *protocols.Tx {
			tx := transfer(t, 1, 0, 2, 1)
			tx.Fee = 1
			tx.Sign(key(1))
			return tx
		}, ErrFeeTooLow},
		{"too-large", func(t *testing.T) *protocols.Tx { return big }, ErrTxTooLarge},
		{"malformed", func(t *testing.T) *protocols.Tx {
			tx := transfer(t, 1, 0, 2, 1)
			tx.Kind = protocols.TxSetWeights
			tx.Sign(key(1))
			return tx
		}, ErrMalformedTx},
	}
	// What the messages tell the sender to do, where checked.
	fixes := map[string]string{
		"too-large": "split it into smaller transactions",
		"malformed": "build it with protocols.NewTx",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := testGenesis(3)
			l := openMem(t, g)
			step(t, l, transfer(t, 3, 0, 1, 1)) // account 3's nonce is 1
			root, b1, b2 := l.StateRoot(), balance(t, l, 1), balance(t, l, 2)
			tx := tt.tx(t)

			if err := l.SubmitTx(tx); !errors.Is(err, tt.want) || !strings.Contains(err.Error(), fixes[tt.name]) {
				t.Fatalf("mempool: got %v, want %v naming the fix %q", err, tt.want, fixes[tt.name])
			}
			if n, _ := l.Mempool().Size(); n != 0 {
				t.Fatalf("mempool holds %d txs", n)
			}

			view, tip := l.committed()
			e := NewExec(view, l.Chain(), tip)
			hdr := rawBlock(t, l).Header
			if err := e.BeginBlock(&hdr); err != nil {
				t.Fatal(err)
			}
			if _, err := e.DeliverTx(tx); !errors.Is(err, tt.want) {
				t.Fatalf("DeliverTx: got %v, want %v", err, tt.want)
			}
			e.EndBlock()
			out, err := e.Commit()
			if err != nil || len(out.Writes) != 0 {
				t.Fatalf("rejected tx wrote %d keys (%v)", len(out.Writes), err)
			}

			err = l.ValidateBlock(rawBlock(t, l, tx))
			if !errors.Is(err, ErrInvalidBlock) || !errors.Is(err, tt.want) {
				t.Fatalf("block: got %v, want ErrInvalidBlock and %v", err, tt.want)
			}
			if l.StateRoot() != root || balance(t, l, 1) != b1 || balance(t, l, 2) != b2 || l.Height() != 1 {
				t.Fatal("state changed")
			}
		})
	}
}

func TestRejectionMessagesNameTheFix(t *testing.T) {
	l := openMem(t, testGenesis(2))
	step(t, l, transfer(t, 1, 0, 2, 1), transfer(t, 1, 1, 2, 1))
	err := l.SubmitTx(transfer(t, 1, 0, 2, 1))
	want := "ledger: bad nonce: nonce 0 is stale; the account's next nonce is 2 (query it with `tao balance`)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %q\nwant %q", err, want)
	}
}

func TestValidateBlockRejectsBadHeaders(t *testing.T) {
	l := openMem(t, testGenesis(2))
	step(t, l, transfer(t, 1, 0, 2, 1))
	good := func(t *testing.T) *protocols.Block {
		if err := l.SubmitTx(transfer(t, 1, 1, 2, 1)); err != nil && !errors.Is(err, ErrTxKnown) {
			t.Fatal(err)
		}
		return propose(t, l)
	}
	tests := []struct {
		name string
		f    func(b *protocols.Block)
	}{
		{"height", func(b *protocols.Block) { b.Header.Height++ }},
		{"chain", func(b *protocols.Block) { b.Header.ChainID = "other" }},
		{"prev-hash", func(b *protocols.Block) { b.Header.PrevHash = protocols.CID([]byte{1}).Bytes() }},
		{"time-not-after", func(b *protocols.Block) { b.Header.Time = blockTime(1) }},
		{"validators-hash", func(b *protocols.Block) { b.Header.ValidatorsHash = make([]byte, 32) }},
		{"proposer", func(b *protocols.Block) { h := hotkey(7); b.Header.Proposer = h[:] }},
		{"txs-hash", func(b *protocols.Block) { b.Txs = b.Txs[:0] }},
		{"state-root", func(b *protocols.Block) { b.Header.StateRoot = make([]byte, 32) }},
		{"duplicate-tx", func(b *protocols.Block) {
			b.Txs = append(b.Txs, b.Txs[0])
			th, _ := protocols.TxsHash(b.Txs)
			b.Header.TxsHash = th.Bytes()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := good(t)
			if err := l.ValidateBlock(b); err != nil {
				t.Fatalf("good block: %v", err)
			}
			tt.f(b)
			if err := l.ValidateBlock(b); !errors.Is(err, ErrInvalidBlock) {
				t.Fatalf("got %v, want ErrInvalidBlock", err)
			}
			if err := l.CommitBlock(b, nil); !errors.Is(err, ErrInvalidBlock) {
				t.Fatalf("commit: got %v, want ErrInvalidBlock", err)
			}
			if l.Height() != 1 {
				t.Fatal("bad block committed")
			}
		})
	}
}

func TestProposeRejectsBadArguments(t *testing.T) {
	l := openMem(t, testGenesis(1))
	if _, err := l.ProposeBlock(2, blockTime(2), proposer(), 10); err == nil {
		t.Error("proposed at a skipped height")
	}
	if _, err := l.ProposeBlock(1, genesisTime, proposer(), 10); !errors.Is(err, ErrInvalidBlock) {
		t.Errorf("time at genesis: %v", err)
	}
	h := hotkey(9)
	if _, err := l.ProposeBlock(1, blockTime(1), h[:], 10); !errors.Is(err, ErrInvalidBlock) {
		t.Errorf("non-validator proposer: %v", err)
	}
}

func TestCommitBlockIdempotent(t *testing.T) {
	l := openMem(t, testGenesis(2))
	b := step(t, l, transfer(t, 1, 0, 2, 1))
	root := l.StateRoot()
	if err := l.CommitBlock(b, nil); err != nil {
		t.Fatalf("repeated commit: %v", err)
	}
	if l.Height() != 1 || l.StateRoot() != root {
		t.Fatal("repeated commit changed the ledger")
	}
	other := rawBlock(t, l)
	other.Header.Height = 1
	other.Header.PrevHash = b.Header.PrevHash
	if err := l.CommitBlock(other, nil); !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("conflicting block at a committed height: %v", err)
	}
}
