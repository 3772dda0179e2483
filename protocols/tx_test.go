package protocols

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func signedTx(t testing.TB, nonce uint64) *Tx {
	tx, err := NewTx("dev", nonce, 1000, &Transfer{To: testPub(2), Amount: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Sign(testKey(1)); err != nil {
		t.Fatal(err)
	}
	return tx
}

func encodedTx(t testing.TB) []byte {
	b, err := EncodeTx(signedTx(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTxRoundTrip(t *testing.T) {
	b := encodedTx(t)
	tx, err := DecodeTx(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Verify("dev"); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := tx.Verify("main"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("Verify on other chain: got %v, want ErrWrongChain", err)
	}
	body, err := tx.Body()
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := body.(*Transfer)
	if !ok || tr.Amount != 5 || !bytes.Equal(tr.To, testPub(2)) {
		t.Fatalf("body = %#v", body)
	}
	again, err := EncodeTx(tx)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encode differs: %v", err)
	}
	id, err := tx.ID()
	if err != nil || id != CID(b) {
		t.Fatalf("ID = %v, %v; want CID of encoding", id, err)
	}
}

func TestTxTampered(t *testing.T) {
	tx := signedTx(t, 3)
	tx.Nonce++
	if err := tx.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered nonce: got %v, want ErrBadSignature", err)
	}
	tx.Nonce--
	b, _ := tx.SignBytes()
	tx.Sig = Sign(testKey(1), "dev", KindVote, b)
	if err := tx.Verify("dev"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("cross-kind signature: got %v, want ErrBadSignature", err)
	}
}

func TestDecodeTxRejects(t *testing.T) {
	good := encodedTx(t)
	mutate := func(f func(*Tx)) []byte {
		tx := signedTx(t, 3)
		f(tx)
		b, err := Marshal(tx)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"too-large", make([]byte, MaxTxSize+1)},
		{"not-array", []byte{0xa0}},
		{"indefinite", []byte{0x9f, 0xff}},
		{"version", mutate(func(tx *Tx) { tx.Version = 2 })},
		{"unknown-kind", mutate(func(tx *Tx) { tx.Kind = 200 })},
		{"reserved-kind", mutate(func(tx *Tx) { tx.Kind = TxSetWeights })},
		{"short-signer", mutate(func(tx *Tx) { tx.Signer = tx.Signer[:31] })},
		{"unsigned", mutate(func(tx *Tx) { tx.Sig = nil })},
		{"bad-chain", mutate(func(tx *Tx) { tx.ChainID = "Dev" })},
		{"payload-garbage", mutate(func(tx *Tx) { tx.Payload = []byte{0xff} })},
		{"payload-trailing", mutate(func(tx *Tx) { tx.Payload = append(tx.Payload, 0) })},
		{"zero-amount", mutate(func(tx *Tx) { tx.Payload, _ = Marshal(&Transfer{To: make([]byte, 32)}) })},
		{"short-recipient", mutate(func(tx *Tx) { tx.Payload, _ = Marshal(&Transfer{To: make([]byte, 31), Amount: 1}) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeTx(tt.b); err == nil {
				t.Fatal("decoded, want error")
			}
		})
	}
}

func TestTxKindString(t *testing.T) {
	if got := TxTransfer.String(); got != "transfer" {
		t.Fatalf("got %q", got)
	}
	if got := TxKind(99).String(); got != "kind(99)" {
		t.Fatalf("got %q", got)
	}
}

func FuzzDecodeTx(f *testing.F) {
	f.Add(encodedTx(f))
	f.Add([]byte{0x88})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		again, err := EncodeTx(tx)
		if err != nil {
			t.Fatalf("accepted tx does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("Encode(Decode(b)) != b")
		}
		if _, err := tx.Body(); err != nil {
			t.Fatalf("accepted tx has a bad body: %v", err)
		}
		_ = tx.Verify(tx.ChainID)
	})
}

func testPub(seed byte) []byte { return []byte(testKey(seed).Public().(ed25519.PublicKey)) }
