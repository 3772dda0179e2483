package protocols

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

// A node encodes a transaction several times for each one it handles (its
// ID, its size, its signing bytes, the blocks holding it) and decodes it
// from every batch, block and proposal that carries it: with the
// reflective codec, that was a tenth of a busy node's CPU. Tx therefore
// has its own canonical encoder, byte for byte the reflective codec's
// (TestTxCodecMatchesReflective), and a decoder for that one canonical
// form; any other bytes go to the reflective decoder, which decides
// (FuzzTxCodec checks that the two agree).

// txReflect is Tx without its methods: what the reflective codec sees.
type txReflect Tx

// txFields is the length of a Tx's CBOR array.
const txFields = 8

// MarshalCBOR implements cbor.Marshaler: Tx's canonical encoding.
func (tx *Tx) MarshalCBOR() ([]byte, error) {
	return tx.appendCBOR(make([]byte, 0, tx.encodedSize())), nil
}

// encodedSize is the length of tx's encoding.
func (tx *Tx) encodedSize() int {
	return 1 + headLen(uint64(tx.Version)) + headLen(uint64(len(tx.ChainID))) + len(tx.ChainID) +
		headLen(uint64(tx.Kind)) + bytesLen(tx.Signer) + headLen(tx.Nonce) + headLen(tx.Fee) +
		bytesLen(tx.Payload) + bytesLen(tx.Sig)
}

// appendCBOR appends tx's canonical encoding to dst: the array of its
// fields in order, shortest heads, nil byte strings as null (as the
// reflective codec's CoreDetEncOptions writes them).
func (tx *Tx) appendCBOR(dst []byte) []byte {
	dst = append(dst, 0x80|txFields)
	dst = appendHead(dst, 0, uint64(tx.Version))
	dst = appendHead(dst, 3, uint64(len(tx.ChainID)))
	dst = append(dst, tx.ChainID...)
	dst = appendHead(dst, 0, uint64(tx.Kind))
	dst = appendBytes(dst, tx.Signer)
	dst = appendHead(dst, 0, tx.Nonce)
	dst = appendHead(dst, 0, tx.Fee)
	dst = appendBytes(dst, tx.Payload)
	return appendBytes(dst, tx.Sig)
}

// appendTxs appends the encoding of txs (null if nil) to dst.
func appendTxs(dst []byte, txs []Tx) []byte {
	if txs == nil {
		return append(dst, 0xf6)
	}
	n := 9
	for i := range txs {
		n += txs[i].encodedSize()
	}
	dst = appendHead(slices.Grow(dst, n), 4, uint64(len(txs)))
	for i := range txs {
		dst = txs[i].appendCBOR(dst)
	}
	return dst
}

// UnmarshalCBOR implements cbor.Unmarshaler. The canonical form is read
// directly; anything else by the reflective decoder, so errors and the
// values of non-canonical input (which Unmarshal then rejects) are the
// reflective codec's.
func (tx *Tx) UnmarshalCBOR(b []byte) error {
	if decodeTxCanonical(b, tx) {
		return nil
	}
	return decMode.Unmarshal(b, (*txReflect)(tx))
}

// rawTx is a Tx's fields as its canonical encoding holds them, the byte
// strings still in the encoding's memory.
type rawTx struct {
	version, kind, nonce, fee uint64
	chainID, signer, payload  []byte
	sig                       []byte
}

// readRawTx reads b's fields if b has the canonical shape of a Tx (an
// array of txFields items, each in canonical form, nothing after it).
func readRawTx(b []byte) (rawTx, bool) {
	if len(b) == 0 || b[0] != 0x80|txFields {
		return rawTx{}, false
	}
	r := canonicalReader{b: b[1:]}
	var t rawTx
	var ok [8]bool
	t.version, ok[0] = r.uint(0)
	t.chainID, ok[1] = r.bytes(3)
	t.kind, ok[2] = r.uint(0)
	t.signer, ok[3] = r.nilOrBytes()
	t.nonce, ok[4] = r.uint(0)
	t.fee, ok[5] = r.uint(0)
	t.payload, ok[6] = r.nilOrBytes()
	t.sig, ok[7] = r.nilOrBytes()
	return t, ok == [8]bool{true, true, true, true, true, true, true, true} && len(r.b) == 0
}

