package node

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// BlockInfo is GET /block/{height} and GET /block/latest: a committed
// block's header, its transactions' IDs and the commit certificate this
// node stored with it (CometBFT's /block and /commit in one answer).
type BlockInfo struct {
	Height uint64 `json:"height"`
	// Hash is the block ID (the CID of its header), as GET /status names it.
	Hash string `json:"block_hash"`
	// ParentHash is the previous block's ID; at height 1 the genesis hash.
	ParentHash     string `json:"parent_hash"`
	StateRoot      string `json:"state_root"`      // hex, as GET /status
	TxsHash        string `json:"txs_hash"`        // CID of the transaction list
	ValidatorsHash string `json:"validators_hash"` // hex: the set that commits the block
	// Proposer is the proposer's hotkey as a peer ID (ProposerHotkey: hex).
	Proposer       string   `json:"proposer"`
	ProposerHotkey string   `json:"proposer_hotkey"`
	TimeMs         int64    `json:"time_ms"` // the proposer's clock, unix milliseconds
	Time           string   `json:"time"`    // the same, RFC 3339 UTC
	TxCount        int      `json:"tx_count"`
	Txs            []string `json:"txs"` // transaction CIDs in block order
	// Commit is the certificate stored with the block; nil if the block
	// was stored without one.
	Commit *CommitInfo `json:"commit,omitempty"`
}

// CommitInfo is a commit certificate: the precommits of more than two
// thirds of the voting power for the block, in one round.
type CommitInfo struct {
	Round int32 `json:"round"`
	// Signers are the validators whose precommits the certificate holds,
	// in the set's canonical order (ascending hotkey).
	Signers []CommitSigner `json:"signers"`
	// ValidatorsKnown says whether this node knows the validator set that
	// committed the block: the current set, or one the ledger kept by its
	// hash when it committed a block with it (ledger.ValidatorSetByHash).
	// A node restored from a snapshot, or upgraded from a tao that kept no
	// sets, does not know the sets of the blocks before that. When false,
	// signers are named by Index only, and the power fields and Missing
	// are absent.
	ValidatorsKnown bool   `json:"validators_known"`
	SignedPower     uint64 `json:"signed_power_rao,omitempty"`
	TotalPower      uint64 `json:"total_power_rao,omitempty"`
	// Missing are the validators of the set with no precommit in the
	// certificate (it holds what this node had when it committed; another
	// node's may hold more). Absent when the set is unknown.
	Missing []CommitSigner `json:"missing,omitzero"`
}

// CommitSigner is one validator in a certificate: its index in the set
// (protocols.CommitSig.Index) and, when the set is known, its hotkey as a
// peer ID and in hex, and its voting power.
type CommitSigner struct {
	Index  uint32 `json:"index"`
	PeerID string `json:"peer_id,omitempty"`
	Hotkey string `json:"hotkey,omitempty"`
	Power  uint64 `json:"power_rao,omitempty"`
}

// handleBlock serves GET /block/{height}; "latest" is the tip.
func (n *Node) handleBlock(w http.ResponseWriter, r *http.Request) {
	if n.chain == nil {
		writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
		return
	}
	b, cert, ok := n.committedBlock(w, r.PathValue("height"))
	if !ok {
		return
	}
	info, err := n.blockInfo(b, cert)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// committedBlock returns the committed block named by arg (a height or
// "latest") and its stored certificate, or writes the error that says why
// there is none and returns false.
func (n *Node) committedBlock(w http.ResponseWriter, arg string) (*protocols.Block, []byte, bool) {
	l := n.chain.ledger
	tip := l.Height()
	var h uint64
	if arg == "latest" {
		h = tip
	} else {
		var err error
		if h, err = strconv.ParseUint(arg, 10, 64); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("bad height %q: give a block number (1, 2, …) or latest", arg)})
			return nil, nil, false
		}
	}
	switch {
	case h == 0:
		writeJSON(w, http.StatusNotFound, apiError{"height 0 is the genesis, which is not a block: blocks start at height 1 (ask for 1 or latest)"})
		return nil, nil, false
	case h > tip:
		writeJSON(w, http.StatusNotFound, apiError{fmt.Sprintf("block %d is not committed yet: the chain is at %d; wait for it or ask for latest", h, tip)})
		return nil, nil, false
	}
	b, cert, err := l.Block(h)
	if errors.Is(err, ledger.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, apiError{fmt.Sprintf("block %d is not stored on this node (it started from a snapshot taken after it; the chain is at %d): ask a node that synced from genesis", h, tip)})
		return nil, nil, false
	}
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return nil, nil, false
	}
	return b, cert, true
}

// handleValidators serves GET /validators: the current validator set (the
// one that commits the next block), or with ?height=N (or latest) the set
// that committed block N, as CometBFT's /validators?height=N. A node keeps
// the sets of the blocks it committed itself (ledger.ValidatorSetByHash),
// so one restored from a snapshot, or upgraded from a tao that kept no
// sets, answers 404 for older blocks.
func (n *Node) handleValidators(w http.ResponseWriter, r *http.Request) {
	if n.chain == nil {
		writeJSON(w, http.StatusNotFound, apiError{errNoChain.Error()})
		return
	}
	l := n.chain.ledger
	if !r.URL.Query().Has("height") {
		vs, err := l.Validators()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, vs)
		return
	}
	b, _, ok := n.committedBlock(w, r.URL.Query().Get("height"))
	if !ok {
		return
	}
	vs, ok, err := n.ledgerSetFor(b.Header.ValidatorsHash)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{fmt.Sprintf("the validator set %x of block %d is not kept on this node (it started from a snapshot taken after the block, or an older tao committed it): ask a node that synced from genesis", b.Header.ValidatorsHash, b.Header.Height)})
		return
	}
	writeJSON(w, http.StatusOK, vs)
}

