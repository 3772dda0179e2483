package replica

import (
	"context"
	"errors"
	"fmt"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// Errors of ApplyCertified.
var (
	// ErrBadCertified reports a certified block that must not be
	// committed: its certificate does not verify against the validator set
	// of its height, or does not name the block. The peer that sent it is
	// at fault.
	ErrBadCertified = errors.New("replica: bad certified block")
	// ErrNotNext reports a certified block above the next height: the
	// blocks between are missing.
	ErrNotNext = errors.New("replica: certified block is not the next height")
	// ErrNotApplied reports a block whose certificate verified but that
	// the ledger did not commit.
	ErrNotApplied = errors.New("replica: certified block not applied")
	// ErrStopped reports a replica that is closed or whose loop stopped.
	ErrStopped = errors.New("replica: stopped")
)

// certReq is one ApplyCertified call waiting for the loop.
type certReq struct {
	ce   consensus.Certified
	done chan error // buffered: the loop never blocks on it
}

// ApplyCertified commits a block that block sync fetched, on the replica's
// loop, through the same path as a catch-up response: the core verifies
// the certificate against the validator set it tracks for the height
// (more than two thirds of the voting power, every signature checked),
// the ledger re-executes the block, and the core advances. It returns
// nil once the block is committed, or if that height was committed
// already (by catch-up or consensus meanwhile); ErrNotNext for a block
// above the next height; an error wrapping ErrBadCertified if the peer
// that sent it is at fault; ErrNotApplied if the certificate holds but
// the ledger refused the block. value is the block's encoding, the value
// commit names.
func (r *Replica) ApplyCertified(ctx context.Context, value []byte, commit *protocols.Commit) error {
	q := certReq{ce: consensus.Certified{Commit: *commit, Value: value}, done: make(chan error, 1)}
	select {
	case r.certs <- q:
	case <-ctx.Done():
		return ctx.Err()
	case <-r.loopDone:
		return ErrStopped
	}
	select {
	case err := <-q.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-r.loopDone:
		return ErrStopped
	}
}

// SetBulkSync tells the replica that block sync is fetching blocks for it.
// Meanwhile it neither proposes (its blocks would be for heights long
// decided) nor asks peers for single blocks through catch-up (block sync
// fetches them in bulk); it still votes, answers and follows gossip, so it
// can take over at once when sync ends.
func (r *Replica) SetBulkSync(on bool) { r.bulk.Store(on) }

// applyCertified runs on the loop.
func (r *Replica) applyCertified(ctx context.Context, ce *consensus.Certified) error {
	h := r.core.Height()
	switch {
	case ce.Commit.Height < h:
		return nil
	case ce.Commit.Height > h:
		return fmt.Errorf("%w: block %d, next is %d", ErrNotNext, ce.Commit.Height, h)
	}
	r.certHeight = h
	defer func() { r.certHeight = 0 }()
	if err := r.core.Step(consensus.Input{Certified: ce}); err != nil {
		return fmt.Errorf("%w: height %d: %v", ErrBadCertified, h, err)
	}
	if err := r.drain(ctx); err != nil {
		return err
	}
	if r.core.Height() <= h {
		// The certificate held, so the value is what the validators
		// decided, and the peer only relayed it: either this node failed
		// to execute it (validate logs why) or more than a third of the
		// validators are faulty. Not the peer's fault.
		return fmt.Errorf("%w: certified block %d", ErrNotApplied, h)
	}
	return nil
}

// walRecords drops from recs the records of a height that a certified
// block decides in this same pass (certHeight): the height is committed
// before the pass ends, and if the node crashes first it fetches the
// block again, so logging them would only cost fsyncs, and a WAL to prune
// at every height. Records of later heights (votes kept for the next
// height, the node's own) are logged as always.
func (r *Replica) walRecords(recs []consensus.Record) []consensus.Record {
	if r.certHeight == 0 {
		return recs
	}
	out := recs[:0:0]
	for _, rec := range recs {
		if rec.Height != r.certHeight {
			out = append(out, rec)
		}
	}
	return out
}
