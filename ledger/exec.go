package ledger

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/protocols"
)

// Chain is what every replica of a chain agrees on before any block: its ID
// and its parameters (from the Genesis).
type Chain struct {
	ID     string
	Params Params
}

// Tip is the last committed height: what the next block builds on.
type Tip struct {
	_       struct{} `cbor:",toarray"`
	Height  uint64
	BlockID []byte // CID bytes of the last header; the genesis hash at height 0
	Time    int64  // unix ms of the last header; the genesis time at height 0
	Root    Root   // state root at Height
}

// Event is something a transaction did, for indexers and clients. Events
// are part of a transaction's result, not of the state root.
type Event struct {
	_     struct{} `cbor:",toarray"`
	Type  string
	Attrs []Attr
}

// Attr is one attribute of an Event.
type Attr struct {
	_     struct{} `cbor:",toarray"`
	Key   string
	Value string
}

// Result is what a committed transaction did.
type Result struct {
	_      struct{} `cbor:",toarray"`
	Fee    uint64   // rao burned
	Events []Event
}

// Outcome is the result of executing a block: the writes to make, the
// state root they lead to, and each transaction's result.
type Outcome struct {
	Height      uint64
	Writes      WriteSet
	WriteSetCID cid.Cid
	Digest      *Root // full-state digest; non-nil at snapshot heights only
	PrevRoot    Root
	Root        Root
	Results     []Result
	// ValidatorUpdates is the whole new validator set, taking effect at
	// the next height, when the block changed it (an epoch boundary's
	// recomputation); nil otherwise.
	ValidatorUpdates []Validator
	// BlockWrites reports that the block changed state outside its
	// transactions (the market's block step ran over some subnet).
	BlockWrites bool
}

// Exec executes one block over a View in the ABCI order: BeginBlock, then
// DeliverTx for each transaction, then EndBlock, then Commit. It is pure:
// no I/O beyond the View, no clock, no randomness, no map order. It never
// writes to the View; Commit returns the writes. An Exec is single-use and
// not safe for concurrent use.
type Exec struct {
	chain   Chain
	tip     Tip
	base    View
	block   *overlay
	header  *protocols.Header
	results []Result
	stepped bool        // the market's block step wrote
	updates []Validator // the validator set from the next height, if EndBlock changed it
	check   bool        // the mempool's check state: no header, per-block limits not applied
	state   int         // 0 new, 1 begun, 2 ended, 3 committed
	txo     *overlay    // the current transaction's writes, over block (deliver)
	txc     txContext   // the current transaction's context (deliver)
}

// NewExec returns an executor of the block after tip over v, the state at
// tip.
func NewExec(v View, c Chain, tip Tip) *Exec {
	return &Exec{chain: c, tip: tip, base: v, block: newOverlay(v)}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidBlock, fmt.Sprintf(format, args...))
}

// BeginBlock checks the parts of h fixed before execution (chain, height,
// previous block, time, validator set, proposer) and starts the block.
// TxsHash and StateRoot are not read: they are checked by Apply.
func (e *Exec) BeginBlock(h *protocols.Header) error {
	if e.state != 0 {
		return errors.New("ledger: BeginBlock called twice")
	}
	switch {
	case h.Version != protocols.BlockVersion:
		return invalid("version %d, this node speaks %d", h.Version, protocols.BlockVersion)
	case h.ChainID != e.chain.ID:
		return fmt.Errorf("%w: block is for chain %q, this is %q", ErrInvalidBlock, h.ChainID, e.chain.ID)
	case h.Height != e.tip.Height+1:
		return invalid("height %d, want %d", h.Height, e.tip.Height+1)
	case !bytes.Equal(h.PrevHash, e.tip.BlockID):
		return invalid("previous hash does not name block %d", e.tip.Height)
	case h.Time <= e.tip.Time:
		return invalid("time %d is not after the previous block's %d", h.Time, e.tip.Time)
	}
	vs, err := getValidators(e.base)
	if err != nil {
		return err
	}
	vh, err := vs.Hash()
	if err != nil {
		return err
	}
	if !bytes.Equal(h.ValidatorsHash, vh) {
		return invalid("validators hash %x is not the current set's %x", h.ValidatorsHash, vh)
	}
	if !vs.Has(h.Proposer) {
		return invalid("proposer %x is not a validator", h.Proposer)
	}
	e.header = h
	e.state = 1
	// The market's block step (spec/dtao.md §2) runs before the
	// transactions, as a chain's on-initialize does.
	n := e.block.len()
	if err := e.blockStep(); err != nil {
		return err
	}
	e.stepped = e.block.len() != n
	return nil
}

