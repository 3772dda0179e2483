package ledger

import "encoding/binary"

// Accounts and the supply are the records every transaction reads and
// writes (a transfer: four account reads and writes and the supply's),
// and both are a CBOR array of two unsigned integers. These encode and
// decode that shape directly, byte for byte what protocols.Marshal writes
// (canonical CBOR: the shortest head for each integer), without the
// general codec's reflection: a quarter of a transfer's execution went to
// it. TestPairCodec checks both against the general codec.

// appendPair appends the canonical CBOR encoding of the array [a, b].
func appendPair(dst []byte, a, b uint64) []byte {
	dst = append(dst, 0x82) // array of 2
	return appendUint(appendUint(dst, a), b)
}

// appendUint appends the canonical CBOR encoding of the unsigned integer v.
func appendUint(dst []byte, v uint64) []byte {
	switch {
	case v < 24:
		return append(dst, byte(v))
	case v <= 0xff:
		return append(dst, 0x18, byte(v))
	case v <= 0xffff:
		return binary.BigEndian.AppendUint16(append(dst, 0x19), uint16(v))
	case v <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(dst, 0x1a), uint32(v))
	default:
		return binary.BigEndian.AppendUint64(append(dst, 0x1b), v)
	}
}

// decodePair decodes what appendPair writes. ok is false for any other
// bytes, canonical or not: the caller then decodes with the general codec,
// which decides (and names what is wrong).
func decodePair(b []byte) (x, y uint64, ok bool) {
	if len(b) < 3 || b[0] != 0x82 {
		return 0, 0, false
	}
	x, n := decodeUint(b[1:])
	if n == 0 {
		return 0, 0, false
	}
	y, m := decodeUint(b[1+n:])
	if m == 0 || 1+n+m != len(b) {
		return 0, 0, false
	}
	return x, y, true
}

// decodeUint decodes a canonical CBOR unsigned integer at the start of b
// and returns it and its length; 0 length for anything else.
func decodeUint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	var v uint64
	var n int
	switch h := b[0]; {
	case h < 24:
		return uint64(h), 1
	case h == 0x18 && len(b) >= 2:
		v, n = uint64(b[1]), 2
		if v < 24 {
			return 0, 0
		}
	case h == 0x19 && len(b) >= 3:
		v, n = uint64(binary.BigEndian.Uint16(b[1:])), 3
		if v <= 0xff {
			return 0, 0
		}
	case h == 0x1a && len(b) >= 5:
		v, n = uint64(binary.BigEndian.Uint32(b[1:])), 5
		if v <= 0xffff {
			return 0, 0
		}
	case h == 0x1b && len(b) >= 9:
		v, n = binary.BigEndian.Uint64(b[1:]), 9
		if v <= 0xffffffff {
			return 0, 0
		}
	default:
		return 0, 0
	}
	return v, n
}