// blockInfo describes b and its stored certificate cert (nil: none).
func (n *Node) blockInfo(b *protocols.Block, cert []byte) (*BlockInfo, error) {
	hd := &b.Header
	id, err := b.ID()
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", hd.Height, err)
	}
	info := &BlockInfo{
		Height:         hd.Height,
		Hash:           id.String(),
		ParentHash:     cidString(hd.PrevHash),
		StateRoot:      hex.EncodeToString(hd.StateRoot),
		TxsHash:        cidString(hd.TxsHash),
		ValidatorsHash: hex.EncodeToString(hd.ValidatorsHash),
		ProposerHotkey: hex.EncodeToString(hd.Proposer),
		TimeMs:         hd.Time,
		Time:           time.UnixMilli(hd.Time).UTC().Format(time.RFC3339Nano),
		TxCount:        len(b.Txs),
		Txs:            make([]string, 0, len(b.Txs)),
	}
	if hk, ok := hotkeyOf(hd.Proposer); ok {
		info.Proposer = peerOfHotkey(hk).String()
	}
	for i := range b.Txs {
		tid, err := b.Txs[i].ID()
		if err != nil {
			return nil, fmt.Errorf("block %d transaction %d: %w", hd.Height, i, err)
		}
		info.Txs = append(info.Txs, tid.String())
	}
	if len(cert) == 0 {
		return info, nil
	}
	c, err := protocols.DecodeCommit(cert)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate of block %d: %v", ledger.ErrCorrupt, hd.Height, err)
	}
	info.Commit = n.commitInfo(c, hd.ValidatorsHash)
	return info, nil
}

// commitInfo names c's signers through the validator set whose hash is
// setHash, if this node knows it (validatorSetFor).
func (n *Node) commitInfo(c *protocols.Commit, setHash []byte) *CommitInfo {
	ci := &CommitInfo{Round: c.Round, Signers: make([]CommitSigner, 0, len(c.Sigs))}
	vs, ok := n.validatorSetFor(setHash)
	if !ok {
		for _, s := range c.Sigs {
			ci.Signers = append(ci.Signers, CommitSigner{Index: s.Index})
		}
		return ci
	}
	ci.ValidatorsKnown, ci.TotalPower = true, vs.TotalPower()
	ci.Missing = []CommitSigner{}
	signed := make(map[uint32]bool, len(c.Sigs))
	for _, s := range c.Sigs {
		signed[s.Index] = true
		cs := CommitSigner{Index: s.Index}
		if int(s.Index) < vs.Len() {
			cs = signerAt(vs, int(s.Index))
			ci.SignedPower += cs.Power
		}
		ci.Signers = append(ci.Signers, cs)
	}
	for i := range vs.Len() {
		if !signed[uint32(i)] {
			ci.Missing = append(ci.Missing, signerAt(vs, i))
		}
	}
	return ci
}

// ledgerSetFor returns the validator set whose hash is setHash: the
// current one if it matches (the only one a store from before sets were
// kept knows), else the one the ledger kept when that set committed a
// block; ok is false if this node knows neither.
func (n *Node) ledgerSetFor(setHash []byte) (ledger.ValidatorSet, bool, error) {
	l := n.chain.ledger
	lv, err := l.Validators()
	if err != nil {
		return nil, false, err
	}
	if h, err := lv.Hash(); err == nil && len(lv) > 0 && bytes.Equal(h, setHash) {
		return lv, true, nil
	}
	return l.ValidatorSetByHash(setHash)
}

// validatorSetFor returns the validator set whose hash is setHash
// (ledgerSetFor), in the order commit signatures index.
func (n *Node) validatorSetFor(setHash []byte) (consensus.ValidatorSet, bool) {
	lv, ok, err := n.ledgerSetFor(setHash)
	if err != nil || !ok {
		return consensus.ValidatorSet{}, false
	}
	vs, err := consensusSet(lv)
	return vs, err == nil
}

func signerAt(vs consensus.ValidatorSet, i int) CommitSigner {
	cs := CommitSigner{Index: uint32(i), Hotkey: hex.EncodeToString(vs.PubKey(i)), Power: vs.Power(i)}
	if hk, ok := hotkeyOf(vs.PubKey(i)); ok {
		cs.PeerID = peerOfHotkey(hk).String()
	}
	return cs
}

func hotkeyOf(b []byte) (ledger.Hotkey, bool) {
	var hk ledger.Hotkey
	if len(b) != len(hk) {
		return hk, false
	}
	copy(hk[:], b)
	return hk, true
}

// cidString is CID bytes as text; hex if they are not a CID.
func cidString(b []byte) string {
	if c, err := cid.Cast(b); err == nil {
		return c.String()
	}
	return hex.EncodeToString(b)
}
