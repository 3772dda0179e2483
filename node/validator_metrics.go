package node

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/ledger"
)

// validatorMetrics are the validator's Prometheus metrics. Labels come from
// bounded sets: the netuid, a uid (below the subnet's MaxUIDs), and fixed
// kinds, outcomes and reasons.
type validatorMetrics struct {
	score    *prometheus.GaugeVec   // netuid, uid: EMA score
	weights  *prometheus.CounterVec // netuid, kind, outcome
	queries  *prometheus.CounterVec // netuid, outcome
	failures *prometheus.CounterVec // netuid, reason
	rounds   *prometheus.CounterVec // netuid
	organic  *prometheus.GaugeVec   // netuid, uid: receipts seen
}

func newValidatorMetrics(reg prometheus.Registerer) *validatorMetrics {
	m := &validatorMetrics{
		score: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tao_validator_score", Help: "The validator's EMA score of each miner uid (0..1).",
		}, []string{"netuid", "uid"}),
		weights: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tao_validator_weights_total",
			Help: "Weight submissions by kind (set, commit, reveal) and outcome (accepted, committed, dropped, expired, or the ledger's rejection).",
		}, []string{"netuid", "kind", "outcome"}),
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tao_validator_queries_total", Help: "Validator queries of miners by outcome (verified, failed, no_answer).",
		}, []string{"netuid", "outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tao_validator_verification_failures_total",
			Help: "Answers that failed verification, by reason (mismatch, truncated, overlong, bad_receipt).",
		}, []string{"netuid", "reason"}),
		rounds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tao_validator_rounds_total", Help: "Validator rounds run.",
		}, []string{"netuid"}),
		organic: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tao_validator_organic_receipts", Help: "Signed receipts of organic traffic seen per miner uid since the validator started.",
		}, []string{"netuid", "uid"}),
	}
	if reg != nil {
		reg.MustRegister(m.score, m.weights, m.queries, m.failures, m.rounds, m.organic)
	}
	return m
}

func label(n uint16) string { return strconv.Itoa(int(n)) }

// txOutcome names a weights submission's result for logs and metrics: the
// ledger's typed rejection, or "accepted".
func txOutcome(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{ledger.ErrRateLimited, "rate_limited"},
		{ledger.ErrBadWeights, "bad_weights"},
		{ledger.ErrCommitReveal, "wrong_mode"},
		{ledger.ErrNoCommit, "no_commit"},
		{ledger.ErrRevealTooEarly, "too_early"},
		{ledger.ErrCommitExpired, "expired"},
		{ledger.ErrBadReveal, "bad_reveal"},
		{ledger.ErrBadNonce, "bad_nonce"},
		{ledger.ErrInsufficientFunds, "insufficient_funds"},
		{ledger.ErrNotRegistered, "not_registered"},
		{ledger.ErrUnknownHotkey, "not_registered"},
		{ledger.ErrUnknownSubnet, "unknown_subnet"},
		{ledger.ErrMempoolFull, "mempool_full"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	if err == nil {
		return "accepted"
	}
	return "error"
}
