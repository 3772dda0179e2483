package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/routing/scoring"
)

// Weights go on the chain through a small state machine stepped once per
// block (validator.step), because commit-reveal spans blocks:
//
//   - Without commit-reveal, a new row is sent as SetWeights once the
//     subnet's rate limit allows (the neuron's last update plus
//     WeightsRateLimit blocks, as the ledger checks it).
//   - With commit-reveal, a new row is committed (CommitWeights of
//     protocols.WeightsCommitHash with a fresh 32-byte salt) once the rate
//     limit allows and no commit is pending; once the commit is in block
//     c, its reveal is sent at the first block ≥ c + RevealPeriod (the
//     ledger refuses it before and after c + 2·RevealPeriod). Only then is
//     the next row committed: the reveal updates the neuron, and a commit
//     in the same block would be rate-limited.
//
// A row waits while a submission is in flight; a newer round replaces it,
// so what goes out is always the latest opinion.

// txLost is how many blocks a submitted transaction may stay unknown
// (neither pending here nor committed) before it counts as dropped.
const txLost = 5

// pendingTx is a weights transaction sent and not yet seen committed.
type pendingTx struct {
	kind string // set, commit, reveal
	id   cid.Cid
	sent uint64 // height when sent
}

// pendingCommit is a commit and what opens it.
type pendingCommit struct {
	reveal protocols.RevealWeights
	block  uint64 // block the commit is in; 0 until known
}

// weightsState is the machine's state; only the validator's loop
// goroutine touches it.
type weightsState struct {
	tx     *pendingTx
	commit *pendingCommit
}

// stepWeights advances the machine at height h, given the subnet's
// metagraph at h and the latest row (nil: none new). It reports whether
// the row was taken (sent, or rejected for good).
func (v *validator) stepWeights(ctx context.Context, h uint64, mg *ledger.Metagraph, row *scoring.Row) (taken bool) {
	ws := &v.ws
	hy := mg.Subnet.Hyper
	if ws.tx != nil && !v.settle(h) {
		return false // in flight
	}
	if c := ws.commit; c != nil {
		switch {
		case c.block == 0:
			return false // the commit's tx settled without a block: see settle
		case h+1 >= c.block+2*hy.RevealPeriod:
			v.count(h, "reveal", "expired", cid.Undef)
			v.log.Warn("weights commit expired before its reveal; committing again", "commit_block", c.block, "height", h)
			ws.commit = nil
		case h+1 >= c.block+hy.RevealPeriod:
			r := c.reveal
			v.send(ctx, h, "reveal", &r)
			return false
		default:
			return false // wait for the reveal period
		}
	}
	if row == nil {
		return false
	}
	me, ok := v.selfIn(mg)
	if !ok {
		v.log.Warn("this validator's hotkey holds no uid on the subnet any more; register it again (`tao register`)", "netuid", v.cfg.NetUID)
		return true
	}
	if me.LastUpdate != me.RegBlock && h+1 < me.LastUpdate+hy.WeightsRateLimit {
		return false // rate-limited until then
	}
	if !hy.CommitReveal {
		v.send(ctx, h, "set", &protocols.SetWeights{NetUID: v.cfg.NetUID, UIDs: row.UIDs, Values: row.Values, VersionKey: hy.WeightsVersion})
		return true
	}
	salt, err := scoring.NewSalt(rand.Reader)
	if err != nil {
		v.log.Error("weights salt", "err", err)
		return false
	}
	rv := protocols.RevealWeights{NetUID: v.cfg.NetUID, UIDs: row.UIDs, Values: row.Values, Salt: salt, VersionKey: hy.WeightsVersion}
	hash := protocols.WeightsCommitHash(v.pub, rv.NetUID, rv.UIDs, rv.Values, rv.Salt, rv.VersionKey)
	if v.send(ctx, h, "commit", &protocols.CommitWeights{NetUID: v.cfg.NetUID, Hash: hash}) {
		ws.commit = &pendingCommit{reveal: rv}
	}
	return true
}

