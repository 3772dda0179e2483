package ledger

import (
	"fmt"
	"sync"

	"github.com/ipfs/go-cid"
	"github.com/taonet/tao/protocols"
)

// MempoolConfig bounds a Mempool. Zero fields take the defaults.
type MempoolConfig struct {
	MaxTxs   int // transactions held; 0: 10 000
	MaxBytes int // encoded bytes held; 0: 64 MiB
}

func (c MempoolConfig) withDefaults() MempoolConfig {
	if c.MaxTxs <= 0 {
		c.MaxTxs = 10_000
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 64 << 20
	}
	return c
}

// Mempool holds transactions waiting for a block, in arrival order. A
// transaction enters only if it executes on the committed state followed
// by every transaction already pending (the check state, as CheckTx in
// ABCI), so an account's transactions are held in nonce order without
// gaps, and a proposal built from a prefix of the pool executes. After a
// block commits, Update drops its transactions and those it made invalid.
//
// A Mempool is safe for concurrent use. It does no I/O: the state it checks
// against comes from the function given to NewMempool.
type Mempool struct {
	chain  Chain
	verify protocols.VerifyFunc // set once, before use
	state  func() (View, Tip)   // committed state and tip

	mu    sync.Mutex // guards all below
	cfg   MempoolConfig
	txs   []*poolEntry // arrival order
	byID  map[string]*poolEntry
	bytes int
	check *Exec // committed state + txs; nil: stale, rebuilt (reset) when next needed

	advanced int // blocks advance moved check over since the last reset
}

type poolEntry struct {
	tx   *protocols.Tx
	id   string // CID bytes
	size int
}

// NewMempool returns an empty mempool for chain c, checking transactions
// against the state returned by state.
func NewMempool(c Chain, cfg MempoolConfig, state func() (View, Tip)) *Mempool {
	m := &Mempool{chain: c, verify: protocols.Verify, state: state, cfg: cfg.withDefaults(), byID: make(map[string]*poolEntry)}
	return m
}

// reset rebuilds the check state from the committed state and re-checks
// the pending transactions in arrival order, dropping those that fail
// (and so an account's later nonces). The caller holds mu, or is Open.
func (m *Mempool) reset() {
	v, tip := m.state()
	m.check = newCheckExec(v, m.chain, tip)
	m.advanced = 0
	kept := m.txs[:0]
	for _, e := range m.txs {
		if _, err := m.check.deliver(e.tx, true); err != nil {
			delete(m.byID, e.id)
			m.bytes -= e.size
			continue
		}
		kept = append(kept, e)
	}
	clear(m.txs[len(kept):])
	m.txs = kept
}

// Add checks tx against the committed state and the pending transactions
// and holds it. Errors: the ledger's transaction rejections (ErrBadNonce,
// ErrInsufficientFunds, ErrBadSignature, ...), ErrTxKnown, ErrMempoolFull.
// A rejected transaction leaves the mempool unchanged.
func (m *Mempool) Add(tx *protocols.Tx) error {
	// The ID and size without encoding tx where it was decoded (a
	// gossiped batch, a POST): tx.AppendID names it by those bytes.
	var idBuf [64]byte
	e := &poolEntry{tx: tx, id: string(tx.AppendID(idBuf[:0])), size: tx.Size()}
	// A held transaction passed every check below: the same bytes again
	// (a node's own gossip, a peer's duplicate) skip them.
	m.mu.Lock()
	m.freshLocked()
	known := m.byID[e.id] != nil
	m.mu.Unlock()
	if known {
		return ErrTxKnown
	}
	// Stateless checks first, without the lock: the signature is the
	// expensive part and needs no state.
	if err := checkTx(m.chain, tx, m.verify); err != nil {
		return err
	}
	// From here on the pool relies on these checks: deliver(tx, true)
	// skips them.
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID[e.id] != nil {
		return ErrTxKnown
	}
	if len(m.txs) >= m.cfg.MaxTxs || m.bytes+e.size > m.cfg.MaxBytes {
		return fmt.Errorf("%w (%d transactions, %d bytes held)", ErrMempoolFull, len(m.txs), m.bytes)
	}
	m.freshLocked()
	if _, err := m.check.deliver(tx, true); err != nil {
		return err
	}
	m.txs = append(m.txs, e)
	m.byID[e.id] = e
	m.bytes += e.size
	return nil
}

// Reap returns the oldest pending transactions, at most maxTxs of them and
// at most maxBytes encoded, without removing them. The slice is the
// caller's; the transactions are shared and must not be modified.
func (m *Mempool) Reap(maxBytes, maxTxs int) []*protocols.Tx {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*protocols.Tx
	size := 0
	for _, e := range m.txs {
		if len(out) >= maxTxs || size+e.size > maxBytes {
			break // stopping, not skipping, keeps each account's nonces contiguous
		}
		out = append(out, e.tx)
		size += e.size
	}
	return out
}

