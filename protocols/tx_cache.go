package protocols

import (
	"bytes"
	"crypto/sha256"
	"sync"
)

// A node handles each transaction it decodes several times: its ID for the
// mempool and the transaction index, its signing bytes for the signature
// check (in the gossip validator, the mempool and the block's execution),
// its share of the block's TxsHash. Each of those encoded it again. A Tx
// decoded from its canonical form therefore keeps a copy of those bytes
// (txEncoding), and derives its signing bytes and ID from them once.
//
// The copy is used only while it is still tx's encoding: every use first
// compares tx's fields with it (matches, no allocation, a few dozen
// nanoseconds), so a Tx changed after decoding, by a field assignment or
// by writing into Signer, Payload or Sig (which do not share its memory),
// is encoded afresh, never named by stale bytes.

// txEncoding is the canonical encoding a Tx was decoded from, shared by the
// copies of that Tx (a block's Txs copy the mempool's), and what is derived
// from it. b is never modified.
type txEncoding struct {
	b        []byte
	sigStart int // offset of the signature field (the last) in b

	once sync.Once // guards sign, id: computed on first use
	sign []byte    // SignBytes: b with Sig null
	id   []byte    // CID bytes of b
}

// cacheEncoding records b, tx's canonical encoding, as its cached
// encoding; the caller has just decoded tx from b. b is kept, not copied:
// the caller gives it up.
func (tx *Tx) cacheEncoding(b []byte) {
	tx.enc = &txEncoding{b: b, sigStart: len(b) - bytesLen(tx.Sig)}
}

// encoding returns tx's cached encoding if it is still tx's encoding, or
// nil. The bytes are shared: the caller must not modify them.
func (tx *Tx) encoding() *txEncoding {
	if tx.enc == nil || !tx.matches(tx.enc.b) {
		return nil
	}
	return tx.enc
}

// derived returns the signing bytes and the CID bytes of e, computing them
// on first use. Both are shared: the caller must not modify them.
func (e *txEncoding) derived() (sign, id []byte) {
	e.once.Do(func() {
		// The signature is the last field: the signing bytes are b up to
		// it, then null (Sig nil), as SignBytes encodes them.
		n := e.sigStart
		buf := make([]byte, 0, n+1+len(cidPrefix)+sha256.Size) // one allocation for both
		buf = append(append(buf, e.b[:n]...), 0xf6)
		e.sign = buf[: n+1 : n+1]
		e.id = AppendCID(buf[n+1:], e.b)
	})
	return e.sign, e.id
}

// matches reports whether b is exactly tx's canonical encoding (what
// appendCBOR would write), without encoding tx.
func (tx *Tx) matches(b []byte) bool {
	t, ok := readRawTx(b)
	return ok && t.version == uint64(tx.Version) && string(t.chainID) == tx.ChainID &&
		t.kind == uint64(tx.Kind) && t.nonce == tx.Nonce && t.fee == tx.Fee &&
		sameBytes(t.signer, tx.Signer) && sameBytes(t.payload, tx.Payload) && sameBytes(t.sig, tx.Sig)
}

// sameBytes reports whether a and b encode alike: equal contents, and
// both nil (null) or both non-nil (a byte string, maybe empty).
func sameBytes(a, b []byte) bool {
	return (a == nil) == (b == nil) && bytes.Equal(a, b)
}

// AppendID appends the bytes of tx's ID (the CID of its encoding, as
// ID returns it, without the shape checks of EncodeTx) to dst. A Tx
// decoded from its canonical encoding and unchanged since names it
// without encoding or hashing again.
func (tx *Tx) AppendID(dst []byte) []byte {
	if e := tx.encoding(); e != nil {
		_, id := e.derived()
		return append(dst, id...)
	}
	return AppendCID(dst, tx.appendCBOR(make([]byte, 0, tx.encodedSize())))
}