// DeliverTx executes tx after checking its signature. A rejected
// transaction returns one of the ledger's typed errors and changes nothing.
func (e *Exec) DeliverTx(tx *protocols.Tx) (Result, error) {
	return e.deliver(tx, false)
}

// deliver executes tx; checked skips the stateless checks (checkTx:
// shape, size, chain, signature, fee floor) for a caller that ran them
// already (the mempool, or Apply's parallel pass).
func (e *Exec) deliver(tx *protocols.Tx, checked bool) (Result, error) {
	if e.state != 1 {
		return Result{}, errors.New("ledger: DeliverTx outside BeginBlock..EndBlock")
	}
	if !checked {
		if err := checkTx(e.chain, tx, protocols.Verify); err != nil {
			return Result{}, err
		}
	}
	body, err := tx.Body()
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v; %s", ErrMalformedTx, err, malformedTxFix)
	}
	// One transaction overlay and context per Exec, emptied for each
	// transaction: a block's thousand transfers allocated a thousand
	// of each. Neither outlives deliver: merge copies the overlay's
	// writes out, and the result takes only the events.
	if e.txo == nil {
		e.txo = newOverlay(e.block)
	} else {
		e.txo.reset()
	}
	e.txc = txContext{o: e.txo, chain: e.chain, header: e.header, tx: tx, check: e.check}
	c := &e.txc
	c.signer, _ = AccountOf(tx.Signer) // length checked by checkTx
	if err := c.chargeFee(); err != nil {
		return Result{}, err
	}
	if err := c.run(body); err != nil {
		return Result{}, err
	}
	e.block.merge(c.o)
	r := Result{Fee: tx.Fee, Events: c.events}
	if !e.check { // the mempool's check state keeps no results
		e.results = append(e.results, r)
	}
	return r, nil
}

// EndBlock ends the block's transactions and, at an epoch boundary (every
// Params.Tempo blocks), recomputes the validator set from the candidates'
// stake; it returns the new set if it changed (it applies from the next
// height). The market's epochs run in BeginBlock.
func (e *Exec) EndBlock() ([]Validator, error) {
	if e.state != 1 {
		return nil, errors.New("ledger: EndBlock before BeginBlock")
	}
	e.state = 2
	if e.check {
		return nil, nil
	}
	vs, err := e.updateValidators()
	if err != nil {
		return nil, err
	}
	e.updates = vs
	return vs, nil
}

// Commit returns the block's outcome: its sorted write set and the state
// root after it.
func (e *Exec) Commit() (*Outcome, error) {
	if e.state != 2 {
		return nil, errors.New("ledger: Commit before EndBlock")
	}
	e.state = 3
	ws := e.block.sorted(nil)
	wsCID, err := WriteSetCID(ws)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Height: e.header.Height, Writes: ws, WriteSetCID: wsCID, PrevRoot: e.tip.Root, Results: e.results, BlockWrites: e.stepped || e.updates != nil, ValidatorUpdates: e.updates}
	if e.chain.Params.isSnapshotHeight(out.Height) {
		d, err := StateDigest(e.block)
		if err != nil {
			return nil, err
		}
		out.Digest = &d
	}
	out.Root = ChainRoot(e.tip.Root, wsCID, out.Digest)
	return out, nil
}

// ValidatorSet returns the validator set of the state being executed.
func (e *Exec) ValidatorSet() (ValidatorSet, error) { return getValidators(e.block) }

// newCheckExec returns an executor for checking transactions against the
// state at tip, as if in the next block (the mempool's check state). It
// skips BeginBlock's header checks: there is no header yet.
func newCheckExec(v View, c Chain, tip Tip) *Exec {
	e := NewExec(v, c, tip)
	e.header = &protocols.Header{Version: protocols.BlockVersion, ChainID: c.ID, Height: tip.Height + 1, Time: tip.Time + 1}
	e.state = 1
	e.check = true
	return e
}
