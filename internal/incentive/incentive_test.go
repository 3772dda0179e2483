package incentive

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// short is the test's scenario: DefaultConfig over fewer tempos.
func short() Config {
	c := DefaultConfig()
	c.Tempos, c.Window = 80, 40
	return c
}

func target(t *testing.T, r *Report, prefix string) Target {
	t.Helper()
	for _, x := range r.Targets {
		if strings.HasPrefix(x.Name, prefix) {
			return x
		}
	}
	t.Fatalf("no target %q in %+v", prefix, r.Targets)
	return Target{}
}

// TestTargets asserts the targets of issue 11 that hold in the default
// scenario, and logs the one that does not (see the package doc and the
// bench output for why).
func TestTargets(t *testing.T) {
	r, err := Check(short())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lazy miner", "substitute miner", "copier earns less"} {
		if x := target(t, r, name); !x.Met {
			t.Errorf("%s: not met: %s", x.Name, x.Detail)
		}
	}
	// The favoured miner gains (the colluders withdraw weight from the
	// others, which clipping cannot undo), but the cartel loses more in
	// dividends than its miner gains.
	gain, net := r.Collusion()
	if net >= 0 {
		t.Errorf("collusion pays: cartel net %+.2f α/tempo (favoured gain %+.1f%%)", net, gain*100)
	}
	t.Logf("not asserted: %s", target(t, r, "colluders gain").Detail)
	t.Logf("not asserted: %s", target(t, r, "median copier").Detail)
	for i, v := range r.Run.Config.Validators {
		if v.Kind == Colluder {
			if _, mean := r.Run.HonestDividends(); r.Run.Dividends(i) >= mean {
				t.Errorf("colluder %d earns %.4f‰ per stake, honest mean %.4f‰", i, r.Run.Dividends(i)*1e3, mean*1e3)
			}
		}
	}
}

// TestMedianCopierLosesWithOutages: when honest miners go down now and
// then, stale copies weight dead miners for RevealDelay tempos and even the
// median copier falls behind every honest validator.
func TestMedianCopierLosesWithOutages(t *testing.T) {
	c := short()
	c.OutageRate, c.RevealDelay = 0.03, 3
	r, err := Check(c)
	if err != nil {
		t.Fatal(err)
	}
	if x := target(t, r, "median copier"); !x.Met {
		t.Errorf("%s: not met: %s", x.Name, x.Detail)
	}
}

// TestRevealDelay: cheaters are cut off exactly RevealDelay+1 tempos into
// cheating: their first cheating tempo's scores are committed, revealed
// RevealDelay tempos later and used by the epoch of that tempo.
func TestRevealDelay(t *testing.T) {
	for _, d := range []int{1, 2, 3} {
		c := short()
		c.RevealDelay = d
		r, err := Run(c)
		if err != nil {
			t.Fatal(err)
		}
		for j, m := range c.Miners {
			if m.Kind != Lazy && m.Kind != Substitute {
				continue
			}
			if k := r.ZeroAfter(j); k != d+1 {
				t.Errorf("delay %d, %s miner: ≈ 0 after %d tempos, want %d", d, m.Kind, k, d+1)
			}
			if r.MinerShare[c.TurnAt+d-1][j] < 0.01 {
				t.Errorf("delay %d, %s miner: share %.4f in epoch %d, before its cheating can be revealed",
					d, m.Kind, r.MinerShare[c.TurnAt+d-1][j], c.TurnAt+d-1)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	c := short()
	c.Tempos, c.Window = 30, 10
	a, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(c)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of one config differ")
	}
	c.Seed++
	if d, _ := Run(c); reflect.DeepEqual(a.DivPerStake, d.DivPerStake) {
		t.Fatal("another seed gave the same run")
	}
}

func TestTables(t *testing.T) {
	c := short()
	c.Tempos, c.Window = 30, 10
	r, err := Check(c)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := Sweep(c, Variants()[:2])
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSweep(&b, rows); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"incentive share", "median copier", "targets", "liquid alpha on", "cartel net"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestBadConfig(t *testing.T) {
	for name, f := range map[string]func(*Config){
		"tempos": func(c *Config) { c.Tempos = 0 },
		"window": func(c *Config) { c.Window = c.Tempos + 1 },
		"delay":  func(c *Config) { c.RevealDelay = 0 },
		"boost":  func(c *Config) { c.CollusionBoost = 1 },
		"actors": func(c *Config) { c.Miners = nil },
	} {
		c := short()
		f(&c)
		if _, err := Run(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: got %v, want ErrConfig", name, err)
		}
	}
}
