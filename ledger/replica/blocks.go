package replica

import (
	"bytes"
	"sync"

	"github.com/taonet/tao/protocols"
)

// maxDecoded bounds the decoded blocks kept (a few rounds' proposals).
const maxDecoded = 8

// decoded remembers blocks by their value, so that a block is decoded
// once per node: the proposer's own block is never decoded, and the block
// a validator checked is the one it commits (the ledger then finds its
// execution and encoding cached). Safe for concurrent use: the proposer
// builds blocks off the loop.
type decoded struct {
	mu sync.Mutex // guards m
	m  map[string]decodedBlock
}

type decodedBlock struct {
	value []byte
	b     *protocols.Block
}

// get returns the block whose encoding is value, decoding it if needed.
func (d *decoded) get(value []byte) (*protocols.Block, error) {
	id := string(protocols.ValueID(value))
	d.mu.Lock()
	e, ok := d.m[id]
	d.mu.Unlock()
	if ok && bytes.Equal(e.value, value) {
		return e.b, nil
	}
	b, err := protocols.DecodeBlock(value)
	if err != nil {
		return nil, err
	}
	d.put(value, b)
	return b, nil
}

// put remembers that value encodes b. Neither is modified afterwards.
func (d *decoded) put(value []byte, b *protocols.Block) {
	id := string(protocols.ValueID(value))
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil || len(d.m) >= maxDecoded {
		d.m = make(map[string]decodedBlock)
	}
	d.m[id] = decodedBlock{value: value, b: b}
}

// forget drops the blocks of heights up to h (committed).
func (d *decoded) forget(h uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, e := range d.m {
		if e.b.Header.Height <= h {
			delete(d.m, id)
		}
	}
}
