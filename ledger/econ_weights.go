package ledger

import (
	"bytes"
	"fmt"

	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/yuma"
)

// weightsTarget loads the subnet and the signer's (a hotkey's) uid on it.
func (c *txContext) weightsTarget(netuid uint16) (*subnetRecord, uint16, *neuronRecord, error) {
	s, err := c.subnet(netuid)
	if err != nil {
		return nil, 0, nil, err
	}
	h := Hotkey(c.signer)
	uid, ok, err := getUID(c.o, netuid, h)
	if err != nil {
		return nil, 0, nil, err
	}
	if !ok {
		return nil, 0, nil, fmt.Errorf("%w: hotkey %s holds no uid on subnet %d; register it first (`tao register`)", ErrNotRegistered, h, netuid)
	}
	n, _, err := getNeuron(c.o, netuid, uid)
	return s, uid, n, err
}

// checkRateLimit refuses a weights update before the subnet's rate limit
// has passed since the last one.
func (c *txContext) checkRateLimit(s *subnetRecord, n *neuronRecord) error {
	if n.LastUpdate == n.RegBlock {
		return nil // the first update after registration
	}
	if next := n.LastUpdate + s.Hyper.WeightsRateLimit; c.height() < next {
		return fmt.Errorf("%w: weights rate-limited; next allowed at block %d", ErrRateLimited, next)
	}
	return nil
}

// normalizeWeights checks a weights vector against the subnet and scales
// it so its largest value is 65 535 (rounded to nearest), dropping zeros,
// as the chain stores weights.
func normalizeWeights(s *subnetRecord, uids, values []uint16, version uint64) ([]yuma.Entry, error) {
	if version < s.Hyper.WeightsVersion {
		return nil, fmt.Errorf("%w: version key %d is below the subnet's %d; upgrade the validator", ErrBadWeights, version, s.Hyper.WeightsVersion)
	}
	var top, sum uint64
	nonzero := 0
	for i, u := range uids {
		sum += uint64(values[i])
		if u >= s.N {
			return nil, fmt.Errorf("%w: uid %d is not registered (subnet %d has uids 0..%d); fetch the metagraph again", ErrBadWeights, u, s.NetUID, int(s.N)-1)
		}
		top = max(top, uint64(values[i]))
		if values[i] != 0 {
			nonzero++
		}
	}
	if top == 0 {
		return nil, fmt.Errorf("%w: every weight is zero; give at least one positive weight", ErrBadWeights)
	}
	if nonzero < int(s.Hyper.MinAllowedWeights) {
		return nil, fmt.Errorf("%w: %d positive weights, subnet %d wants at least %d", ErrBadWeights, nonzero, s.NetUID, s.Hyper.MinAllowedWeights)
	}
	// max_weight_limit: no uid may take more than that share of the
	// vector (normalised to sum to 65 535), as the chain's check does.
	if lim := uint64(s.Hyper.MaxWeightLimit); lim < 65535 && top*65535/sum > lim {
		return nil, fmt.Errorf("%w: one uid takes %d/65535 of the weights, subnet %d allows at most %d/65535 (max_weight_limit); spread the weights over more uids",
			ErrBadWeights, top*65535/sum, s.NetUID, lim)
	}
	out := make([]yuma.Entry, 0, nonzero)
	for i, u := range uids {
		if values[i] == 0 {
			continue
		}
		out = append(out, yuma.Entry{UID: u, Value: uint16((uint64(values[i])*65535 + top/2) / top)})
	}
	return out, nil
}

// setWeightsTx sets the signer hotkey's weights directly.
func (c *txContext) setWeightsTx(t *protocols.SetWeights) error {
	s, uid, n, err := c.weightsTarget(t.NetUID)
	if err != nil {
		return err
	}
	if s.Hyper.CommitReveal {
		return fmt.Errorf("%w: subnet %d uses commit-reveal; commit the weights (`tao weights commit`) and reveal them after %d blocks", ErrCommitReveal, t.NetUID, s.Hyper.RevealPeriod)
	}
	if err := c.checkRateLimit(s, n); err != nil {
		return err
	}
	w, err := normalizeWeights(s, t.UIDs, t.Values, t.VersionKey)
	if err != nil {
		return err
	}
	n.Weights, n.LastUpdate, n.CommitBlock = packRow(w), c.height(), 0
	c.emit("set-weights", "netuid", fmt.Sprint(t.NetUID), "uid", fmt.Sprint(uid), "count", fmt.Sprint(len(w)))
	return putNeuron(c.o, t.NetUID, uid, n)
}

