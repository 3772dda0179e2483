package routing

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/protocols"
)

// metrics are routing's Prometheus series. A nil *metrics records nothing.
// Labels come from bounded sets (role, outcome); never peer IDs.
type metrics struct {
	requests *prometheus.CounterVec // role=miner|client, outcome
	ttft     *prometheus.HistogramVec
	resumes  prometheus.Counter
	hedges   prometheus.Counter
}

// newMetrics registers routing's series on reg; nil reg means off. A
// series already registered (a miner and a client of one node share reg)
// is reused.
func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tao_infer_requests_total", Help: "Inference requests by role and outcome."}, []string{"role", "outcome"}),
		ttft: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tao_infer_ttft_seconds", Help: "Time to first token by role.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"role"}),
		resumes: prometheus.NewCounter(prometheus.CounterOpts{Name: "tao_infer_resumes_total", Help: "Broken streams resumed on another miner."}),
		hedges:  prometheus.NewCounter(prometheus.CounterOpts{Name: "tao_infer_hedges_total", Help: "Requests also sent to a second miner after a slow start."}),
	}
	m.requests = register(reg, m.requests)
	m.ttft = register(reg, m.ttft)
	m.resumes = register(reg, m.resumes)
	m.hedges = register(reg, m.hedges)
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// outcome names a request's end for the requests counter.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if me, ok := errors.AsType[*minerError](err); ok {
		return codeName(me.code)
	}
	return "failed"
}

func codeName(c protocols.ErrorCode) string {
	switch c {
	case protocols.CodeBadRequest, protocols.CodeContextLength:
		return "bad_request"
	case protocols.CodeUnauthorized, protocols.CodeReplay:
		return "refused"
	case protocols.CodeOverloaded, protocols.CodeRateLimited:
		return "overloaded"
	case protocols.CodeUnavailable:
		return "unavailable"
	}
	return "failed"
}

func (m *metrics) request(role, outcome string) {
	if m != nil {
		m.requests.WithLabelValues(role, outcome).Inc()
	}
}

func (m *metrics) firstToken(role string, seconds float64) {
	if m != nil {
		m.ttft.WithLabelValues(role).Observe(seconds)
	}
}

func (m *metrics) resumed() {
	if m != nil {
		m.resumes.Inc()
	}
}

func (m *metrics) hedged() {
	if m != nil {
		m.hedges.Inc()
	}
}
