package ledger

import (
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/protocols"
)

// txRecord is the transaction index entry: where a transaction was
// committed and what it did.
type txRecord struct {
	_      struct{} `cbor:",toarray"`
	Height uint64
	Index  uint32
	Result Result
}

// TxState is where a transaction is.
type TxState uint8

const (
	TxUnknown   TxState = iota // never seen, dropped, or committed before this node's snapshot
	TxPending                  // in this node's mempool
	TxCommitted                // in a committed block
)

// String returns "unknown", "pending" or "committed".
func (s TxState) String() string {
	switch s {
	case TxPending:
		return "pending"
	case TxCommitted:
		return "committed"
	}
	return "unknown"
}

// TxStatus is the answer of Ledger.TxStatus. Height, Index and Result are
// set when State is TxCommitted.
type TxStatus struct {
	State  TxState
	Height uint64
	Index  int
	Result Result
}

// TxStatus looks a transaction up by its CID.
func (l *Ledger) TxStatus(id cid.Cid) (TxStatus, error) {
	b, err := l.store.Get(txKey(id.Bytes()))
	if err != nil {
		return TxStatus{}, err
	}
	if b != nil {
		var r txRecord
		if err := protocols.Unmarshal(b, &r, maxRecordSize); err != nil {
			return TxStatus{}, fmt.Errorf("%w: tx %s: %v", ErrCorrupt, id, err)
		}
		return TxStatus{State: TxCommitted, Height: r.Height, Index: int(r.Index), Result: r.Result}, nil
	}
	if l.pool.Has(id) {
		return TxStatus{State: TxPending}, nil
	}
	return TxStatus{State: TxUnknown}, nil
}

// Block returns the committed block at height and its commit certificate
// (nil if none was given). ErrNotFound for heights not stored: 0, above the
// tip, or below a restored snapshot.
func (l *Ledger) Block(height uint64) (*protocols.Block, []byte, error) {
	raw, err := l.BlockBytes(height)
	if err != nil {
		return nil, nil, err
	}
	b, err := protocols.DecodeBlock(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: block %d: %v", ErrCorrupt, height, err)
	}
	cert, err := l.store.Get(heightKey(nsCert, height))
	if err != nil {
		return nil, nil, err
	}
	return b, cert, nil
}

// BlockBytes returns the encoding of the committed block at height, as
// block sync serves it.
func (l *Ledger) BlockBytes(height uint64) ([]byte, error) {
	raw, err := l.store.Get(heightKey(nsBlock, height))
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: no block at height %d (tip is %d)", ErrNotFound, height, l.Height())
	}
	return raw, nil
}
