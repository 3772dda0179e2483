package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/protocols"
)

// Root is a state root or a state digest: a SHA-256 value.
type Root [sha256.Size]byte

// String returns the root in hex.
func (r Root) String() string { return hex.EncodeToString(r[:]) }

// WriteSetCID returns the CID of the canonical encoding of ws (a CBOR array
// of [key, value] pairs in key order; an empty value deletes).
func WriteSetCID(ws WriteSet) (cid.Cid, error) {
	if ws == nil {
		ws = WriteSet{}
	}
	b, err := protocols.Marshal(ws)
	if err != nil {
		return cid.Undef, err
	}
	return protocols.CID(b), nil
}

// ChainRoot returns the state root after a block (or genesis, with a zero
// prev):
//
//	root_h = SHA-256(root_{h-1} ‖ CID(write set_h) bytes [‖ digest_h])
//
// where digest_h, the full-state digest (StateDigest), is included exactly
// at snapshot heights (h divisible by Params.SnapshotInterval, h = 0
// included) and digest is nil elsewhere. So every header's StateRoot
// commits to the whole history of writes, and a snapshot header's also to
// the whole state, which a syncing node checks (snapshot.go).
func ChainRoot(prev Root, wsCID cid.Cid, digest *Root) Root {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(wsCID.Bytes())
	if digest != nil {
		h.Write(digest[:])
	}
	var r Root
	h.Sum(r[:0])
	return r
}

// digester hashes state entries in key order: SHA-256 over
// uvarint(len key) ‖ key ‖ uvarint(len value) ‖ value for each entry.
type digester struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func newDigester() *digester { return &digester{h: sha256.New()} }

func (d *digester) add(k, v []byte) {
	d.h.Write(binary.AppendUvarint(d.buf[:0], uint64(len(k))))
	d.h.Write(k)
	d.h.Write(binary.AppendUvarint(d.buf[:0], uint64(len(v))))
	d.h.Write(v)
}

func (d *digester) sum() Root {
	var r Root
	d.h.Sum(r[:0])
	return r
}

// StateDigest returns the full-state digest of v: a hash of every state
// entry in key order.
func StateDigest(v View) (Root, error) {
	d := newDigester()
	err := v.Iterate(nil, func(k, val []byte) error {
		d.add(k, val)
		return nil
	})
	return d.sum(), err
}

// isSnapshotHeight reports whether the root at height h includes a digest.
func (p Params) isSnapshotHeight(h uint64) bool {
	return h%p.SnapshotInterval == 0
}