// settle looks up the transaction in flight; it reports whether it is
// settled (committed or lost), updating the commit it belongs to.
func (v *validator) settle(h uint64) bool {
	ws := &v.ws
	st, err := v.l.TxStatus(ws.tx.id)
	if err != nil {
		return false
	}
	switch {
	case st.State == ledger.TxCommitted:
		v.count(st.Height, ws.tx.kind, "committed", ws.tx.id)
		v.log.Info("weights transaction committed", "kind", ws.tx.kind, "height", st.Height, "tx", ws.tx.id)
		switch ws.tx.kind {
		case "commit":
			if ws.commit != nil {
				ws.commit.block = st.Height
			}
		case "reveal":
			ws.commit = nil
		}
	case st.State == ledger.TxPending || h < ws.tx.sent+txLost:
		return false
	default:
		// Left out of the blocks (it no longer executed when proposed).
		v.count(h, ws.tx.kind, "dropped", ws.tx.id)
		v.log.Warn("weights transaction dropped; the next round sends again", "kind", ws.tx.kind, "tx", ws.tx.id)
		if ws.tx.kind == "commit" {
			ws.commit = nil
		}
	}
	ws.tx = nil
	return true
}

// send signs body with the node's hotkey, submits it to this node's
// mempool and gossips it. The typed result is logged and counted; it
// reports whether the transaction was accepted.
func (v *validator) send(ctx context.Context, h uint64, kind string, body protocols.TxBody) bool {
	id, err := v.n.submitLocalTx(ctx, v.key, body)
	outcome := txOutcome(err)
	v.count(h, kind, outcome, id)
	if err != nil {
		v.log.Warn("weights transaction refused", "kind", kind, "outcome", outcome, "err", err)
		if kind == "commit" || kind == "reveal" && outcome != "too_early" {
			v.ws.commit = nil // start over with the next round's row
		}
		return false
	}
	v.log.Info("weights transaction sent", "kind", kind, "height", h, "tx", id)
	v.ws.tx = &pendingTx{kind: kind, id: id, sent: h}
	return true
}

// count records a weights transaction's result in the metrics and status.
func (v *validator) count(h uint64, kind, outcome string, tx cid.Cid) {
	v.metrics.weights.WithLabelValues(label(v.cfg.NetUID), kind, outcome).Inc()
	w := WeightsSubmission{Kind: kind, Outcome: outcome, Height: h}
	if tx.Defined() {
		w.Tx = tx.String()
	}
	v.status.weights(w)
}

// selfIn returns this validator's neuron in mg.
func (v *validator) selfIn(mg *ledger.Metagraph) (ledger.NeuronInfo, bool) {
	for _, n := range mg.Neurons {
		if n.Hotkey == v.hotkey {
			return n, true
		}
	}
	return ledger.NeuronInfo{}, false
}

// submitLocalTx signs body with key at the account's next nonce (pending
// transactions included), admits it to this node's mempool as POST /tx
// does, and gossips it. Errors are the ledger's typed rejections.
func (n *Node) submitLocalTx(ctx context.Context, key ed25519.PrivateKey, body protocols.TxBody) (cid.Cid, error) {
	if n.chain == nil {
		return cid.Undef, errNoChain
	}
	return n.chain.submitLocalTx(ctx, key, body)
}

// submitLocalTx is Node.submitLocalTx on this chain, for callers that run
// before Node.chain is set (the replica starts inside startChain).
func (c *chain) submitLocalTx(ctx context.Context, key ed25519.PrivateKey, body protocols.TxBody) (cid.Cid, error) {
	l := c.ledger
	acct, err := ledger.AccountOf(key.Public().(ed25519.PublicKey))
	if err != nil {
		return cid.Undef, err
	}
	// Reports of one equivocation (the core's own and gossiped ones) and
	// weights may be signed by one hotkey at once: each takes the next
	// nonce only after the previous one is in the mempool.
	c.localTx.Lock()
	defer c.localTx.Unlock()
	nonce, err := l.Mempool().NextNonce(acct)
	if err != nil {
		return cid.Undef, err
	}
	tx, err := protocols.NewTx(l.Chain().ID, nonce, uint64(l.Chain().Params.TxFee), body)
	if err != nil {
		return cid.Undef, err
	}
	if err := tx.Sign(key); err != nil {
		return cid.Undef, err
	}
	b, err := protocols.EncodeTx(tx)
	if err != nil {
		return cid.Undef, err
	}
	id, err := tx.ID()
	if err != nil {
		return cid.Undef, err
	}
	if a, err := c.admit(tx); a == rejected {
		return cid.Undef, fmt.Errorf("submit %s: %w", tx.Kind, err)
	}
	if err := c.txs.Publish(ctx, b); err != nil {
		c.n.log.Warn("gossip transaction", "tx", id, "err", err)
	}
	return id, nil
}
