package main

import (
	"fmt"
	"io"
	"math"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
)

// quote is the CLI's estimate of a swap against a subnet's pool, for the
// confirmation prompt only: floating point, before the swap fee. The
// ledger computes the real swap (market.Pool) and enforces the limit
// price.
type quote struct {
	NetUID      uint16  `json:"netuid"`
	Sell        bool    `json:"sell"`         // alpha for TAO; else TAO for alpha
	In          float64 `json:"in"`           // TAO for a buy, alpha for a sell
	Out         float64 `json:"out"`          // alpha for a buy, TAO for a sell
	PriceBefore float64 `json:"price_before"` // TAO per alpha
	PriceAfter  float64 `json:"price_after"`
}

// Impact is the relative change of the spot price, e.g. 0.02 for +2%.
func (q quote) Impact() float64 {
	if q.PriceBefore == 0 {
		return 0
	}
	return q.PriceAfter/q.PriceBefore - 1
}

func toFloat(r market.Rao) float64 { return float64(r) / float64(market.RaoPerTAO) }

func priceFloat(p ledger.Price) float64 {
	return float64(p.Bits[0]) + float64(p.Bits[1])/math.Exp2(64)
}

// poolQuote estimates a buy (TAO in) or a sell (alpha in) on the
// subnet's balancer pool: with reserves x alpha, y TAO and spot price
// p = (w1/w2)·(y/x), the weight ratio is r = w2/w1 = y/(p·x) (1 for a
// constant-product pool); a buy of t TAO pays x·(1 − (y/(y+t))^r) alpha
// and a sell of a alpha pays y·(1 − (x/(x+a))^(1/r)) TAO (dtao.md §8).
func poolQuote(s ledger.SubnetInfo, amount market.Rao, sell bool) quote {
	x, y, t := toFloat(s.PoolAlpha), toFloat(s.PoolTAO), toFloat(amount)
	p := priceFloat(s.Price)
	q := quote{NetUID: s.NetUID, Sell: sell, In: t, PriceBefore: p}
	if x == 0 || y == 0 || p == 0 {
		return q
	}
	r := y / (p * x)
	if sell {
		q.Out = y * (1 - math.Pow(x/(x+t), 1/r))
		q.PriceAfter = (y - q.Out) / (r * (x + t))
	} else {
		q.Out = x * (1 - math.Pow(y/(y+t), r))
		q.PriceAfter = (y + t) / (r * (x - q.Out))
	}
	return q
}

// printQuote writes the lines of a confirmation: price before and after,
// and what the user gets.
func printQuote(w io.Writer, q quote) {
	in, out := "TAO", "alpha"
	if q.Sell {
		in, out = out, in
	}
	fmt.Fprintf(w, "  subnet %d price  %.9f → %.9f TAO/alpha (%+.2f%%)\n", q.NetUID, q.PriceBefore, q.PriceAfter, 100*q.Impact())
	fmt.Fprintf(w, "  swap            %.9f %s for ≈ %.9f %s (estimate, before the swap fee)\n", q.In, in, q.Out, out)
}
