package sim

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/taonet/tao/protocols"
)

// The application: a chain of blocks, each naming its height, its parent
// state hash, its proposer and a payload. The state is a hash chain over
// the committed blocks, so two replicas at one height with the same state
// hash executed the same blocks.

type block struct {
	_        struct{} `cbor:",toarray"`
	Height   uint64
	Parent   []byte // state hash after Height-1
	Proposer uint16
	Payload  uint64
}

type app struct {
	hashes [][]byte // hashes[h] is the state hash after height h; hashes[0] genesis
}

func newApp() *app {
	g := sha256.Sum256([]byte("tao/sim genesis"))
	return &app{hashes: [][]byte{g[:]}}
}

func (a *app) height() uint64 { return uint64(len(a.hashes) - 1) }

func (a *app) propose(h uint64, proposer int, payload uint64) []byte {
	b, err := protocols.Marshal(&block{Height: h, Parent: a.hashes[h-1], Proposer: uint16(proposer), Payload: payload})
	if err != nil {
		panic(err)
	}
	return b
}

// valid is the deterministic validity every honest replica computes.
func (a *app) valid(h uint64, value []byte) bool {
	var b block
	if err := protocols.Unmarshal(value, &b, 1024); err != nil {
		return false
	}
	return b.Height == h && h <= a.height()+1 && bytes.Equal(b.Parent, a.hashes[h-1])
}

func (a *app) apply(h uint64, value []byte) ([]byte, error) {
	if h != a.height()+1 {
		return nil, fmt.Errorf("apply height %d on state at %d", h, a.height())
	}
	s := sha256.New()
	s.Write(a.hashes[h-1])
	s.Write(value)
	a.hashes = append(a.hashes, s.Sum(nil))
	return a.hashes[h], nil
}
