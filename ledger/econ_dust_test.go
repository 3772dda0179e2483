package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// TestUnstakeDust: below a price of 1 TAO per alpha a few rao of alpha
// fetch no TAO, and such an unstake fails (market.ErrZeroOutput, as the
// chain's swap step refuses a positive input with no output). The
// market's message says "swap a larger amount", which a coldkey whose
// whole stake on the hotkey is that dust cannot do: the error names what
// it can do instead. The subnet is a genesis subnet (100 TAO) whose pool
// is set to 1 000 alpha (price 0.1), where 1..9 rao of alpha fetch
// nothing (floor(10^11·a/(10^12 + a)) = 0).
func TestUnstakeDust(t *testing.T) {
	g := testGenesis(3)
	g.Subnets = []GenesisSubnet{{Owner: acct(1), OwnerHotkey: hotkey(101), Name: "g", Lock: 100 * market.RaoPerTAO}}
	l := openMem(t, g)
	view, tip, release := l.snapshot()
	defer release()
	const dust = 5
	for _, c := range []struct {
		name          string
		staked        market.Rao
		want, notWant string
	}{
		{"whole stake", dust, "whole stake", "swap a larger amount"},
		{"part of a stake", 1_000 * market.RaoPerTAO, "unstake more at once (1000.000000000 alpha staked", "whole stake"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := newOverlay(view)
			s, ok, err := getSubnet(o, 1)
			if err != nil || !ok {
				t.Fatalf("genesis subnet: %v %v", ok, err)
			}
			s.PoolAlpha = 1_000 * market.RaoPerTAO // the pool's TAO stays: 100 TAO
			s.AlphaOut += c.staked
			if err := putSubnet(o, s); err != nil {
				t.Fatal(err)
			}
			if err := addStake(o, hotkey(101), 1, acct(2), c.staked); err != nil {
				t.Fatal(err)
			}
			if err := audit(o); err != nil {
				t.Fatal(err)
			}
			ctx := &txContext{o: o, chain: l.chain, header: &protocols.Header{ChainID: testChain, Height: tip.Height + 1}, signer: acct(2)}
			_, err = ctx.unstake(hotkey(101), 1, dust, market.Limit{})
			if !errors.Is(err, market.ErrZeroOutput) {
				t.Fatalf("unstaking %d rao: %v, want ErrZeroOutput", dust, err)
			}
			if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, c.notWant) {
				t.Errorf("error %q: want %q in it and not %q", msg, c.want, c.notWant)
			}
			if got, err := stakeOf(o, hotkey(101), 1, acct(2)); err != nil || got != c.staked {
				t.Errorf("stake after the refusal %v (%v), want %v", got, err, c.staked)
			}
		})
	}
}
