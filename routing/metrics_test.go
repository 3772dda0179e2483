package routing

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/protocols"
)

func TestMetricsSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := newMetrics(reg), newMetrics(reg) // a miner and a client of one node
	a.request("miner", outcome(nil))
	b.request("client", "ok")
	b.request("miner", outcome(refuse(protocols.CodeOverloaded, "full")))
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "tao_infer_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetValue() + "/"
			}
			got[key] = m.GetCounter().GetValue()
		}
	}
	if got["ok/miner/"] != 1 || got["ok/client/"] != 1 || got["overloaded/miner/"] != 1 {
		t.Fatalf("requests = %v", got)
	}
	var off *metrics
	off.request("client", "ok") // nil metrics record nothing, and do not panic
	off.hedged()
	for _, tt := range []struct {
		err  error
		want string
	}{
		{context.Canceled, "cancelled"},
		{ErrBadReceipt, "bad_receipt"},
		{&protocols.Error{Code: protocols.CodeBadRequest}, "bad_request"},
	} {
		ctx := context.Background()
		if errors.Is(tt.err, context.Canceled) {
			c, cancel := context.WithCancel(ctx)
			cancel()
			ctx = c
		}
		if got := clientOutcome(ctx, tt.err); got != tt.want {
			t.Errorf("clientOutcome(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
