package incentive

import (
	"math"
	"reflect"
	"testing"
)

// shortLedger is the ledger tests' scenario: DefaultLedgerConfig over 80
// tempos (800 blocks), or 40 with -short.
func shortLedger(t *testing.T) LedgerConfig {
	c := DefaultLedgerConfig()
	c.Tempos, c.Window = 80, 40
	if testing.Short() {
		c.Tempos, c.Window = 40, 15
	}
	return c
}

// TestLedgerTargets runs the scenario on a ledger with the chain's default
// hyperparameters and asserts what holds there as in the model: cheaters
// ≈ 0 after 2 tempos, the copier below every honest validator, collusion
// costing the cartel more than its miner gains. The miners' shares agree
// with the model's within 0.01. The median copier and the favoured
// miner's gain are logged (see the package doc).
func TestLedgerTargets(t *testing.T) {
	c := shortLedger(t)
	r, err := CheckLedger(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lazy miner", "substitute miner", "copier earns less"} {
		if x := target(t, r, name); !x.Met {
			t.Errorf("%s: not met: %s", x.Name, x.Detail)
		}
	}
	if gain, net := r.Collusion(); net >= 0 {
		t.Errorf("collusion pays: cartel net %+.2f α/tempo (favoured gain %+.1f%%)", net, gain*100)
	}
	_, mean := r.Run.HonestDividends()
	for i, v := range c.Validators {
		if v.Kind == Colluder && r.Run.Dividends(i) >= mean {
			t.Errorf("colluder %d earns %.4f‰ per stake, honest mean %.4f‰", i, r.Run.Dividends(i)*1e3, mean*1e3)
		}
	}
	t.Logf("not asserted: %s", target(t, r, "colluders gain").Detail)
	t.Logf("not asserted: %s", target(t, r, "median copier").Detail)

	model, err := Run(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	for j, m := range c.Miners {
		if d := r.Run.Share(j) - model.Share(j); math.Abs(d) > 0.01 {
			t.Errorf("%s miner %d: share %.4f on the ledger, %.4f in the model", m.Kind, j, r.Run.Share(j), model.Share(j))
		}
	}
}

// TestLedgerMaxWeightLimitWithOutages: with the owner's max_weight_limit at
// 15 % the colluders cannot put more than that on their miner, and when
// miners go down now and then (3 %/tempo) copying stale rows costs even
// the median copier: every target holds.
func TestLedgerMaxWeightLimitWithOutages(t *testing.T) {
	if testing.Short() {
		t.Skip("two more ledger runs")
	}
	c := shortLedger(t)
	c.OutageRate = 0.03
	c.SubnetParams = []SubnetParam{{"max_weight_limit", maxWeight15}}
	r, err := CheckLedger(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range r.Targets {
		if !x.Met {
			t.Errorf("%s: not met: %s", x.Name, x.Detail)
		}
	}
}

func TestLedgerDeterministic(t *testing.T) {
	c := DefaultLedgerConfig()
	c.Tempos, c.Window = 12, 4
	a, err := RunLedger(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RunLedger(c)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two ledger runs of one config differ")
	}
	if len(a.MinerShare) != c.Tempos || a.Config.Tempo != 10 {
		t.Fatalf("%d epochs recorded of %d tempos of %d blocks", len(a.MinerShare), c.Tempos, a.Config.Tempo)
	}
}
