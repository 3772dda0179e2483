package p2p

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the host's Prometheus metrics. A nil *metrics (no
// Registerer) records nothing.
type metrics struct {
	reg      prometheus.Registerer
	messages *prometheus.CounterVec
	bans     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		reg: reg,
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tao_gossip_messages_total",
			Help: "Gossip messages by topic kind and outcome (published, delivered, accepted, rejected, ignored).",
		}, []string{"topic", "outcome"}),
		bans: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tao_p2p_bans_total",
			Help: "Peers banned for misbehaviour.",
		}),
	}
	reg.MustRegister(m.messages, m.bans)
	return m
}

// watch registers gauges read from the running host.
func (m *metrics) watch(h *Host) {
	if m == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tao_p2p_peers", Help: "Connected peers.",
		}, func() float64 { return float64(len(h.Peers())) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tao_dht_routing_table_size", Help: "Peers in the Kademlia routing table.",
		}, func() float64 { return float64(h.RoutingTableSize()) }),
	)
}

func (m *metrics) gossip(kind string, v Verdict) {
	if m == nil {
		return
	}
	outcome := "accepted"
	switch v {
	case Reject:
		outcome = "rejected"
	case Ignore:
		outcome = "ignored"
	}
	m.messages.WithLabelValues(kind, outcome).Inc()
}

func (m *metrics) published(kind string) {
	if m != nil {
		m.messages.WithLabelValues(kind, "published").Inc()
	}
}

func (m *metrics) delivered(kind string) {
	if m != nil {
		m.messages.WithLabelValues(kind, "delivered").Inc()
	}
}

func (m *metrics) banned() {
	if m != nil {
		m.bans.Inc()
	}
}

// topicKind turns a topic name into a bounded metric label:
// "tao/dev/subnet/3/heartbeat" becomes "subnet/heartbeat".
func topicKind(chainID, name string) string {
	s := strings.TrimPrefix(name, "tao/"+chainID+"/")
	if rest, ok := strings.CutPrefix(s, "subnet/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return "subnet/" + rest[i+1:]
		}
	}
	if s == name {
		return "other"
	}
	return s
}
