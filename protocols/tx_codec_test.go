package protocols

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomTx returns a Tx with fields of every length class the encoder
// distinguishes: nil and empty byte strings, each integer head size.
func randomTx(r *rand.Rand) *Tx {
	ints := []uint64{0, 1, 23, 24, 255, 256, 65535, 65536, 1<<32 - 1, 1 << 32, 1<<64 - 1}
	num := func() uint64 {
		if r.IntN(2) == 0 {
			return ints[r.IntN(len(ints))]
		}
		return r.Uint64() >> r.IntN(64)
	}
	bs := func() []byte {
		switch r.IntN(4) {
		case 0:
			return nil
		case 1:
			return []byte{}
		}
		n := []int{1, 23, 24, 32, 64, 255, 256, 300}[r.IntN(8)]
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	chain := []string{"", "dev", "main", "é-net", string(make([]byte, 30))}[r.IntN(5)]
	return &Tx{Version: uint8(num()), ChainID: chain, Kind: TxKind(num()), Signer: bs(),
		Nonce: num(), Fee: num(), Payload: bs(), Sig: bs()}
}

// uncached returns tx without the encoding it was decoded from
// (tx_cache.go), to compare its fields with a Tx built otherwise.
func uncached(tx Tx) Tx {
	tx.enc = nil
	return tx
}

// TestTxCodecMatchesReflective: the hand-written encoder writes what the
// reflective codec writes, and both decoders read it back to the same
// value.
func TestTxCodecMatchesReflective(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		tx := randomTx(r)
		if i == 0 {
			tx = signedTx(t, 3)
		}
		want, err := encMode.Marshal((*txReflect)(tx))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(tx)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Marshal(%+v) = %x, %v; reflective codec %x", tx, got, err, want)
		}
		if tx.encodedSize() != len(want) {
			t.Fatalf("encodedSize = %d, want %d", tx.encodedSize(), len(want))
		}
		var fast, slow Tx
		if err := Unmarshal(want, &fast, MaxTxSize); err != nil {
			t.Fatalf("Unmarshal(%x): %v", want, err)
		}
		if err := decMode.Unmarshal(want, (*txReflect)(&slow)); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(uncached(fast), slow) || !reflect.DeepEqual(uncached(fast), *tx) {
			t.Fatalf("decoded %+v, reflective %+v, encoded %+v", fast, slow, tx)
		}
		// Inside another value (a block), through cbor.Marshaler.
		type wrap struct {
			_   struct{} `cbor:",toarray"`
			Txs []Tx
		}
		w1, err := encMode.Marshal(&wrap{Txs: []Tx{*tx}})
		if err != nil {
			t.Fatal(err)
		}
		w2, err := encMode.Marshal(&struct {
			_   struct{} `cbor:",toarray"`
			Txs []txReflect
		}{Txs: []txReflect{txReflect(*tx)}})
		if err != nil || !bytes.Equal(w1, w2) {
			t.Fatalf("nested encoding %x, reflective %x (%v)", w1, w2, err)
		}
	}
}

// TestTxListCodec: lists of transactions and blocks encode as the
// reflective codec encodes them.
func TestTxListCodec(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		var txs []Tx
		if i > 0 {
			txs = []Tx{}
		}
		for range r.IntN(5) {
			txs = append(txs, *randomTx(r))
		}
		want, err := encMode.Marshal(txs)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := Marshal(txs); !bytes.Equal(got, want) {
			t.Fatalf("Marshal(%d txs) = %x, want %x", len(txs), got, want)
		}
		blk := &Block{Header: Header{Version: 1, ChainID: "dev", Height: uint64(i), Time: int64(r.Uint32()), Proposer: testPub(1)}, Txs: txs}
		want, err = encMode.Marshal(blk)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := Marshal(blk); !bytes.Equal(got, want) {
			t.Fatalf("Marshal(block) = %x, want %x", got, want)
		}
		var back Block
		err = Unmarshal(want, &back, MaxBlockSize)
		for i := range back.Txs {
			back.Txs[i] = uncached(back.Txs[i])
		}
		if err != nil || !reflect.DeepEqual(&back, blk) {
			t.Fatalf("Unmarshal(block) = %+v, %v; want %+v", back, err, blk)
		}
	}
}

// FuzzTxCodec: Unmarshal into a Tx (the canonical fast path, else the
// reflective decoder) accepts exactly what the reflective decoder with
// the canonical check accepts, with the same value; and what it accepts
// re-encodes to the input.
func FuzzTxCodec(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		b, _ := Marshal(randomTx(r))
		f.Add(b)
	}
	f.Add(encodedTx(f))
	f.Add([]byte{0x88, 0x01, 0x63, 'd', 'e', 'v', 0x01, 0xf6, 0x00, 0x00, 0xf6, 0xf6})
	f.Add([]byte{0x88, 0x18, 0x01, 0x63, 'd', 'e', 'v', 0x01, 0xf6, 0x00, 0x00, 0xf6, 0xf6}) // non-minimal
	f.Add([]byte{0x88, 0x01, 0x62, 0xc3, 0x28, 0x01, 0xf6, 0x00, 0x00, 0xf6, 0xf6})          // bad UTF-8
	f.Add([]byte{0x88, 0x19, 0x01, 0x00, 0x60, 0x01, 0x40, 0x00, 0x00, 0x40, 0x40})          // version 256
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast, slow Tx
		errFast := Unmarshal(b, &fast, MaxTxSize)
		errSlow := decMode.Unmarshal(b, (*txReflect)(&slow))
		if errSlow == nil {
			again, err := encMode.Marshal((*txReflect)(&slow))
			if err != nil || !bytes.Equal(again, b) {
				errSlow = ErrNotCanonical
			}
		}
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("%x: Unmarshal says %v, the reflective codec %v", b, errFast, errSlow)
		}
		if errFast != nil {
			return
		}
		if !reflect.DeepEqual(uncached(fast), slow) {
			t.Fatalf("%x: decoded %+v, reflective %+v", b, fast, slow)
		}
		if again, _ := Marshal(&fast); !bytes.Equal(again, b) {
			t.Fatalf("%x re-encodes to %x", b, again)
		}
	})
}

// TestMarshalNil checks that a nil *Tx or *Block encodes as CBOR null, as
// the reflective encoder writes it, instead of panicking in the
// hand-written path.
func TestMarshalNil(t *testing.T) {
	for _, v := range []any{(*Tx)(nil), (*Block)(nil)} {
		b, err := Marshal(v)
		if err != nil || len(b) != 1 || b[0] != 0xf6 {
			t.Errorf("Marshal(%T nil) = %x, %v; want f6 (null)", v, b, err)
		}
	}
}
