package sim

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/ledger/consensus"
)

var (
	flagSeed  = flag.Int64("sim.seed", -1, "run only this seed (verbose trace with -v)")
	flagSeeds = flag.Int("sim.seeds", 0, "number of seeds per scenario (default 150, 8 with -short)")
)

// scenario is a validator set and its byzantine members (power < 1/3).
type scenario struct {
	name      string
	powers    []uint64
	byzantine []int
}

var scenarios = []scenario{
	{"validators=4/equal", []uint64{1, 1, 1, 1}, []int{3}},
	{"validators=4/unequal", []uint64{3, 2, 2, 1}, []int{1}},
	{"validators=7/equal", []uint64{1, 1, 1, 1, 1, 1, 1}, []int{2, 5}},
	{"validators=7/unequal", []uint64{1, 7, 3, 4, 5, 6, 2}, []int{1, 6}}, // 9 of 28
}

// options draws a run's faults from its seed, so a seed alone names it.
func options(sc scenario, seed uint64) Options {
	o := Options{Seed: seed, Powers: sc.powers, Byzantine: sc.byzantine}
	switch seed % 4 {
	case 0: // everything at once
		o.DropPerMille, o.DupPerMille, o.Partitions, o.Crashes = 100, 50, true, true
	case 1:
		o.DropPerMille, o.DupPerMille = 300, 100
	case 2:
		o.Partitions = true
		o.DropPerMille = 20
	case 3:
		o.Crashes = true
		o.DupPerMille = 200
	}
	return o
}

func seeds(t *testing.T) []uint64 {
	if *flagSeed >= 0 {
		return []uint64{uint64(*flagSeed)}
	}
	n := *flagSeeds
	if n == 0 {
		n = 150
		if testing.Short() {
			n = 8
		}
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i)
	}
	return out
}

// TestSim runs every scenario for each seed; scenarios run in parallel.
func TestSim(t *testing.T) {
	start := time.Now()
	var mu sync.Mutex // guards the totals below
	var runs, steps, evidence, crashes, partitions, maxRound int
	var recovery consensus.Duration
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				for _, seed := range seeds(t) {
					o := options(sc, seed)
					if *flagSeed >= 0 && testing.Verbose() {
						o.Trace = func(s string) { t.Log(s) }
					}
					res, err := Run(o)
					if err != nil {
						t.Fatalf("%s: %v", sc.name, err)
					}
					mu.Lock()
					runs++
					steps += res.Steps
					evidence += res.Evidence
					crashes += res.Crashes
					partitions += res.Partitions
					maxRound = max(maxRound, int(res.MaxRound))
					recovery = max(recovery, res.Recovery)
					mu.Unlock()
				}
			})
		}
	})
	t.Logf("%d runs in %v: %d inputs, %d crashes, %d partitions, %d equivocations reported, max decision round %d, slowest recovery after GST %v",
		runs, time.Since(start).Round(time.Millisecond), steps, crashes, partitions, evidence, maxRound, time.Duration(recovery))
	if runs > 20 && evidence == 0 {
		t.Error("byzantine validators equivocated but no honest node reported it")
	}
}

// TestSimReproducible runs one seed twice: same result, event for event.
func TestSimReproducible(t *testing.T) {
	var a, b []string
	o := options(scenarios[2], 4)
	o.Trace = func(s string) { a = append(a, s) }
	ra, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	o.Trace = func(s string) { b = append(b, s) }
	rb, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ra) != fmt.Sprint(rb) || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("two runs of one seed differ:\n%+v\n%+v", ra, rb)
	}
}
