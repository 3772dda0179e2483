package incentive

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/taonet/tao/market"
)

// Thresholds of the targets.
const (
	// CheatShareMax is "≈ 0" for a cheating miner: its share of the miners'
	// emission from the second epoch of cheating on.
	CheatShareMax = 0.005
	// CollusionTolerance is "≈ what honest consensus gives it": the
	// favoured miner's share may exceed its share in the baseline run
	// (colluders validating honestly) by this fraction.
	CollusionTolerance = 0.10
)

// Report is a run, its baseline (the same seed with every Colluder
// validating honestly) and the targets checked on them.
type Report struct {
	Run, Baseline *Result
	Targets       []Target
}

// Target is one claim of issue 11 and whether the run meets it.
type Target struct {
	Name   string
	Met    bool
	Detail string
}

// Check runs c and its baseline and checks the targets.
func Check(c Config) (*Report, error) {
	run, err := Run(c)
	if err != nil {
		return nil, err
	}
	base, err := Run(baseline(c))
	if err != nil {
		return nil, err
	}
	r := &Report{Run: run, Baseline: base}
	r.check()
	return r, nil
}

// windowMean is the mean of series[t][k] over the last Window epochs.
func (r *Result) windowMean(series [][]float64, k int) float64 {
	var s float64
	for _, row := range series[len(series)-r.Config.Window:] {
		s += row[k]
	}
	return s / float64(r.Config.Window)
}

// Share, Quality and Dividends are window means for miner j or validator i.
func (r *Result) Share(j int) float64     { return r.windowMean(r.MinerShare, j) }
func (r *Result) Quality(j int) float64   { return r.windowMean(r.MinerQuality, j) }
func (r *Result) Dividends(i int) float64 { return r.windowMean(r.DivPerStake, i) }

// HonestDividends returns the min and mean window dividends per stake of the
// Validating validators.
func (r *Result) HonestDividends() (lo, mean float64) {
	var n int
	for i, v := range r.Config.Validators {
		if v.Kind == Validating {
			d := r.Dividends(i)
			if n == 0 || d < lo {
				lo = d
			}
			mean += d
			n++
		}
	}
	return lo, mean / float64(max(n, 1))
}

// ZeroAfter returns k such that miner j's share is at most CheatShareMax in
// every epoch from the one closing its k-th tempo of cheating (epoch
// TurnAt+k−1) on, or −1 if it never settles there. It is 1 if the first
// epoch of cheating already pays nothing.
func (r *Result) ZeroAfter(j int) int {
	c := r.Config
	last := len(r.MinerShare) // first epoch of the final run at ≈ 0
	for t := len(r.MinerShare) - 1; t >= c.TurnAt && r.MinerShare[t][j] <= CheatShareMax; t-- {
		last = t
	}
	if last == len(r.MinerShare) {
		return -1
	}
	return last - c.TurnAt + 1
}

// Collusion returns the favoured miner's relative gain in share over the
// baseline, and the cartel's net alpha per tempo (window means, in alpha):
// its miner's extra pay minus the colluding validators' lost dividends. It
// returns zeros when the run has no favoured miner or no colluder.
func (r *Report) Collusion() (gain, net float64) {
	c := r.Run.Config
	for j, m := range c.Miners {
		if m.Kind == Favoured {
			gain = r.Run.Share(j)/r.Baseline.Share(j) - 1
			net += r.Run.windowMean(r.Run.MinerPay, j) - r.Baseline.windowMean(r.Baseline.MinerPay, j)
		}
	}
	var any bool
	for i, v := range c.Validators {
		if v.Kind == Colluder {
			any = true
			net += r.Run.windowMean(r.Run.ValidatorPay, i) - r.Baseline.windowMean(r.Baseline.ValidatorPay, i)
		}
	}
	if !any {
		return 0, 0
	}
	return gain, net / float64(market.RaoPerTAO)
}

