package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
)

// reportEvidence puts an equivocation on the ledger, signed with this
// node's hotkey (its owner coldkey pays the fee; a node whose hotkey is
// unregistered pays from the hotkey's own balance or is refused, and the
// validators that receive the evidence over gossip report it: see
// reportGossiped). The ledger counts each equivocation once (a second
// report is refused with ErrEvidenceKnown, in the mempool already), so
// many nodes reporting the same one is harmless.
//
// It runs on the consensus loop or a gossip receiver and must not block:
// the submission runs on the chain's wait group, which chain.close waits
// for before closing the ledger.
func (c *chain) reportEvidence(e *protocols.Evidence) {
	raw, err := c.n.key.Raw()
	if err != nil {
		return
	}
	c.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		id, err := c.submitLocalTx(ctx, ed25519.PrivateKey(raw), &protocols.ReportEquivocation{Evidence: *e})
		switch {
		case errors.Is(err, ledger.ErrEvidenceKnown):
		case err != nil:
			c.n.log.Warn("report equivocation to the ledger", "height", e.A.Height, "err", err)
		default:
			c.n.log.Info("reported equivocation to the ledger", "height", e.A.Height, "tx", id)
		}
	})
}

// reportGossiped reports evidence that arrived over gossip, whose shape
// and both signatures the vote topic's validator checked, if this node is
// a validator: the node that detected the equivocation may be a full node
// that cannot pay for the report, and a validator's owner coldkey can.
// Other nodes leave it to the validators. Evidence against a hotkey
// outside the current validator set is not reported: the ledger slashes
// only consensus candidates, and anyone can sign two votes with a fresh
// key, so reporting those would only spend this node's work (the node
// whose core saw the votes, which checks the set, still reports them).
func (c *chain) reportGossiped(e *protocols.Evidence) {
	vs, err := c.ledger.Validators()
	if err != nil || !vs.Has(e.A.Validator) {
		return
	}
	pub, err := c.n.key.GetPublic().Raw()
	if err != nil || !vs.Has(pub) {
		return
	}
	c.reportEvidence(e)
}
