package protocols

import (
	"encoding/binary"
	"fmt"
)

// Bounds of a transaction batch (the node API's POST /txs).
const (
	// MaxTxBatchLen bounds the transactions in one batch: about a full
	// block of transfers.
	MaxTxBatchLen = 1024
	// MaxTxBatchSize bounds an encoded batch; a batch is gossiped as one
	// message, so it leaves room in MaxGossipSize as a block does.
	MaxTxBatchSize = MaxBlockSize
)

// EncodeTxBatch returns the canonical encoding of a batch of encoded
// transactions: a CBOR array of byte strings, each an EncodeTx output. It
// checks each transaction's encoding and the batch's bounds.
func EncodeTxBatch(txs [][]byte) ([]byte, error) {
	if len(txs) > MaxTxBatchLen {
		return nil, fmt.Errorf("%w: %d transactions in a batch, limit %d; split it", ErrTooLarge, len(txs), MaxTxBatchLen)
	}
	for i, b := range txs {
		if _, err := DecodeTx(b); err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i, err)
		}
	}
	if txs == nil {
		txs = [][]byte{}
	}
	b, err := Marshal(txs)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxTxBatchSize {
		return nil, fmt.Errorf("%w: batch is %d bytes, limit %d; split it", ErrTooLarge, len(b), MaxTxBatchSize)
	}
	return b, nil
}

// DecodeTxBatch decodes a batch and each transaction in it (shapes only,
// as DecodeTx: signatures are not verified). It returns the transactions
// and their encodings, in order.
func DecodeTxBatch(b []byte) ([]*Tx, [][]byte, error) {
	var raw [][]byte
	if err := Unmarshal(b, &raw, MaxTxBatchSize); err != nil {
		return nil, nil, err
	}
	if raw == nil {
		// CBOR null decodes to a nil slice; the one encoding of an empty
		// batch is the empty array.
		return nil, nil, fmt.Errorf("%w: a batch must be an array", ErrNotCanonical)
	}
	if len(raw) > MaxTxBatchLen {
		return nil, nil, fmt.Errorf("%w: %d transactions in a batch, limit %d", ErrTooLarge, len(raw), MaxTxBatchLen)
	}
	txs := make([]*Tx, len(raw))
	for i, r := range raw {
		tx, err := DecodeTx(r)
		if err != nil {
			return nil, nil, fmt.Errorf("transaction %d: %w", i, err)
		}
		txs[i] = tx
	}
	return txs, raw, nil
}

// EncodeTxBatchGossip returns how a batch travels on the batch gossip
// topic: an 8-byte big-endian nonce, then the batch's encoding. Gossip
// names a message by its bytes, so a node that gossips the same
// transactions again (a client resubmitting them) numbers each publish.
func EncodeTxBatchGossip(nonce uint64, batch []byte) []byte {
	b := make([]byte, 8, 8+len(batch))
	binary.BigEndian.PutUint64(b, nonce)
	return append(b, batch...)
}

// DecodeTxBatchGossip decodes EncodeTxBatchGossip's output as
// DecodeTxBatch decodes a batch (the nonce means nothing else).
func DecodeTxBatchGossip(b []byte) ([]*Tx, [][]byte, error) {
	if len(b) < 8 {
		return nil, nil, fmt.Errorf("%w: gossiped batch of %d bytes lacks its 8-byte nonce", ErrNotCanonical, len(b))
	}
	return DecodeTxBatch(b[8:])
}