func (r *Report) check() {
	c := r.Run.Config
	for j, m := range c.Miners {
		if m.Kind != Lazy && m.Kind != Substitute {
			continue
		}
		k := r.Run.ZeroAfter(j)
		r.Targets = append(r.Targets, Target{
			Name: fmt.Sprintf("%s miner ≈ 0 after 2 tempos", m.Kind),
			Met:  k >= 1 && k <= 2,
			Detail: fmt.Sprintf("share ≤ %.3f from its %s of cheating on; share in the epoch of its first cheating tempo: %.4f",
				CheatShareMax, ordinalTempo(k), at(r.Run.MinerShare, c.TurnAt, j)),
		})
	}
	lo, mean := r.Run.HonestDividends()
	for i, v := range c.Validators {
		if v.Kind != Copier && v.Kind != MedianCopier {
			continue
		}
		d := r.Run.Dividends(i)
		r.Targets = append(r.Targets, Target{
			Name:   v.Kind.String() + " earns less per stake than every honest validator",
			Met:    d < lo,
			Detail: fmt.Sprintf("%.4f‰ per tempo, honest min %.4f‰, mean %.4f‰ (%.3f of the min)", d*1e3, lo*1e3, mean*1e3, d/lo),
		})
	}
	for j, m := range c.Miners {
		if m.Kind != Favoured || !slices.ContainsFunc(c.Validators, func(v ValidatorSpec) bool { return v.Kind == Colluder }) {
			continue
		}
		got, base := r.Run.Share(j), r.Baseline.Share(j)
		gain, net := r.Collusion()
		r.Targets = append(r.Targets, Target{
			Name: "colluders gain nothing for their miner",
			Met:  got <= base*(1+CollusionTolerance),
			Detail: fmt.Sprintf("favoured share %.4f vs %.4f with honest colluders (%+.1f%%, tolerance %.0f%%); cartel net %+.2f α/tempo (miner gain − colluders' lost dividends)",
				got, base, gain*100, CollusionTolerance*100, net),
		})
	}
}

func ordinalTempo(k int) string {
	switch {
	case k < 0:
		return "never (no tempo)"
	case k == 1:
		return "1st tempo"
	case k == 2:
		return "2nd tempo"
	case k == 3:
		return "3rd tempo"
	}
	return fmt.Sprintf("%dth tempo", k)
}

func at(s [][]float64, t, k int) float64 {
	if t < len(s) {
		return s[t][k]
	}
	return 0
}

// WriteTable prints the run's miners, validators and targets.
func (r *Report) WriteTable(w io.Writer) error {
	c := r.Run.Config
	nv := len(c.Validators)
	var b strings.Builder
	fmt.Fprintf(&b, "incentive integrity: seed %d, %d tempos of %d blocks, means over the last %d epochs\n",
		c.Seed, c.Tempos, c.Tempo, c.Window)
	if r.Run.Chain != "" {
		fmt.Fprintf(&b, "%s\noutages %.0f%%/tempo, cheaters turn at tempo %d\n\n", r.Run.Chain, c.OutageRate*100, c.TurnAt)
	} else {
		fmt.Fprintf(&b, "yuma3, liquid alpha %v, bonds penalty %d, commit-reveal delay %d tempo(s), outages %.0f%%/tempo, cheaters turn at tempo %d\n\n",
			c.Hyper.LiquidAlpha, c.Hyper.BondsPenalty, c.RevealDelay, c.OutageRate*100, c.TurnAt)
	}

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "uid\tminer\ttrue quality\tincentive share\tbaseline share (colluders honest)\t")
	for j, m := range c.Miners {
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.4f\t%.4f\t\n", nv+j, m.Kind, r.Run.Quality(j), r.Run.Share(j), r.Baseline.Share(j))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "uid\tvalidator\tstake share start\tstake share end\tdividends ‰/tempo per stake\trelative to honest mean\tsame in baseline\t")
	_, mean := r.Run.HonestDividends()
	_, bmean := r.Baseline.HonestDividends()
	var s0, s1 float64
	for i, v := range c.Validators {
		s0 += float64(v.Stake)
		s1 += float64(r.Run.StakeEnd[i])
	}
	for i, v := range c.Validators {
		d := r.Run.Dividends(i)
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.3f\t%.4f\t%.3f\t%.3f\t\n", i, v.Kind, float64(v.Stake)/s0,
			float64(r.Run.StakeEnd[i])/s1, d*1e3, d/mean, r.Baseline.Dividends(i)/bmean)
	}
	tw.Flush()
	b.WriteString("\ntargets\n")
	for _, t := range r.Targets {
		mark := "MET    "
		if !t.Met {
			mark = "NOT MET"
		}
		fmt.Fprintf(&b, "  %s %s: %s\n", mark, t.Name, t.Detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
