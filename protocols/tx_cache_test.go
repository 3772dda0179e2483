package protocols

import (
	"bytes"
	"testing"
)

// uncachedTx returns a copy of tx built in memory: no cached encoding, its
// own byte slices.
func uncachedTx(tx *Tx) *Tx {
	c := uncached(*tx)
	c.Signer = bytes.Clone(tx.Signer)
	c.Payload = bytes.Clone(tx.Payload)
	c.Sig = bytes.Clone(tx.Sig)
	return &c
}

// checkFresh fails unless everything tx_cache.go answers for tx (its
// encoding, signing bytes, ID, and its part of a block's TxsHash) is what
// a Tx with the same fields and no cache gets.
func checkFresh(t *testing.T, name string, tx *Tx) {
	t.Helper()
	want := uncachedTx(tx)
	wantEnc := want.appendCBOR(nil)
	wantSign, err := want.SignBytes()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := tx.SignBytes(); !bytes.Equal(got, wantSign) {
		t.Errorf("%s: SignBytes = %x, want %x", name, got, wantSign)
	}
	if sc, err := tx.SigCheck(tx.ChainID); err != nil || !bytes.Equal(sc.Canonical, wantSign) {
		t.Errorf("%s: SigCheck canonical = %x, %v; want %x", name, sc.Canonical, err, wantSign)
	}
	if got, want := tx.AppendID(nil), AppendCID(nil, wantEnc); !bytes.Equal(got, want) {
		t.Errorf("%s: AppendID = %x, want %x", name, got, want)
	}
	if got, err := tx.ID(); err == nil {
		if w, _ := want.ID(); got != w {
			t.Errorf("%s: ID = %s, want %s", name, got, w)
		}
	}
	if got, _ := Marshal(tx); !bytes.Equal(got, wantEnc) {
		t.Errorf("%s: Marshal = %x, want %x", name, got, wantEnc)
	}
	got, _ := TxsHash([]Tx{*tx, *want})
	w, _ := TxsHash([]Tx{*want, *want})
	if got != w {
		t.Errorf("%s: TxsHash = %s, want %s", name, got, w)
	}
}

// TestTxCacheNotStale: a decoded Tx changed afterwards, by assigning a
// field or writing into its byte slices, is named, signed and hashed by
// its new fields, never by the bytes it was decoded from.
func TestTxCacheNotStale(t *testing.T) {
	mutations := []struct {
		name   string
		mutate func(*Tx)
	}{
		{"unchanged", func(*Tx) {}},
		{"version", func(tx *Tx) { tx.Version++ }},
		{"chain", func(tx *Tx) { tx.ChainID = "main" }},
		{"kind", func(tx *Tx) { tx.Kind = TxAddStake }},
		{"nonce", func(tx *Tx) { tx.Nonce++ }},
		{"nonce-wider", func(tx *Tx) { tx.Nonce = 1 << 40 }},
		{"fee", func(tx *Tx) { tx.Fee = 1 }},
		{"signer-byte", func(tx *Tx) { tx.Signer[0] ^= 1 }},
		{"signer-nil", func(tx *Tx) { tx.Signer = nil }},
		{"payload-byte", func(tx *Tx) { tx.Payload[len(tx.Payload)-1] ^= 1 }},
		{"payload-longer", func(tx *Tx) { tx.Payload = append(tx.Payload, 0) }},
		{"payload-empty", func(tx *Tx) { tx.Payload = []byte{} }},
		{"sig-byte", func(tx *Tx) { tx.Sig[63] ^= 1 }},
		{"sig-nil", func(tx *Tx) { tx.Sig = nil }},
		{"resigned", func(tx *Tx) {
			tx.Nonce += 7
			if err := tx.Sign(testKey(3)); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, m := range mutations {
		tx, err := DecodeTx(encodedTx(t))
		if err != nil {
			t.Fatal(err)
		}
		// Use the cache first, so a stale answer would be at hand.
		tx.AppendID(nil)
		if _, err := tx.SigCheck(tx.ChainID); err != nil {
			t.Fatal(err)
		}
		copied := *tx // a block's copy shares the cache
		m.mutate(tx)
		checkFresh(t, m.name, tx)
		checkFresh(t, m.name+"/copy", &copied)
		if m.name != "unchanged" && tx.encoding() != nil {
			t.Errorf("%s: the changed tx still uses its decoded encoding", m.name)
		}
	}
}

// TestTxCacheUsed: a Tx decoded from its canonical encoding, alone or in a
// block, keeps it, and its copies share it.
func TestTxCacheUsed(t *testing.T) {
	tx, err := DecodeTx(encodedTx(t))
	if err != nil {
		t.Fatal(err)
	}
	if tx.encoding() == nil {
		t.Fatal("a decoded tx has no cached encoding")
	}
	blk := testBlock(t, 3)
	enc, err := EncodeBlock(blk)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeBlock(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range back.Txs {
		c := back.Txs[i]
		if back.Txs[i].encoding() == nil || c.encoding() != back.Txs[i].encoding() {
			t.Fatalf("block tx %d: no shared cached encoding", i)
		}
	}
	if got, want := mustTxsHash(t, back.Txs), mustTxsHash(t, blk.Txs); got != want {
		t.Fatalf("TxsHash of the decoded block %s, of the built one %s", got, want)
	}
}

func mustTxsHash(t *testing.T, txs []Tx) string {
	t.Helper()
	h, err := TxsHash(txs)
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}
