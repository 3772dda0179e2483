package ledger

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/taonet/tao/protocols"
)

func testValidatorSet() ValidatorSet {
	var vs ValidatorSet
	for i := range 3 {
		var v Validator
		v.Hotkey[0], v.Coldkey[0], v.Power = byte(3-i), 9, uint64(10*(i+1))
		vs = append(vs, v)
	}
	return vs
}

func TestValidatorSetEncoding(t *testing.T) {
	vs := testValidatorSet()
	b, err := vs.Encode()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := vs.Hash()
	if sum := sha256.Sum256(b); !bytes.Equal(sum[:], h) {
		t.Fatal("Hash is not the SHA-256 of Encode")
	}
	got, err := DecodeValidatorSet(b)
	if err != nil || len(got) != 3 {
		t.Fatalf("decode: %v, %v", got, err)
	}
	// The same validators in another order encode differently: refused,
	// since their bytes are not the ones a header's hash covers.
	unsorted, _ := marshalPlain(vs)
	if bytes.Equal(unsorted, b) {
		t.Fatal("test set is already in canonical order")
	}
	if _, err := DecodeValidatorSet(unsorted); err == nil {
		t.Fatal("unsorted set accepted")
	}
	dup := append(testValidatorSet(), testValidatorSet()[0])
	db, _ := marshalPlain(dup)
	if _, err := DecodeValidatorSet(db); err == nil {
		t.Fatal("duplicate hotkey accepted")
	}
	for _, bad := range [][]byte{nil, {0x80}, {0xff}, append(bytes.Clone(b), 0)} {
		if _, err := DecodeValidatorSet(bad); err == nil {
			t.Fatalf("%x accepted", bad)
		}
	}
}

// FuzzDecodeValidatorSet: any bytes decode to an error or to a valid set
// that encodes back to the same bytes.
func FuzzDecodeValidatorSet(f *testing.F) {
	b, _ := testValidatorSet().Encode()
	f.Add(b)
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := DecodeValidatorSet(b)
		if err != nil {
			return
		}
		again, err := vs.Encode()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("decoded set re-encodes to %x (%v), read %x", again, err, b)
		}
	})
}

// marshalPlain encodes vs in its own order.
func marshalPlain(vs ValidatorSet) ([]byte, error) { return protocols.Marshal(vs) }
