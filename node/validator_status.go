package node

import (
	"maps"
	"slices"
	"sync"
)

// ValidatorStatus is what a node's validator role has done: for operators
// (logs and metrics say the same over time) and tests.
type ValidatorStatus struct {
	NetUID uint16 `json:"netuid"`
	// Rounds run so far, and the height the last one started at.
	Rounds    int    `json:"rounds"`
	LastRound uint64 `json:"last_round"`
	// Miners are the uids scored so far, ascending.
	Miners []ValidatorMiner `json:"miners"`
	// LastWeights is the last weights transaction's latest result; zero
	// before the first.
	LastWeights WeightsSubmission `json:"last_weights"`
}

// ValidatorMiner is one miner as this validator sees it.
type ValidatorMiner struct {
	UID      uint16  `json:"uid"`
	Score    float64 `json:"score"` // EMA score in [0, 1]
	Verified int     `json:"verified"`
	Failed   int     `json:"failed"`
	NoAnswer int     `json:"no_answer"`
}

// WeightsSubmission is one weights transaction's result.
type WeightsSubmission struct {
	Kind    string `json:"kind"`    // set, commit, reveal
	Outcome string `json:"outcome"` // accepted, committed, dropped, expired, or the ledger's rejection
	Height  uint64 `json:"height"`  // when the outcome was seen
	Tx      string `json:"tx,omitempty"`
}

// validatorStatus accumulates a ValidatorStatus; safe for concurrent use.
type validatorStatus struct {
	mu     sync.Mutex // guards s, miners
	s      ValidatorStatus
	miners map[uint16]*ValidatorMiner
}

func (vs *validatorStatus) round(h uint64) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.s.Rounds++
	vs.s.LastRound = h
}

// miner returns uid's entry for update; the caller holds mu.
func (vs *validatorStatus) minerLocked(uid uint16) *ValidatorMiner {
	if vs.miners == nil {
		vs.miners = map[uint16]*ValidatorMiner{}
	}
	m := vs.miners[uid]
	if m == nil {
		m = &ValidatorMiner{UID: uid}
		vs.miners[uid] = m
	}
	return m
}

func (vs *validatorStatus) weights(w WeightsSubmission) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.s.LastWeights = w
}

func (vs *validatorStatus) snapshot() ValidatorStatus {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	s := vs.s
	s.Miners = nil
	for _, uid := range slices.Sorted(maps.Keys(vs.miners)) {
		s.Miners = append(s.Miners, *vs.miners[uid])
	}
	return s
}

// ValidatorStatus reports the validator role's progress; false when the
// node runs none.
func (n *Node) ValidatorStatus() (ValidatorStatus, bool) {
	if n.val == nil {
		return ValidatorStatus{}, false
	}
	return n.val.status.snapshot(), true
}
