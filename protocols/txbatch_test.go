package protocols

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestTxBatchRoundTrip(t *testing.T) {
	var encs [][]byte
	for n := range 3 {
		b, err := EncodeTx(signedTx(t, uint64(n)))
		if err != nil {
			t.Fatal(err)
		}
		encs = append(encs, b)
	}
	b, err := EncodeTxBatch(encs)
	if err != nil {
		t.Fatal(err)
	}
	txs, raw, err := DecodeTxBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 3 || len(raw) != 3 {
		t.Fatalf("decoded %d transactions, want 3", len(txs))
	}
	for i, tx := range txs {
		if tx.Nonce != uint64(i) {
			t.Errorf("transaction %d has nonce %d: order lost", i, tx.Nonce)
		}
		if err := tx.Verify("dev"); err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	if empty, err := EncodeTxBatch(nil); err != nil {
		t.Fatal(err)
	} else if txs, _, err := DecodeTxBatch(empty); err != nil || len(txs) != 0 {
		t.Fatalf("empty batch: %d transactions, %v", len(txs), err)
	}
}

func TestTxBatchRejects(t *testing.T) {
	good, err := EncodeTx(signedTx(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeTxBatch([][]byte{good, []byte("junk")}); err == nil {
		t.Error("EncodeTxBatch took a malformed transaction")
	}
	if _, err := EncodeTxBatch(make([][]byte, MaxTxBatchLen+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many: got %v, want ErrTooLarge", err)
	}
	tooMany, _ := Marshal(func() [][]byte {
		s := make([][]byte, MaxTxBatchLen+1)
		for i := range s {
			s[i] = good
		}
		return s
	}())
	junk, _ := Marshal([][]byte{good, []byte("junk")})
	notList, _ := Marshal("hello")
	for name, b := range map[string][]byte{
		"too many":      tooMany,
		"bad element":   junk,
		"not a list":    notList,
		"trailing byte": append(junk[:len(junk):len(junk)], 0),
		"too large":     make([]byte, MaxTxBatchSize+1),
		"empty input":   nil,
	} {
		if _, _, err := DecodeTxBatch(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func FuzzDecodeTxBatch(f *testing.F) {
	empty, _ := EncodeTxBatch(nil)
	f.Add(empty)
	f.Add([]byte{0x81, 0x40})
	f.Add([]byte{0x9f})
	f.Fuzz(func(t *testing.T, b []byte) {
		txs, raw, err := DecodeTxBatch(b)
		if err != nil {
			return
		}
		if len(txs) != len(raw) {
			t.Fatalf("%d transactions for %d encodings", len(txs), len(raw))
		}
		again, err := EncodeTxBatch(raw)
		if err != nil {
			t.Fatalf("accepted batch does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatal("Encode(Decode(b)) != b")
		}
	})
}

func TestTxBatchGossip(t *testing.T) {
	batch, err := EncodeTxBatch(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := EncodeTxBatchGossip(1, batch), EncodeTxBatchGossip(2, batch)
	if bytes.Equal(a, b) {
		t.Fatal("two nonces, one encoding")
	}
	for _, g := range [][]byte{a, b} {
		if txs, _, err := DecodeTxBatchGossip(g); err != nil || len(txs) != 0 {
			t.Fatalf("decoded %v, %v", txs, err)
		}
	}
	if _, _, err := DecodeTxBatchGossip(a[:7]); err == nil {
		t.Fatal("decoded a batch without its nonce")
	}
	if _, _, err := DecodeTxBatchGossip(append(a[:8:8], 0xff)); err == nil {
		t.Fatal("decoded a nonce and junk")
	}
}

func FuzzDecodeTxBatchGossip(f *testing.F) {
	empty, _ := EncodeTxBatch(nil)
	f.Add(EncodeTxBatchGossip(7, empty))
	f.Add(EncodeTxBatchGossip(1<<63, []byte{0x81, 0x40}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		txs, raw, err := DecodeTxBatchGossip(b)
		if err != nil {
			return
		}
		if len(txs) != len(raw) {
			t.Fatalf("%d transactions for %d encodings", len(txs), len(raw))
		}
		again, err := EncodeTxBatch(raw)
		if err != nil {
			t.Fatalf("accepted batch does not re-encode: %v", err)
		}
		if !bytes.Equal(EncodeTxBatchGossip(binary.BigEndian.Uint64(b), again), b) {
			t.Fatal("Encode(Decode(b)) != b")
		}
	})
}
