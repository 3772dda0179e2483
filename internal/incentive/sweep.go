package incentive

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Variant is one change to a Config, named for the sweep's table.
type Variant struct {
	Name  string
	Apply func(*Config)
}

// Variants are the settings Sweep compares: the levers issue 11 names
// (liquid alpha, bonds, the commit-reveal interval), two facts of the world
// (miner outages, the number of queries a validator can afford) and how
// hard the colluders push.
func Variants() []Variant {
	return []Variant{
		{"as configured", func(*Config) {}},
		{"liquid alpha on", func(c *Config) { c.Hyper.LiquidAlpha = true }},
		{"liquid alpha, bonds penalty 0", func(c *Config) { c.Hyper.LiquidAlpha, c.Hyper.BondsPenalty = true, 0 }},
		{"reveal delay 2", func(c *Config) { c.RevealDelay = 2 }},
		{"reveal delay 3", func(c *Config) { c.RevealDelay = 3 }},
		{"16 queries per tempo", func(c *Config) { c.Queries = 16 }},
		{"collusion boost 0.1", func(c *Config) { c.CollusionBoost = 0.1 }},
		{"collusion boost 0.2", func(c *Config) { c.CollusionBoost = 0.2 }},
		{"outages 3%/tempo", func(c *Config) { c.OutageRate = 0.03 }},
		{"outages, reveal delay 3", func(c *Config) { c.OutageRate, c.RevealDelay = 0.03, 3 }},
		{"outages, delay 3, liquid alpha", func(c *Config) { c.OutageRate, c.RevealDelay, c.Hyper.LiquidAlpha = 0.03, 3, true }},
	}
}

// SweepRow is one variant's report.
type SweepRow struct {
	Variant string
	Report  *Report
}

// Sweep checks c under each of vs, all else equal.
func Sweep(c Config, vs []Variant) ([]SweepRow, error) {
	var rows []SweepRow
	for _, v := range vs {
		cc := c
		v.Apply(&cc)
		r, err := Check(cc)
		if err != nil {
			return nil, fmt.Errorf("variant %q: %w", v.Name, err)
		}
		rows = append(rows, SweepRow{v.Name, r})
	}
	return rows, nil
}

// WriteSweep prints one line per variant: each copier's and the colluders'
// dividends per stake over the honest validators' (min for copiers, mean for
// colluders), the favoured miner's gain over its baseline, the cartel's net
// alpha per tempo, the tempos of cheating after which cheaters stay ≈ 0, and
// how many targets hold.
func WriteSweep(w io.Writer, rows []SweepRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "variant\tcopier/honest min\tmedian copier/honest min\tcolluders/honest mean\tfavoured gain\tcartel net α/tempo\tcheaters ≈0 after\ttargets met\t")
	for _, row := range rows {
		r := row.Report
		c := r.Run.Config
		lo, mean := r.Run.HonestDividends()
		var cop, med, col, ncol float64
		for i, v := range c.Validators {
			switch v.Kind {
			case Copier:
				cop = r.Run.Dividends(i)
			case MedianCopier:
				med = r.Run.Dividends(i)
			case Colluder:
				col += r.Run.Dividends(i)
				ncol++
			}
		}
		gain, net := r.Collusion()
		cheat := 0
		for j, m := range c.Miners {
			if m.Kind == Lazy || m.Kind == Substitute {
				cheat = max(cheat, r.Run.ZeroAfter(j))
			}
		}
		met := 0
		for _, t := range r.Targets {
			if t.Met {
				met++
			}
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%+.1f%%\t%+.2f\t%s\t%d/%d\t\n", row.Variant, cop/lo, med/lo,
			col/max(ncol, 1)/mean, gain*100, net, tempos(cheat), met, len(r.Targets))
	}
	return tw.Flush()
}

func tempos(k int) string {
	if k < 0 {
		return "never"
	}
	return fmt.Sprintf("%d tempos", k)
}
