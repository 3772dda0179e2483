package ledger

import (
	"errors"
	"fmt"

	"github.com/taonet/tao/protocols"
)

// headerSlack is room kept in a proposed block for its header and framing.
const headerSlack = 1024

// txIDSize is the length of a transaction's ID (CID bytes: a version 1
// dag-cbor sha2-256 CID).
const txIDSize = 4 + 32

// maxExecuted bounds the cache of executed-but-uncommitted blocks (one per
// proposal seen at the next height).
const maxExecuted = 8

// ProposeBlock builds the block at height (the tip's next) from the
// mempool: up to maxTxs transactions (and Params.MaxBlockTxs, and
// Params.MaxBlockBytes) in arrival order, executed on a scratch copy of the
// state to fill in the state root. timeMs is the proposer's clock and must
// be after the tip's time; proposer must be a validator. Transactions that
// no longer execute are left out and dropped from the mempool. Nothing is
// committed: the consensus driver gossips the block and commits it with
// CommitBlock once decided.
func (l *Ledger) ProposeBlock(height uint64, timeMs int64, proposer []byte, maxTxs int) (*protocols.Block, error) {
	l.commitMu.Lock()
	defer l.commitMu.Unlock()
	view, tip, release := l.snapshot()
	defer release()
	if height != tip.Height+1 {
		return nil, fmt.Errorf("ledger: propose at height %d, but the next height is %d", height, tip.Height+1)
	}
	maxTxs = min(maxTxs, l.chain.Params.MaxBlockTxs)
	txs := l.pool.Reap(l.chain.Params.MaxBlockBytes-headerSlack, maxTxs)

	e := NewExec(view, l.chain, tip)
	vs, err := e.ValidatorSet()
	if err != nil {
		return nil, err
	}
	vh, err := vs.Hash()
	if err != nil {
		return nil, err
	}
	b := &protocols.Block{Header: protocols.Header{
		Version: protocols.BlockVersion, ChainID: l.chain.ID, Height: height, Time: timeMs,
		PrevHash: tip.BlockID, ValidatorsHash: vh, Proposer: proposer,
	}, Txs: []protocols.Tx{}}
	if err := e.BeginBlock(&b.Header); err != nil {
		return nil, fmt.Errorf("ledger: propose: %w", err)
	}
	deferred := map[string]bool{} // signers whose next transaction waits for a later block
	for _, tx := range txs {
		if deferred[string(tx.Signer)] {
			continue
		}
		if _, err := e.deliver(tx, true); err != nil {
			if errors.Is(err, ErrDeferred) {
				deferred[string(tx.Signer)] = true // kept, with the signer's later nonces
				continue
			}
			l.log.Debug("proposal leaves out a transaction", "err", err)
			l.pool.remove(tx)
			continue
		}
		b.Txs = append(b.Txs, *tx)
	}
	if _, err := e.EndBlock(); err != nil {
		return nil, err
	}
	out, err := e.Commit()
	if err != nil {
		return nil, err
	}
	th, err := protocols.TxsHash(b.Txs)
	if err != nil {
		return nil, err
	}
	b.Header.TxsHash = th.Bytes()
	b.Header.StateRoot = out.Root[:]
	if err := l.remember(&executedBlock{out: out, block: b}, tip); err != nil {
		return nil, err
	}
	return b, nil
}

// ValidateBlock checks b as the next block: every header field, every
// transaction, and the state root, by executing it on a scratch copy of
// the committed state. An error wrapping ErrInvalidBlock means b is bad;
// any other error is local. The execution is kept for CommitBlock.
func (l *Ledger) ValidateBlock(b *protocols.Block) error {
	l.commitMu.Lock()
	defer l.commitMu.Unlock()
	_, err := l.executeLocked(b)
	return err
}

// executedBlock is a block at tip+1 that ProposeBlock or ValidateBlock
// executed.
type executedBlock struct {
	out   *Outcome
	block *protocols.Block
	enc   []byte // its encoding, if known
}

// executeLocked returns b's execution, from the cache or by Apply. The
// caller holds commitMu.
func (l *Ledger) executeLocked(b *protocols.Block) (*executedBlock, error) {
	id, err := b.ID()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidBlock, err)
	}
	view, tip, release := l.snapshot()
	defer release()
	l.mu.RLock()
	ex := l.executed[string(id.Bytes())]
	l.mu.RUnlock()
	if ex != nil && ex.out.Height == tip.Height+1 {
		// The header (the ID) fixes the txs hash and the state root; the
		// transactions must still be the ones it names. Then b is the
		// block executed, and its encoding is the one remembered.
		if err := checkTxsHash(b); err != nil {
			return nil, err
		}
		return ex, nil
	}
	out, enc, err := apply(view, l.chain, tip, b, l.batch)
	if err != nil {
		return nil, err
	}
	ex = &executedBlock{out: out, block: b, enc: enc}
	return ex, l.remember(ex, tip)
}

