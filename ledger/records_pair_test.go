package ledger

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// TestPairCodec: appendPair writes protocols.Marshal's bytes for both
// records, decodePair reads them back, and whatever else decodePair
// accepts decodes to the same values with the general codec.
func TestPairCodec(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	edges := []uint64{0, 1, 23, 24, 255, 256, 65535, 65536, 1<<32 - 1, 1 << 32, 1<<64 - 1}
	vals := append([]uint64(nil), edges...)
	for range 2000 {
		vals = append(vals, r.Uint64()>>r.UintN(64))
	}
	for i, a := range vals {
		b := vals[(i*7+3)%len(vals)]
		acct := accountRecord{Balance: market.Rao(a), Nonce: b}
		want, err := protocols.Marshal(&acct)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPair(nil, a, b); !bytes.Equal(got, want) {
			t.Fatalf("appendPair(%d, %d) = %x, Marshal gives %x", a, b, got, want)
		}
		sup, _ := protocols.Marshal(&supplyRecord{Issued: market.Rao(a), Burned: market.Rao(b)})
		if !bytes.Equal(sup, want) {
			t.Fatalf("supply and account encodings differ: %x, %x", sup, want)
		}
		x, y, ok := decodePair(want)
		if !ok || x != a || y != b {
			t.Fatalf("decodePair(%x) = %d, %d, %v; want %d, %d", want, x, y, ok, a, b)
		}
	}
	// Odd inputs: rejected, or decoded as the general codec decodes them.
	odd := [][]byte{nil, {0x82}, {0x82, 0x01}, {0x83, 1, 2, 3}, {0x82, 1, 2, 3}, {0x82, 0x18, 5, 1},
		{0x82, 0x19, 0, 1, 1}, {0x82, 0x1c, 1}, {0x82, 0x20, 1}, {0x81, 1}, {0x9f, 1, 2, 0xff}}
	for range 5000 {
		b := []byte{0x82}
		for range 1 + r.IntN(18) {
			b = append(b, byte(r.UintN(256)))
		}
		odd = append(odd, b)
	}
	for _, b := range odd {
		x, y, ok := decodePair(b)
		if !ok {
			continue
		}
		var acct accountRecord
		if err := protocols.UnmarshalStored(b, &acct, maxRecordSize); err != nil || uint64(acct.Balance) != x || acct.Nonce != y {
			t.Fatalf("decodePair(%x) = %d, %d; general codec %+v, %v", b, x, y, acct, err)
		}
	}
	var long [9]byte
	long[0] = 0x1b
	binary.BigEndian.PutUint64(long[1:], 5)
	if _, _, ok := decodePair(append([]byte{0x82, 1}, long[:]...)); ok {
		t.Fatal("a non-minimal integer decoded")
	}
}

func BenchmarkAccountRecord(b *testing.B) {
	o := newOverlay(stateView{NewMemStore()})
	a := acct(1)
	for b.Loop() {
		r, err := getAccount(o, a)
		if err != nil {
			b.Fatal(err)
		}
		r.Nonce++
		r.Balance += 1000
		if err := putAccount(o, a, r); err != nil {
			b.Fatal(err)
		}
	}
}
