package ledger

import (
	"bytes"
	"fmt"

	"github.com/taonet/tao/protocols"
)

// Apply executes block b on v, the state at tip, and checks everything the
// header claims: chain, height, previous block, time, validator set,
// proposer, size, the transactions' hash and the state root after them.
// Every transaction must be accepted; one rejected transaction makes the
// block invalid (a proposer only includes transactions it executed). The
// error wraps ErrInvalidBlock for a bad block, and anything else for a
// local failure (a store read).
//
// Apply is pure: it reads v only, and its result depends on nothing but its
// arguments. Signatures are verified in batches, in parallel, before execution; the
// error reported is that of the lowest failing index, so it is the same on
// every machine.
func Apply(v View, c Chain, tip Tip, b *protocols.Block) (*Outcome, error) {
	out, _, err := apply(v, c, tip, b, protocols.VerifyBatch)
	return out, err
}

// apply is Apply with signatures checked by verify, which must answer as
// protocols.VerifyBatch does (a VerifyCache), so the result is Apply's.
// It also returns the block's encoding.
func apply(v View, c Chain, tip Tip, b *protocols.Block, verify protocols.VerifyBatchFunc) (*Outcome, []byte, error) {
	if len(b.Txs) > c.Params.MaxBlockTxs {
		return nil, nil, invalid("%d transactions, limit %d", len(b.Txs), c.Params.MaxBlockTxs)
	}
	if err := checkTxsHash(b); err != nil {
		return nil, nil, err
	}
	e := NewExec(v, c, tip)
	if err := e.BeginBlock(&b.Header); err != nil {
		return nil, nil, err
	}
	// Each transaction's own checks before the block's encoding, so that
	// a bad transaction is reported with its typed error.
	if i, err := verifySigs(c, b.Txs, verify); err != nil {
		return nil, nil, fmt.Errorf("%w: transaction %d: %w", ErrInvalidBlock, i, err)
	}
	enc, err := protocols.EncodeBlock(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidBlock, err)
	}
	if len(enc) > c.Params.MaxBlockBytes {
		return nil, nil, invalid("block is %d bytes, limit %d", len(enc), c.Params.MaxBlockBytes)
	}
	for i := range b.Txs {
		if _, err := e.deliver(&b.Txs[i], true); err != nil {
			return nil, nil, fmt.Errorf("%w: transaction %d: %w", ErrInvalidBlock, i, err)
		}
	}
	if _, err := e.EndBlock(); err != nil {
		return nil, nil, err
	}
	out, err := e.Commit()
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(out.Root[:], b.Header.StateRoot) {
		return nil, nil, invalid("state root %x, but executing the block gives %x", b.Header.StateRoot, out.Root)
	}
	return out, enc, nil
}

// checkTxsHash checks that the header's TxsHash names b's transactions.
func checkTxsHash(b *protocols.Block) error {
	th, err := protocols.TxsHash(b.Txs)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidBlock, err)
	}
	if !bytes.Equal(th.Bytes(), b.Header.TxsHash) {
		return invalid("txs hash does not match the transactions")
	}
	return nil
}

// verifySigs checks every transaction's chain and signature (in batches,
// on all CPUs: protocols.VerifyBatch) and returns the lowest failing index
// and its error.
func verifySigs(c Chain, txs []protocols.Tx, verify protocols.VerifyBatchFunc) (int, error) {
	for i, err := range checkTxs(c, txs, verify) {
		if err != nil {
			return i, err
		}
	}
	return 0, nil
}