// commitWeightsTx records a weights commit; a newer commit replaces a
// pending one.
func (c *txContext) commitWeightsTx(t *protocols.CommitWeights) error {
	s, uid, n, err := c.weightsTarget(t.NetUID)
	if err != nil {
		return err
	}
	if !s.Hyper.CommitReveal {
		return fmt.Errorf("%w: subnet %d does not use commit-reveal; set the weights directly (`tao weights set`)", ErrCommitReveal, t.NetUID)
	}
	// Commits are rate-limited against the previous commit, not against
	// the reveal (which sets last_update): otherwise a validator could
	// commit only every reveal_period + rate limit blocks, more than a
	// tempo, and its weights would miss epochs.
	last := n.CommitBlock
	var pending commitRecord
	if ok, err := getRecord(c.o, commitKey(t.NetUID, Hotkey(c.signer)), &pending); err != nil {
		return err
	} else if ok {
		last = pending.Block
	}
	if next := last + s.Hyper.WeightsRateLimit; last != 0 && c.height() < next {
		return fmt.Errorf("%w: weights commits rate-limited; next allowed at block %d", ErrRateLimited, next)
	}
	c.emit("commit-weights", "netuid", fmt.Sprint(t.NetUID), "uid", fmt.Sprint(uid))
	return putRecord(c.o, commitKey(t.NetUID, Hotkey(c.signer)), &commitRecord{Hash: t.Hash, Block: c.height()})
}

// revealWeightsTx opens a commit whose reveal period has passed.
func (c *txContext) revealWeightsTx(t *protocols.RevealWeights) error {
	s, uid, n, err := c.weightsTarget(t.NetUID)
	if err != nil {
		return err
	}
	if !s.Hyper.CommitReveal {
		return fmt.Errorf("%w: subnet %d does not use commit-reveal; set the weights directly (`tao weights set`)", ErrCommitReveal, t.NetUID)
	}
	h := Hotkey(c.signer)
	var cr commitRecord
	ok, err := getRecord(c.o, commitKey(t.NetUID, h), &cr)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: hotkey %s has no pending commit on subnet %d; commit first", ErrNoCommit, h, t.NetUID)
	}
	b, p := c.height(), s.Hyper.RevealPeriod
	switch {
	case b < cr.Block+p:
		return fmt.Errorf("%w: the commit of block %d can be revealed from block %d", ErrRevealTooEarly, cr.Block, cr.Block+p)
	case b >= cr.Block+2*p:
		return fmt.Errorf("%w: the commit of block %d had to be revealed before block %d; commit again", ErrCommitExpired, cr.Block, cr.Block+2*p)
	}
	want := protocols.WeightsCommitHash(h[:], t.NetUID, t.UIDs, t.Values, t.Salt, t.VersionKey)
	if !bytes.Equal(want, cr.Hash) {
		return fmt.Errorf("%w: the weights, salt or version key differ from those committed at block %d; reveal exactly what was committed", ErrBadReveal, cr.Block)
	}
	w, err := normalizeWeights(s, t.UIDs, t.Values, t.VersionKey)
	if err != nil {
		return err
	}
	n.Weights, n.LastUpdate, n.CommitBlock = packRow(w), b, cr.Block
	c.o.set(commitKey(t.NetUID, h), nil)
	c.emit("reveal-weights", "netuid", fmt.Sprint(t.NetUID), "uid", fmt.Sprint(uid), "count", fmt.Sprint(len(w)))
	return putNeuron(c.o, t.NetUID, uid, n)
}
