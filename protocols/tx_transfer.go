package protocols

import "encoding/binary"

// Transfers are most of a busy chain's transactions, and a node decodes a
// transaction's payload each time it checks the transaction's shape
// (decoding, encoding, admitting, executing; several times per node per
// transaction). decodeTransfer reads the one canonical encoding of a
// Transfer directly; anything else goes to the general decoder, which
// decides. FuzzTransferPayload checks that the two agree.

// decodeTransfer decodes the canonical encoding of a Transfer: the array
// [32-byte string, unsigned integer] with the shortest integer head. ok is
// false for any other bytes.
func decodeTransfer(b []byte) (t *Transfer, ok bool) {
	v, ok := transferAmount(b)
	if !ok {
		return nil, false
	}
	return &Transfer{To: append([]byte(nil), b[3:transferHead]...), Amount: v}, true
}

// transferHead is the length of a canonical Transfer before its amount:
// 0x82, 0x58 0x20, the key.
const transferHead = 3 + 32

// transferAmount is decodeTransfer without the allocation: the amount, if
// b is the canonical encoding of a Transfer.
func transferAmount(b []byte) (uint64, bool) {
	if len(b) < transferHead+1 || b[0] != 0x82 || b[1] != 0x58 || b[2] != 32 {
		return 0, false
	}
	v, n := canonicalUint(b[transferHead:])
	if n == 0 || transferHead+n != len(b) {
		return 0, false
	}
	return v, true
}

// canonicalUint decodes a CBOR unsigned integer with the shortest head
// at the start of b and returns it and its length; 0 length otherwise.
func canonicalUint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	var v, min uint64
	var n int
	switch h := b[0]; {
	case h < 24:
		return uint64(h), 1
	case h == 0x18 && len(b) >= 2:
		v, n, min = uint64(b[1]), 2, 24
	case h == 0x19 && len(b) >= 3:
		v, n, min = uint64(binary.BigEndian.Uint16(b[1:])), 3, 1<<8
	case h == 0x1a && len(b) >= 5:
		v, n, min = uint64(binary.BigEndian.Uint32(b[1:])), 5, 1<<16
	case h == 0x1b && len(b) >= 9:
		v, n, min = binary.BigEndian.Uint64(b[1:]), 9, 1<<32
	default:
		return 0, 0
	}
	if v < min {
		return 0, 0
	}
	return v, n
}