// Update removes the transactions of a committed block and re-checks the
// rest against the new committed state.
func (m *Mempool) Update(b *protocols.Block) {
	ids := make([]string, 0, len(b.Txs))
	for i := range b.Txs {
		var idBuf [64]byte
		ids = append(ids, string(b.Txs[i].AppendID(idBuf[:0])))
	}
	m.update(ids, true)
}

// update is Update given the block's transaction IDs (CID bytes, in
// block order); blockWrites reports that the block changed state outside
// its transactions (the market's block step), which rules out the prefix
// fast path below.
//
// The re-check of the rest is left to the next caller that needs the
// check state (Add, NextNonce): it is off the commit, which the next
// height waits for. Until then Reap may return a transaction the block
// made invalid; the proposer leaves it out and removes it.
func (m *Mempool) update(ids []string, blockWrites bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	committed := make(map[string]bool, len(ids))
	for _, id := range ids {
		committed[id] = true
	}
	// The block's transactions are usually this pool's (the proposer
	// reaped its pool, or this pool saw the same arrivals). Then the new
	// committed state followed by the rest is the check state already
	// held, so the rest need no re-check and only the height moves, when
	// (a) the block is the pool's oldest transactions in pool order, or
	// (b) every pool transaction up to the last one committed is a
	// transfer. For (b): a block holds a prefix of each signer's pending
	// nonces, and a transfer debits only its signer, so committing the
	// block ahead of a pending transfer only moves other signers'
	// transfers ahead of it: they credit accounts and burn fees, never
	// debit its signer, so it still executes (the supply bounds balances
	// far below overflow), and every balance, nonce and the burned total
	// end as the same sums. (a) is how a proposer's pool advances, (b) how
	// the others' do: their pools hold the same batches in another order.
	// Both hold only while a block changes state through its transactions:
	// block-level writes (emission, epochs, payouts — the market's) force
	// a reset, or the check state would shadow them. On a chain with a
	// subnet registered the market writes every block, so these shortcuts
	// serve subnet-free chains (and the chain benchmark) only.
	inPool, last := 0, -1
	for i, e := range m.txs {
		if committed[e.id] {
			inPool, last = inPool+1, i
		}
	}
	fast := !blockWrites && m.check != nil && m.advanced < maxAdvances && len(committed) == len(ids) && inPool == len(ids)
	same := len(ids) <= len(m.txs)
	for i := 0; same && i < len(ids); i++ {
		same = m.txs[i].id == ids[i]
	}
	if fast && !same { // not (a): (b)
		for _, e := range m.txs[:last+1] {
			if e.tx.Kind != protocols.TxTransfer {
				fast = false
				break
			}
		}
	}
	kept := m.txs[:0]
	for _, e := range m.txs {
		if committed[e.id] {
			delete(m.byID, e.id)
			m.bytes -= e.size
			continue
		}
		kept = append(kept, e)
	}
	clear(m.txs[len(kept):])
	m.txs = kept
	if fast {
		m.advance()
		return
	}
	m.staleLocked()
}

// staleLocked marks the check state out of date: freshLocked rebuilds it when
// next needed. The caller holds mu.
func (m *Mempool) staleLocked() {
	m.check = nil
	m.advanced = 0
}

// freshLocked rebuilds a stale check state. The caller holds mu.
func (m *Mempool) freshLocked() {
	if m.check == nil {
		m.reset()
	}
}

// maxAdvances bounds the blocks Update advances the check state
// over without a reset, so the writes of committed transactions it keeps
// do not pile up.
const maxAdvances = 16

// advance moves the check state to the new committed tip without
// re-executing the pending transactions. The check state's base reads
// the store, which now holds the block; its writes are those of the
// block's transactions (now committed, same values) and the rest.
func (m *Mempool) advance() {
	v, tip := m.state()
	m.check.base, m.check.tip = v, tip
	m.check.header = &protocols.Header{Version: protocols.BlockVersion, ChainID: m.chain.ID, Height: tip.Height + 1, Time: tip.Time + 1}
	m.check.results = nil
	m.advanced++
}

// remove drops tx and re-checks the rest (a proposer found it no longer
// executes).
func (m *Mempool) remove(tx *protocols.Tx) {
	var idBuf [64]byte
	id := string(tx.AppendID(idBuf[:0]))
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.byID[id]
	if e == nil {
		return
	}
	for i, x := range m.txs {
		if x == e {
			m.txs = append(m.txs[:i], m.txs[i+1:]...)
			break
		}
	}
	delete(m.byID, id)
	m.bytes -= e.size
	m.staleLocked() // its successors may fail now
}

// Has reports whether the transaction with CID id is pending.
func (m *Mempool) Has(id cid.Cid) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.freshLocked()
	return m.byID[string(id.Bytes())] != nil
}

// Size returns the number of pending transactions and their bytes.
func (m *Mempool) Size() (txs, bytes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.freshLocked()
	return len(m.txs), m.bytes
}
