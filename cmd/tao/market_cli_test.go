package main

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
)

func TestParseWeights(t *testing.T) {
	for _, c := range []struct {
		name, uids, weights string
		wantUIDs, wantVals  []uint16
		err                 string
	}{
		{name: "sorted", uids: "3,1,2", weights: "1,2,4", wantUIDs: []uint16{1, 2, 3}, wantVals: []uint16{32768, 65535, 16384}},
		{name: "fractions", uids: "0, 5", weights: "0.25,0.75", wantUIDs: []uint16{0, 5}, wantVals: []uint16{21845, 65535}},
		{name: "zero-kept", uids: "1,2", weights: "0,1", wantUIDs: []uint16{1, 2}, wantVals: []uint16{0, 65535}},
		{name: "duplicate", uids: "1,1", weights: "1,1", err: "appears twice"},
		{name: "count", uids: "1,2", weights: "1", err: "one weight per uid"},
		{name: "all-zero", uids: "1", weights: "0", err: "every weight is zero"},
		{name: "negative", uids: "1", weights: "-1", err: "non-negative"},
		{name: "bad-uid", uids: "70000", weights: "1", err: "not a uid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			uids, vals, err := parseWeights(c.uids, c.weights)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an error with %q", err, c.err)
				}
				return
			}
			if err != nil || !slices.Equal(uids, c.wantUIDs) || !slices.Equal(vals, c.wantVals) {
				t.Fatalf("got %v %v %v, want %v %v", uids, vals, err, c.wantUIDs, c.wantVals)
			}
		})
	}
}

func TestSubnetParamTx(t *testing.T) {
	for _, c := range []struct {
		param, raw string
		value      uint64
		text, err  string
	}{
		{param: "tempo", raw: "100", value: 100},
		{param: "commit_reveal", raw: "false", value: 0},
		{param: "yuma3", raw: "on", value: 1},
		{param: "min_burn", raw: "0.5", value: 500_000_000},
		{param: "task", raw: "chat", text: "chat"},
		{param: "tempo", raw: "fast", err: "whole number"},
		{param: "nope", raw: "1", err: "settable"},
	} {
		tx, err := subnetParamTx(1, c.param, c.raw)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s=%s: got %v, want %q", c.param, c.raw, err, c.err)
			}
			continue
		}
		if err != nil || tx.Value != c.value || tx.Text != c.text || tx.Param != c.param || tx.NetUID != 1 {
			t.Errorf("%s=%s: got %+v %v", c.param, c.raw, tx, err)
		}
	}
}

// TestPoolQuote: the prompt's float estimate agrees with the ledger's
// swap (market.Pool) within the fee, for equal and unequal pool weights.
func TestPoolQuote(t *testing.T) {
	mp := market.DefaultParams()
	for _, w := range []market.Perquintill{0, market.PerquintillOne / 10 * 3} {
		pool := market.Pool{Alpha: 1000 * market.RaoPerTAO, TAO: 100 * market.RaoPerTAO, TAOWeight: w}
		p, err := pool.Price()
		if err != nil {
			t.Fatal(err)
		}
		hi, lo := p.Bits()
		s := ledger.SubnetInfo{NetUID: 1, PoolAlpha: pool.Alpha, PoolTAO: pool.TAO, Price: ledger.Price{Bits: [2]uint64{hi, lo}}}
		for _, sell := range []bool{false, true} {
			amount := 10 * market.RaoPerTAO
			q := poolQuote(s, amount, sell)
			var sw market.Swap
			if sell {
				sw, err = pool.Sell(mp, amount, market.Limit{})
			} else {
				sw, err = pool.Buy(mp, amount, market.Limit{})
			}
			if err != nil {
				t.Fatal(err)
			}
			got := toFloat(sw.Out)
			if rel := (q.Out - got) / got; rel < 0 || rel > 0.01 {
				t.Errorf("weight %v sell %v: quote %.9f, swap %.9f", w, sell, q.Out, got)
			}
			after, _ := sw.Pool.Price()
			ah, al := after.Bits()
			want := priceFloat(ledger.Price{Bits: [2]uint64{ah, al}})
			if math.Abs(q.PriceAfter/want-1) > 0.01 || (q.Impact() > 0) == sell {
				t.Errorf("weight %v sell %v: price after %.9f, swap's %.9f, impact %f", w, sell, q.PriceAfter, want, q.Impact())
			}
		}
	}
}
