// Command incentive prints the incentive-integrity table of issue 11: how
// honest, lazy, substituting and favoured miners and honest, copying and
// colluding validators fare on a Yuma3 subnet with commit-reveal (see
// package internal/incentive).
//
//	go run ./bench/incentive [-seed 1] [-tempos 200] [-liquid-alpha] [-reveal-delay 1] [-outages 0] [-sweep=false]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/taonet/tao/internal/incentive"
)

func main() {
	c := incentive.DefaultConfig()
	flag.Uint64Var(&c.Seed, "seed", c.Seed, "seed of every random stream")
	flag.IntVar(&c.Tempos, "tempos", c.Tempos, "epochs to simulate")
	flag.IntVar(&c.Window, "window", c.Window, "last epochs averaged")
	flag.BoolVar(&c.Hyper.LiquidAlpha, "liquid-alpha", c.Hyper.LiquidAlpha, "Yuma3 liquid alpha")
	flag.IntVar(&c.RevealDelay, "reveal-delay", c.RevealDelay, "tempos from a weight commit to its use")
	flag.Float64Var(&c.OutageRate, "outages", c.OutageRate, "chance per tempo that an honest miner goes down for 3 tempos")
	sweep := flag.Bool("sweep", true, "also print one line per variant (liquid alpha, bonds, reveal delay, queries, outages)")
	flag.Parse()
	if err := run(c, *sweep); err != nil {
		fmt.Fprintln(os.Stderr, "incentive:", err)
		os.Exit(1)
	}
}

func run(c incentive.Config, sweep bool) error {
	r, err := incentive.Check(c)
	if err != nil {
		return err
	}
	if err := r.WriteTable(os.Stdout); err != nil {
		return err
	}
	if !sweep {
		return nil
	}
	rows, err := incentive.Sweep(c, incentive.Variants())
	if err != nil {
		return err
	}
	fmt.Println()
	return incentive.WriteSweep(os.Stdout, rows)
}
