// Command incentive prints the incentive-integrity tables of issue 11: how
// honest, lazy, substituting and favoured miners and honest, copying and
// colluding validators fare on a Yuma3 subnet with commit-reveal (see
// package internal/incentive) — first on the model (yuma.Epoch and
// market.Payout called directly), then on a ledger (signed commit and
// reveal transactions, the ledger's epochs and payouts).
//
//	go run ./bench/incentive [-seed 1] [-tempos 200] [-liquid-alpha] [-reveal-delay 1] [-outages 0]
//	    [-model=true] [-ledger=true] [-preset dev|main] [-max-weight-limit 0] [-sweep=true]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/taonet/tao/internal/incentive"
	"github.com/taonet/tao/ledger"
)

func main() {
	c := incentive.DefaultConfig()
	flag.Uint64Var(&c.Seed, "seed", c.Seed, "seed of every random stream")
	flag.IntVar(&c.Tempos, "tempos", c.Tempos, "epochs to simulate")
	flag.IntVar(&c.Window, "window", c.Window, "last epochs averaged")
	flag.BoolVar(&c.Hyper.LiquidAlpha, "liquid-alpha", c.Hyper.LiquidAlpha, "Yuma3 liquid alpha (on the ledger: the subnet's liquid_alpha)")
	flag.IntVar(&c.RevealDelay, "reveal-delay", c.RevealDelay, "tempos from a weight commit to its use (on the ledger: reveal_period = this × tempo)")
	flag.Float64Var(&c.OutageRate, "outages", c.OutageRate, "chance per tempo that an honest miner goes down for 3 tempos")
	model := flag.Bool("model", true, "print the model's table (yuma and market called directly)")
	onLedger := flag.Bool("ledger", true, "print the ledger-backed table")
	preset := flag.String("preset", "dev", "the ledger's chain preset: dev (tempo 10) or main (tempo 360: slow, use -tempos 40 -window 20 -sweep=false)")
	mwl := flag.Float64("max-weight-limit", 0, "on the ledger: the subnet's max_weight_limit as a share (0: none)")
	sweep := flag.Bool("sweep", true, "also print one line per variant (liquid alpha, bonds, reveal delay, queries, outages, …)")
	flag.Parse()
	lc := incentive.LedgerConfig{Config: c}
	switch *preset {
	case "dev":
	case "main":
		lc.Params = ledger.MainParams()
		lc.Params.SnapshotInterval = 1 << 40
	default:
		fmt.Fprintf(os.Stderr, "incentive: -preset %q: want dev or main\n", *preset)
		os.Exit(2)
	}
	if c.Hyper.LiquidAlpha {
		lc.SubnetParams = append(lc.SubnetParams, incentive.SubnetParam{Name: "liquid_alpha", Value: 1})
	}
	if c.RevealDelay > 1 {
		tempo := ledger.DevParams().Tempo
		if *preset == "main" {
			tempo = lc.Params.Tempo
		}
		lc.SubnetParams = append(lc.SubnetParams, incentive.SubnetParam{Name: "reveal_period", Value: uint64(c.RevealDelay) * uint64(tempo)})
	}
	if *mwl > 0 {
		lc.SubnetParams = append(lc.SubnetParams, incentive.SubnetParam{Name: "max_weight_limit", Value: uint64(*mwl * 65535)})
	}
	if err := run(c, lc, *model, *onLedger, *sweep); err != nil {
		fmt.Fprintln(os.Stderr, "incentive:", err)
		os.Exit(1)
	}
}

func run(c incentive.Config, lc incentive.LedgerConfig, model, onLedger, sweep bool) error {
	if model {
		fmt.Println("== model: yuma.Epoch and market.Payout called directly")
		r, err := incentive.Check(c)
		if err != nil {
			return err
		}
		if err := r.WriteTable(os.Stdout); err != nil {
			return err
		}
		if sweep {
			rows, err := incentive.Sweep(c, incentive.Variants())
			if err != nil {
				return err
			}
			fmt.Println()
			if err := incentive.WriteSweep(os.Stdout, rows); err != nil {
				return err
			}
		}
	}
	if !onLedger {
		return nil
	}
	if model {
		fmt.Println()
	}
	fmt.Println("== ledger: signed commit/reveal transactions, the ledger's epochs, bonds, emission and payouts")
	r, err := incentive.CheckLedger(lc)
	if err != nil {
		return err
	}
	if err := r.WriteTable(os.Stdout); err != nil {
		return err
	}
	if !sweep {
		return nil
	}
	rows, err := incentive.SweepLedger(lc, incentive.LedgerVariants())
	if err != nil {
		return err
	}
	fmt.Println()
	return incentive.WriteSweep(os.Stdout, rows)
}