func (l *Ledger) remember(ex *executedBlock, tip Tip) error {
	id, err := ex.block.ID()
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tip.Height != tip.Height {
		return nil // a commit raced ahead; the outcome is stale
	}
	if l.executed == nil || len(l.executed) >= maxExecuted {
		l.executed = make(map[string]*executedBlock)
	}
	l.executed[string(id.Bytes())] = ex
	return nil
}

// CommitBlock validates b (or reuses ValidateBlock's execution) and
// commits it with its commit certificate (opaque bytes from consensus) in
// one atomic write: the block, the certificate, the state writes, the
// transaction index, the validator set that committed the block (kept by
// its hash, for ValidatorSetByHash, when the store lacks it) and the new
// tip. Then it updates the mempool and, at
// snapshot heights, stores a snapshot.
//
// Committing a block that is already committed is a no-op, so a driver
// that replays its WAL after a crash may repeat the last commit.
func (l *Ledger) CommitBlock(b *protocols.Block, cert []byte) error {
	l.commitMu.Lock()
	defer l.commitMu.Unlock()
	if done, err := l.alreadyCommitted(b); done || err != nil {
		return err
	}
	ex, err := l.executeLocked(b)
	if err != nil {
		return err
	}
	out := ex.out
	id, err := b.ID()
	if err != nil {
		return err
	}
	enc := ex.enc
	if enc == nil {
		if enc, err = protocols.EncodeBlock(b); err != nil {
			return err
		}
	}
	tip := Tip{Height: b.Header.Height, BlockID: id.Bytes(), Time: b.Header.Time, Root: out.Root}
	batch, err := l.headerBatch(out, tip)
	if err != nil {
		return err
	}
	batch = append(batch, KV{Key: heightKey(nsBlock, tip.Height), Value: enc})
	if len(cert) > 0 {
		batch = append(batch, KV{Key: heightKey(nsCert, tip.Height), Value: cert})
	}
	kept, err := l.keepValidatorSet(b.Header.ValidatorsHash)
	if err != nil {
		return fmt.Errorf("commit block %d: keep its validator set: %w", tip.Height, err)
	}
	batch = append(batch, kept...)
	ids := make([]string, len(b.Txs)) // CID bytes, for the tx index and the mempool
	// The index's keys are cut from one buffer: one allocation per block
	// instead of one per transaction.
	keys := make([]byte, 0, len(b.Txs)*(1+txIDSize))
	for i := range b.Txs {
		k := len(keys)
		keys = b.Txs[i].AppendID(append(keys, nsTx))
		key := keys[k:len(keys):len(keys)]
		ids[i] = string(key[1:])
		rec := appendTxRecord(nil, &txRecord{Height: tip.Height, Index: uint32(i), Result: out.Results[i]})
		batch = append(batch, KV{Key: key, Value: rec})
	}
	if err := l.store.Write(batch); err != nil {
		return fmt.Errorf("commit block %d: %w", tip.Height, err)
	}
	l.mu.Lock()
	l.tip = tip
	l.executed = nil
	l.mu.Unlock()
	l.pool.update(ids, out.BlockWrites)
	if l.chain.Params.isSnapshotHeight(tip.Height) {
		if err := l.writeSnapshot(tip.Height); err != nil {
			// The block is committed; a missing snapshot only means
			// syncing nodes use the previous one.
			l.log.Warn("snapshot not stored", "height", tip.Height, "err", err)
		}
	}
	return nil
}

// alreadyCommitted reports whether b is committed at its height, and an
// error if another block is.
func (l *Ledger) alreadyCommitted(b *protocols.Block) (bool, error) {
	h := b.Header.Height
	if h == 0 || h > l.Height() {
		return false, nil
	}
	id, err := b.ID()
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrInvalidBlock, err)
	}
	raw, err := l.store.Get(heightKey(nsBlock, h))
	if err != nil || raw == nil {
		return false, err // below a restored snapshot: Apply reports the height
	}
	stored, err := protocols.DecodeBlock(raw)
	if err != nil {
		return false, fmt.Errorf("%w: block %d: %v", ErrCorrupt, h, err)
	}
	sid, err := stored.ID()
	if err != nil {
		return false, fmt.Errorf("%w: block %d: %v", ErrCorrupt, h, err)
	}
	if sid != id {
		return false, fmt.Errorf("%w: height %d is committed with block %s, not %s", ErrInvalidBlock, h, sid, id)
	}
	return true, checkTxsHash(b)
}
