package incentive

import (
	"fmt"
	"math/rand/v2"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/yuma"
)

// netUID is the simulated subnet.
const netUID = 1

// Result is one simulated run: per epoch, each miner's share of the miners'
// emission and each validator's dividends per unit stake.
type Result struct {
	Config Config
	// MinerShare[t][j]: miner j's server emission over all miners' in epoch
	// t (0 when no miner earned).
	MinerShare [][]float64
	// MinerQuality[t][j]: miner j's true quality in tempo t.
	MinerQuality [][]float64
	// DivPerStake[t][i]: alpha paid to validator i in epoch t over its stake
	// before the payout.
	DivPerStake [][]float64
	// MinerPay[t][j] and ValidatorPay[t][i]: alpha rao paid in epoch t.
	MinerPay, ValidatorPay [][]float64
	// StakeEnd[i]: validator i's stake after the last epoch.
	StakeEnd []market.Rao
	// Chain describes the chain of a ledger-backed run (RunLedger); empty
	// for Run.
	Chain string
}

// newWorld is the world's random stream (drift and outages).
func newWorld(c Config) *rand.Rand { return rand.New(rand.NewPCG(c.Seed, 1)) }

// favouredUID is the uid of the first Favoured miner, or −1.
func favouredUID(c Config) int {
	for j, m := range c.Miners {
		if m.Kind == Favoured {
			return len(c.Validators) + j
		}
	}
	return -1
}

// Run simulates c.Tempos epochs of one subnet (see the package doc). It is
// deterministic in c.
func Run(c Config) (*Result, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	nv, nm := len(c.Validators), len(c.Miners)
	n := nv + nm
	vs, err := newValidators(c)
	if err != nil {
		return nil, err
	}
	ms := newMiners(c, nv)
	world := newWorld(c)
	favoured := favouredUID(c)
	wp := c.Weights
	wp.N = n

	hyper := c.Hyper
	hyper.Yuma3, hyper.CommitReveal = true, true
	T := uint64(c.Tempo)
	cutoff := yuma.ActivityCutoffBlocks(hyper.ActivityCutoffFactorMilli, c.Tempo)
	// Everyone registered at block 1 and the simulation starts past the
	// activity cutoff, so miners (who never set weights) are inactive and
	// every weight was set after every registration: nothing is masked.
	const regBlock = 1
	start := (cutoff/T + 2) * T
	lms := start // as if an epoch ran at start, granting the permits below

	permits := make([]bool, n)
	for i := range nv {
		permits[i] = true
	}
	regs := make([]uint64, n)
	for i := range regs {
		regs[i] = regBlock
	}
	minerStake := make([]uint64, nm)
	var bonds [][]yuma.Entry

	split, err := c.Market.SplitAlphaOut(c.AlphaPerBlock, market.U96F32{}, false)
	if err != nil {
		return nil, err
	}
	sv, vd := split.Server*market.Rao(T), split.Validator*market.Rao(T)

	res := &Result{Config: c}
	for t := range c.Tempos {
		b0 := start + uint64(t)*T // the previous epoch's block
		for _, v := range vs {
			if err := v.revealDue(c.RevealDelay, t, b0+1); err != nil {
				return nil, err
			}
		}
		if t > 0 {
			drift(world, ms, c)
		}
		for _, v := range vs {
			if v.measures() {
				v.measure(c, t, ms)
			}
		}
		for _, v := range vs {
			row, ok, err := v.propose(c, wp, vs, favoured)
			if err != nil {
				return nil, fmt.Errorf("tempo %d validator %d: %w", t, v.uid, err)
			}
			if ok {
				if err := v.commit(row, netUID, t, b0+T/2); err != nil {
					return nil, err
				}
			}
		}

		in := yuma.Input{
			N: n, CurrentBlock: b0 + T, Tempo: c.Tempo, ActivityCutoff: cutoff, LastMechanismStepBlock: lms,
			Stake: make([]uint64, n), ValidatorPermit: permits, LastUpdate: make([]uint64, n),
			BlockAtRegistration: regs, Weights: make([][]yuma.Entry, n), Bonds: bonds,
			CommitBlocks: make([]yuma.OptBlock, n), Hyper: hyper, RaoEmission: uint64(sv + vd),
		}
		for i, v := range vs {
			in.Stake[i], in.LastUpdate[i], in.Weights[i], in.CommitBlocks[i] = v.stake, max(v.lastUpdate, regBlock), v.row, v.commitBlock()
		}
		for j := range ms {
			in.Stake[nv+j], in.LastUpdate[nv+j] = minerStake[j], regBlock
		}
		out, err := yuma.Epoch(in)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", t, err)
		}
		permits, bonds, lms = out.NewValidatorPermit, out.Bonds, in.CurrentBlock

		// dtao.md §7: pay. Each validator's take and the rest both stay on
		// its own hotkey (no nominators), so all of it compounds as stake.
		pin := market.PayoutInput{Server: sv, Validator: vd, Neurons: make([]market.PayoutNeuron, n)}
		for i := range n {
			pin.Neurons[i] = market.PayoutNeuron{Incentive: market.Rao(out.ServerEmission[i]),
				Dividend: market.Rao(out.ValidatorEmission[i]), AlphaStake: market.Rao(in.Stake[i]), Take: c.Market.DefaultTake}
		}
		pay, err := c.Market.Payout(pin)
		if err != nil {
			return nil, fmt.Errorf("payout %d: %w", t, err)
		}
		res.record(vs, ms, out, pay)
		for i, v := range vs {
			np := pay.Neurons[i]
			v.stake += uint64(np.AlphaTake + np.AlphaDivs + np.Incentive)
		}
		for j := range ms {
			minerStake[j] += uint64(pay.Neurons[nv+j].Incentive)
		}
	}
	for _, v := range vs {
		res.StakeEnd = append(res.StakeEnd, market.Rao(v.stake))
	}
	return res, nil
}

// record appends one epoch's shares, qualities and dividends per stake.
func (r *Result) record(vs []*validator, ms []*miner, out yuma.Output, pay market.Payout) {
	nv := len(vs)
	var total float64
	for j := range ms {
		total += float64(out.ServerEmission[nv+j])
	}
	share := make([]float64, len(ms))
	quality := make([]float64, len(ms))
	for j, m := range ms {
		if total > 0 {
			share[j] = float64(out.ServerEmission[nv+j]) / total
		}
		quality[j] = m.quality
	}
	div := make([]float64, nv)
	vpay := make([]float64, nv)
	mpay := make([]float64, len(ms))
	for i, v := range vs {
		np := pay.Neurons[i]
		vpay[i] = float64(np.AlphaTake + np.AlphaDivs)
		div[i] = vpay[i] / float64(v.stake)
	}
	for j := range ms {
		mpay[j] = float64(pay.Neurons[nv+j].Incentive)
	}
	r.MinerPay = append(r.MinerPay, mpay)
	r.ValidatorPay = append(r.ValidatorPay, vpay)
	r.MinerShare = append(r.MinerShare, share)
	r.MinerQuality = append(r.MinerQuality, quality)
	r.DivPerStake = append(r.DivPerStake, div)
}
