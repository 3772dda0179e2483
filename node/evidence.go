package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
)

// reportEvidence puts an equivocation the consensus core detected on the
// ledger, signed with this node's hotkey (its owner coldkey pays the fee;
// a node whose hotkey is unregistered pays from the hotkey's own balance
// or is refused, and another node reports it). The ledger counts each
// equivocation once, so many nodes reporting the same one is harmless.
func (n *Node) reportEvidence(e *protocols.Evidence) {
	raw, err := n.key.Raw()
	if err != nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		id, err := n.submitLocalTx(ctx, ed25519.PrivateKey(raw), &protocols.ReportEquivocation{Evidence: *e})
		switch {
		case errors.Is(err, ledger.ErrEvidenceKnown):
		case err != nil:
			n.log.Warn("report equivocation to the ledger", "height", e.A.Height, "err", err)
		default:
			n.log.Info("reported equivocation to the ledger", "height", e.A.Height, "tx", id)
		}
	}()
}
