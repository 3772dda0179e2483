package node

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
)

// Gossip does not keep order: an account's transactions with nonces n and
// n+1 may arrive n+1 first, and the mempool takes only the next nonce. A
// transaction slightly ahead of its account's next nonce is parked here
// and retried after each transaction that enters the mempool and after
// each block.
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
	mu    sync.Mutex // guards txs
	txs   map[string]parkedTx
	retry sync.Mutex // one retry pass at a time
}

func newTxPark() *txPark { return &txPark{txs: make(map[string]parkedTx)} }

// admission is what became of a transaction offered to the node.
type admission int

const (
	rejected admission = iota
	pooled             // in the mempool (or already there)
	parked             // nonce slightly ahead: waits for its predecessors
)

// admit adds tx to the ledger's mempool, or parks it if its nonce is a
// little ahead of its account's next one.
func (c *chain) admit(tx *protocols.Tx) (admission, error) {
	err := c.ledger.SubmitTx(tx)
	switch {
	case err == nil:
		c.retryParked()
		return pooled, nil
	case errors.Is(err, ledger.ErrTxKnown):
		return pooled, nil
	case errors.Is(err, ledger.ErrBadNonce):
		acct, aerr := ledger.AccountOf(tx.Signer)
		if aerr != nil {
			return rejected, err
		}
		next, nerr := c.ledger.Mempool().NextNonce(acct)
		if nerr == nil && tx.Nonce > next && tx.Nonce <= next+maxNonceAhead && c.park.add(tx) {
			return parked, nil
		}
	}
	return rejected, err
}

func (p *txPark) add(tx *protocols.Tx) bool {
	id, err := tx.ID()
	if err != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.txs) >= maxParked {
		return false
	}
	p.txs[id.KeyString()] = parkedTx{tx: tx, at: time.Now()}
	return true
}

// retryParked offers every parked transaction to the mempool again, in
// nonce order, until none enters; expired ones are dropped.
func (c *chain) retryParked() {
	if !c.park.retry.TryLock() {
		return
	}
	defer c.park.retry.Unlock()
	for {
		c.park.mu.Lock()
		var list []parkedTx
		for id, p := range c.park.txs {
			if time.Since(p.at) > parkedLifetime {
				delete(c.park.txs, id)
				continue
			}
			list = append(list, p)
		}
		c.park.mu.Unlock()
		sort.Slice(list, func(i, j int) bool { return list[i].tx.Nonce < list[j].tx.Nonce })
		progress := false
		for _, p := range list {
			err := c.ledger.SubmitTx(p.tx)
			if err == nil || errors.Is(err, ledger.ErrTxKnown) || !errors.Is(err, ledger.ErrBadNonce) {
				// Entered, known, or invalid for good: no longer parked.
				if id, ierr := p.tx.ID(); ierr == nil {
					c.park.mu.Lock()
					delete(c.park.txs, id.KeyString())
					c.park.mu.Unlock()
				}
				progress = progress || err == nil
			}
		}
		if !progress {
			return
		}
	}
}
