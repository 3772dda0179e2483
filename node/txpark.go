package node

import (
	"errors"
	"sync"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
)

// Gossip does not keep order: an account's transactions with nonces n and
// n+1 may arrive n+1 first, and the mempool takes only the next nonce. A
// transaction slightly ahead of its account's next nonce is parked here,
// by account and nonce; after a transaction of an account enters the
// mempool its parked successors are offered in turn, and after each block
// every account's are.
const (
	maxParked      = 1024
	maxNonceAhead  = 64
	parkedLifetime = time.Minute
)

type parkedTx struct {
	tx *protocols.Tx
	at time.Time
}

type txPark struct {
	mu     sync.Mutex // guards byAcct, n
	byAcct map[ledger.Account]map[uint64]parkedTx
	n      int        // parked transactions
	retry  sync.Mutex // one full pass at a time
}

func newTxPark() *txPark { return &txPark{byAcct: make(map[ledger.Account]map[uint64]parkedTx)} }

// admission is what became of a transaction offered to the node.
type admission int

const (
	rejected admission = iota
	pooled             // in the mempool
	known              // already in the mempool (pooled too)
	parked             // nonce slightly ahead: waits for its predecessors
)

// admit adds tx to the ledger's mempool, or parks it if its nonce is a
// little ahead of its account's next one.
func (c *chain) admit(tx *protocols.Tx) (admission, error) {
	err := c.ledger.SubmitTx(tx)
	acct, aerr := ledger.AccountOf(tx.Signer)
	switch {
	case err == nil:
		if aerr == nil {
			c.retryAccount(acct)
		}
		return pooled, nil
	case errors.Is(err, ledger.ErrTxKnown):
		return known, nil
	case errors.Is(err, ledger.ErrBadNonce):
		if aerr != nil {
			return rejected, err
		}
		next, nerr := c.ledger.Mempool().NextNonce(acct)
		if nerr == nil && tx.Nonce > next && tx.Nonce <= next+maxNonceAhead && c.park.add(acct, tx) {
			return parked, nil
		}
	}
	return rejected, err
}

func (p *txPark) add(acct ledger.Account, tx *protocols.Tx) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	txs := p.byAcct[acct]
	if _, ok := txs[tx.Nonce]; ok {
		return true // one per nonce: the first stays
	}
	if p.n >= maxParked {
		return false
	}
	if txs == nil {
		txs = make(map[uint64]parkedTx)
		p.byAcct[acct] = txs
	}
	txs[tx.Nonce] = parkedTx{tx: tx, at: time.Now()}
	p.n++
	return true
}

// take removes and returns acct's parked transaction with nonce next,
// dropping those below next (their nonces are used) and expired ones.
func (p *txPark) take(acct ledger.Account, next uint64) (*protocols.Tx, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	txs := p.byAcct[acct]
	if txs == nil {
		return nil, false
	}
	for n, pt := range txs {
		if n < next || time.Since(pt.at) > parkedLifetime {
			delete(txs, n)
			p.n--
		}
	}
	pt, ok := txs[next]
	if ok {
		delete(txs, next)
		p.n--
	}
	if len(txs) == 0 {
		delete(p.byAcct, acct)
	}
	return pt.tx, ok
}

// retryAccount offers acct's parked transactions to the mempool in nonce
// order while the next one is parked and enters.
func (c *chain) retryAccount(acct ledger.Account) {
	for {
		next, err := c.ledger.Mempool().NextNonce(acct)
		if err != nil {
			return
		}
		tx, ok := c.park.take(acct, next)
		if !ok {
			return
		}
		if err := c.ledger.SubmitTx(tx); err != nil && !errors.Is(err, ledger.ErrTxKnown) {
			return // invalid for good (the nonce was the next one): dropped
		}
	}
}

// retryParked runs retryAccount for every account with parked
// transactions (after a block: committed nonces may have moved).
func (c *chain) retryParked() {
	if !c.park.retry.TryLock() {
		return
	}
	defer c.park.retry.Unlock()
	c.park.mu.Lock()
	accts := make([]ledger.Account, 0, len(c.park.byAcct))
	for a := range c.park.byAcct {
		accts = append(accts, a)
	}
	c.park.mu.Unlock()
	for _, a := range accts {
		c.retryAccount(a)
	}
}
