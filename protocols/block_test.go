package protocols

import (
	"bytes"
	"errors"
	"testing"
)

func testBlock(t testing.TB, ntx int) *Block {
	txs := []Tx{}
	for i := range ntx {
		txs = append(txs, *signedTx(t, uint64(i)))
	}
	th, err := TxsHash(txs)
	if err != nil {
		t.Fatal(err)
	}
	return &Block{
		Header: Header{
			Version: BlockVersion, ChainID: "dev", Height: 7, Time: 1_700_000_000_000,
			PrevHash: CID([]byte{0x80}).Bytes(), TxsHash: th.Bytes(),
			StateRoot: bytes.Repeat([]byte{1}, HashSize), ValidatorsHash: bytes.Repeat([]byte{2}, HashSize),
			Proposer: testPub(3),
		},
		Txs: txs,
	}
}

func encodedBlock(t testing.TB, ntx int) []byte {
	b, err := EncodeBlock(testBlock(t, ntx))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBlockRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		b := encodedBlock(t, n)
		blk, err := DecodeBlock(b)
		if err != nil {
			t.Fatalf("txs=%d: %v", n, err)
		}
		if len(blk.Txs) != n {
			t.Fatalf("txs=%d: decoded %d", n, len(blk.Txs))
		}
		again, err := EncodeBlock(blk)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("txs=%d: re-encode differs: %v", n, err)
		}
		id, err := blk.ID()
		if err != nil {
			t.Fatal(err)
		}
		hb, _ := EncodeHeader(&blk.Header)
		if id != CID(hb) {
			t.Fatal("block ID is not the CID of its header")
		}
		h, err := DecodeHeader(hb)
		if err != nil || h.Height != 7 {
			t.Fatalf("DecodeHeader: %v", err)
		}
		th, _ := TxsHash(blk.Txs)
		if !bytes.Equal(th.Bytes(), blk.Header.TxsHash) {
			t.Fatal("TxsHash differs after round trip")
		}
	}
}

func TestEncodeBlockNilTxs(t *testing.T) {
	blk := testBlock(t, 0)
	blk.Txs = nil
	b, err := EncodeBlock(blk)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, encodedBlock(t, 0)) {
		t.Fatal("nil and empty tx lists encode differently")
	}
	nilTxs, _ := TxsHash(nil)
	emptyTxs, _ := TxsHash([]Tx{})
	if nilTxs != emptyTxs {
		t.Fatal("TxsHash(nil) != TxsHash(empty)")
	}
}

func TestDecodeBlockRejects(t *testing.T) {
	good := encodedBlock(t, 2)
	mutate := func(f func(*Block)) []byte {
		blk := testBlock(t, 2)
		f(blk)
		b, err := Marshal(blk)
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
		{"too-large", make([]byte, MaxBlockSize+1)},
		{"version", mutate(func(b *Block) { b.Header.Version = 9 })},
		{"height-0", mutate(func(b *Block) { b.Header.Height = 0 })},
		{"time-0", mutate(func(b *Block) { b.Header.Time = 0 })},
		{"null-txs", mutate(func(b *Block) { b.Txs = nil })},
		{"bad-prev", mutate(func(b *Block) { b.Header.PrevHash = []byte{1, 2, 3} })},
		{"short-root", mutate(func(b *Block) { b.Header.StateRoot = b.Header.StateRoot[:31] })},
		{"short-valhash", mutate(func(b *Block) { b.Header.ValidatorsHash = nil })},
		{"short-proposer", mutate(func(b *Block) { b.Header.Proposer = b.Header.Proposer[:1] })},
		{"bad-tx", mutate(func(b *Block) { b.Txs[1].Kind = 77 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeBlock(tt.b); err == nil {
				t.Fatal("decoded, want error")
			}
		})
	}
}

func TestEncodeBlockTooManyTxs(t *testing.T) {
	blk := testBlock(t, 1)
	blk.Txs = make([]Tx, MaxTxsPerBlock+1)
	for i := range blk.Txs {
		blk.Txs[i] = blk.Txs[0]
	}
	blk.Txs[0] = *signedTx(t, 0)
	if _, err := EncodeBlock(blk); !errors.Is(err, ErrBadBlock) {
		t.Fatalf("got %v, want ErrBadBlock", err)
	}
}

func FuzzDecodeBlock(f *testing.F) {
	f.Add(encodedBlock(f, 0))
	f.Add(encodedBlock(f, 2))
	hb, _ := EncodeHeader(&testBlock(f, 0).Header)
	f.Add(hb)
	f.Add([]byte{0x82})
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := DecodeBlock(b)
		if err != nil {
			return
		}
		again, err := EncodeBlock(blk)
		if err != nil {
			t.Fatalf("accepted block does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("Encode(Decode(b)) != b")
		}
		if _, err := blk.ID(); err != nil {
			t.Fatalf("accepted block has no ID: %v", err)
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	hb, _ := EncodeHeader(&testBlock(f, 0).Header)
	f.Add(hb)
	f.Add([]byte{0x89})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		if err != nil {
			return
		}
		again, err := EncodeHeader(h)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("Encode(Decode(b)) != b: %v", err)
		}
	})
}