// decodeTxCanonical decodes b into tx if b is exactly the canonical
// encoding of a Tx, and reports whether it was; tx is unchanged if not.
func decodeTxCanonical(b []byte, tx *Tx) bool {
	t, ok := readRawTx(b)
	if !ok || t.version > 0xff || t.kind > 0xff || t.chainID == nil || !utf8.Valid(t.chainID) {
		return false
	}
	// One copy for the three byte strings and the encoding kept
	// (tx_cache.go): the decoded Tx owns its bytes, and no field shares
	// memory with the encoding.
	n := len(t.signer) + len(t.payload) + len(t.sig)
	buf := make([]byte, 0, n+len(b))
	take := func(s []byte) []byte {
		if s == nil {
			return nil
		}
		buf = append(buf, s...)
		return buf[len(buf)-len(s) : len(buf) : len(buf)]
	}
	*tx = Tx{Version: uint8(t.version), ChainID: string(t.chainID), Kind: TxKind(t.kind),
		Signer: take(t.signer), Nonce: t.nonce, Fee: t.fee, Payload: take(t.payload), Sig: take(t.sig)}
	tx.cacheEncoding(append(buf[n:n], b...))
	return true
}

// canonicalReader reads CBOR items with the shortest heads and definite
// lengths from the start of b; each read reports false and consumes
// nothing on anything else.
type canonicalReader struct{ b []byte }

// uint reads the head of major type major and returns its argument.
func (r *canonicalReader) uint(major byte) (uint64, bool) {
	if len(r.b) == 0 || r.b[0]>>5 != major {
		return 0, false
	}
	h := r.b[0] & 0x1f
	var v, min uint64
	var n int
	switch {
	case h < 24:
		r.b = r.b[1:]
		return uint64(h), true
	case h == 24 && len(r.b) >= 2:
		v, n, min = uint64(r.b[1]), 2, 24
	case h == 25 && len(r.b) >= 3:
		v, n, min = uint64(binary.BigEndian.Uint16(r.b[1:])), 3, 1<<8
	case h == 26 && len(r.b) >= 5:
		v, n, min = uint64(binary.BigEndian.Uint32(r.b[1:])), 5, 1<<16
	case h == 27 && len(r.b) >= 9:
		v, n, min = binary.BigEndian.Uint64(r.b[1:]), 9, 1<<32
	default:
		return 0, false
	}
	if v < min {
		return 0, false
	}
	r.b = r.b[n:]
	return v, true
}

// bytes reads a string of major type major (2: bytes, 3: text) and
// returns its content, a subslice of the input (non-nil, maybe empty).
func (r *canonicalReader) bytes(major byte) ([]byte, bool) {
	save := r.b
	n, ok := r.uint(major)
	if !ok || n > uint64(len(r.b)) {
		r.b = save
		return nil, false
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s, true
}

// nilOrBytes reads null (nil) or a byte string (non-nil).
func (r *canonicalReader) nilOrBytes() ([]byte, bool) {
	if len(r.b) > 0 && r.b[0] == 0xf6 {
		r.b = r.b[1:]
		return nil, true
	}
	return r.bytes(2)
}

// appendHead appends a CBOR head of major type major with the shortest
// encoding of v.
func appendHead(dst []byte, major byte, v uint64) []byte {
	m := major << 5
	switch {
	case v < 24:
		return append(dst, m|byte(v))
	case v <= 0xff:
		return append(dst, m|24, byte(v))
	case v <= 0xffff:
		return binary.BigEndian.AppendUint16(append(dst, m|25), uint16(v))
	case v <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(dst, m|26), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, m|27), v)
}

// appendBytes appends b as a byte string, or null if b is nil.
func appendBytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, 0xf6)
	}
	return append(appendHead(dst, 2, uint64(len(b))), b...)
}

// headLen is the length of the shortest head for v.
func headLen(v uint64) int {
	switch {
	case v < 24:
		return 1
	case v <= 0xff:
		return 2
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	}
	return 9
}

// bytesLen is the length of appendBytes' output for b.
func bytesLen(b []byte) int {
	if b == nil {
		return 1
	}
	return headLen(uint64(len(b))) + len(b)
}
