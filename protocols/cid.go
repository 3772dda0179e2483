package protocols

import (
	"crypto/sha256"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// CID names canonical CBOR bytes: CIDv1 with the dag-cbor codec and a
// sha2-256 multihash. Blocks, transactions and receipts are named this way.
func CID(canonical []byte) cid.Cid {
	return newCID(cid.DagCBOR, canonical)
}

// cidPrefix is the binary head of CID's CIDs: version 1, dag-cbor,
// sha2-256, 32 bytes.
var cidPrefix = [4]byte{0x01, byte(cid.DagCBOR), mh.SHA2_256, sha256.Size}

// AppendCID appends CID(canonical).Bytes() to dst, without building the
// Cid: a node names every transaction of each block it commits this way.
func AppendCID(dst, canonical []byte) []byte {
	sum := sha256.Sum256(canonical)
	return append(append(dst, cidPrefix[:]...), sum[:]...)
}

// RawCID names opaque bytes (a model file, a blob): CIDv1, raw codec,
// sha2-256.
func RawCID(data []byte) cid.Cid {
	return newCID(cid.Raw, data)
}

func newCID(codec uint64, data []byte) cid.Cid {
	h, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil {
		// sha2-256 with the default length cannot fail.
		panic("protocols: sha2-256 multihash: " + err.Error())
	}
	return cid.NewCidV1(codec, h)
}
