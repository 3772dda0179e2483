package inference

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/ipfs/go-cid"
)

// sha256Code is the multihash code of sha2-256.
const sha256Code = 0x12

// CIDOf names b: CIDv1, raw codec, sha2-256.
func CIDOf(b []byte) cid.Cid {
	sum := sha256.Sum256(b)
	return cidFromDigest(sum[:])
}

func cidFromDigest(d []byte) cid.Cid {
	// multihash: code, length, digest (both varints < 128 here).
	mh := append([]byte{sha256Code, byte(len(d))}, d...)
	return cid.NewCidV1(cid.Raw, mh)
}

// FileCID hashes the file at path.
func FileCID(path string) (cid.Cid, error) {
	f, err := os.Open(path)
	if err != nil {
		return cid.Undef, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return cid.Undef, fmt.Errorf("hash %s: %w", path, err)
	}
	return cidFromDigest(h.Sum(nil)), nil
}
