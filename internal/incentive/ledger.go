package incentive

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/routing/scoring"
	"github.com/taonet/tao/yuma"
)

// LedgerConfig is a ledger-backed run: Config's actors, world and
// validator software, with the weights going to a real ledger.Ledger as
// signed commit and reveal transactions and the epochs, bonds, emission and
// payouts being the ledger's. Config's Tempo, Hyper, RevealDelay,
// AlphaPerBlock and Market are not read: the chain's parameters and the
// subnet's hyperparameters take their place, and RunLedger's
// Result.Config holds those instead (RevealDelay: the reveal period in
// tempos, rounded up; AlphaPerBlock 0: the chain's own emission).
type LedgerConfig struct {
	Config
	// Params are the chain's parameters; the zero value means
	// ledger.DevParams() (tempo 10, reveal period = tempo, weights rate
	// limit 1) with no state snapshots.
	Params ledger.Params
	// SubnetParams are set by the subnet owner in block 1
	// (set-subnet-params), in order, before any weights.
	SubnetParams []SubnetParam
	// Lock is the subnet's genesis lock, the TAO depth of its pool; zero
	// means 1 000 000 TAO, deep enough that the validators' stakes are bought
	// at nearly one price.
	Lock market.Rao
}

// SubnetParam is one set-subnet-params transaction: a name of
// ledger.SubnetParams and its value.
type SubnetParam struct {
	Name  string
	Value uint64
}

// DefaultLedgerConfig is DefaultConfig on the dev preset's subnet: tempo
// 10 blocks, commit-reveal with a reveal period of one tempo, weights rate
// limit 1 block, Yuma3, κ = 0.5, liquid alpha off.
func DefaultLedgerConfig() LedgerConfig { return LedgerConfig{Config: DefaultConfig()} }

func (c LedgerConfig) withDefaults() LedgerConfig {
	if c.Params == (ledger.Params{}) {
		c.Params = ledger.DevParams()
		c.Params.SnapshotInterval = 1 << 40 // none after genesis: digests cost time and change nothing here
	}
	if c.Lock == 0 {
		c.Lock = 1_000_000 * market.RaoPerTAO
	}
	return c
}

// ledgerChainID names the simulated chain.
const ledgerChainID = "incentive-sim"

// genesisTimeMs is the genesis time of the simulated chain.
const genesisTimeMs = 1_700_000_000_000

// keyOf derives an actor's key from its role and index.
func keyOf(role string, i int) ed25519.PrivateKey {
	seed := sha256.Sum256(fmt.Appendf(nil, "tao/internal/incentive %s %d", role, i))
	return ed25519.NewKeyFromSeed(seed[:])
}

func accountOf(k ed25519.PrivateKey) ledger.Account {
	var a ledger.Account
	copy(a[:], k.Public().(ed25519.PublicKey))
	return a
}

// chainActor is a validator's keys and its commit-reveal state on the
// chain.
type chainActor struct {
	hot, cold   ed25519.PrivateKey
	nonce       uint64 // the hotkey's next nonce
	start       uint64 // first block it may commit in (staggered, see RunLedger)
	committed   int    // tempo of its last commit, −1 before the first
	pending     bool
	commitBlock uint64
	reveal      protocols.RevealWeights
	lastUpdate  uint64 // block of its last reveal, 0 before the first
	commits     int    // tempos in which it committed
}

// chainSim drives one ledger with a single genesis validator proposing
// every block.
type chainSim struct {
	c        LedgerConfig
	l        *ledger.Ledger
	proposer []byte
	owner    ed25519.PrivateKey
	ownerN   uint64
}

// block submits txs (each must be accepted and included) and proposes and
// commits the next block.
func (s *chainSim) block(txs []*protocols.Tx) error {
	for _, tx := range txs {
		if err := s.l.SubmitTx(tx); err != nil {
			return fmt.Errorf("block %d: submit %s: %w", s.l.Height()+1, tx.Kind, err)
		}
	}
	h := s.l.Height() + 1
	b, err := s.l.ProposeBlock(h, genesisTimeMs+int64(h*s.c.Params.BlockTimeMs), s.proposer, protocols.MaxTxsPerBlock)
	if err != nil {
		return err
	}
	if len(b.Txs) != len(txs) {
		return fmt.Errorf("block %d holds %d of the %d transactions submitted", h, len(b.Txs), len(txs))
	}
	return s.l.CommitBlock(b, []byte("incentive"))
}

func (s *chainSim) tx(nonce *uint64, key ed25519.PrivateKey, body protocols.TxBody) (*protocols.Tx, error) {
	tx, err := protocols.NewTx(ledgerChainID, *nonce, uint64(s.c.Params.TxFee), body)
	if err != nil {
		return nil, err
	}
	if err := tx.Sign(key); err != nil {
		return nil, err
	}
	*nonce++
	return tx, nil
}

// buyFor returns the TAO that buys alpha from pool (fee-less, as genesis
// stakes are bought) and the pool after the buy.
func buyFor(mp market.Params, pool market.Pool, alpha market.Rao) (market.Rao, market.Pool, error) {
	if alpha == 0 {
		return 0, pool, nil
	}
	lo, hi := market.Rao(1), market.SupplyCap
	for lo < hi {
		mid := lo + (hi-lo)/2
		sw, err := pool.ProtocolBuy(mp, mid)
		if err == nil && sw.Out >= alpha {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	sw, err := pool.ProtocolBuy(mp, lo)
	if err != nil {
		return 0, pool, fmt.Errorf("buy %v alpha: %w", alpha, err)
	}
	return lo, sw.Pool, nil
}

// genesis returns the chain: one consensus validator, a subnet whose uids
// are the owner (0), the validators (1..nv) with their stakes bought at
// genesis, and the miners (nv+1..), every coldkey funded for fees.
func (s *chainSim) genesis(actors []*chainActor) (*ledger.Genesis, error) {
	c := s.c
	g := &ledger.Genesis{ChainID: ledgerChainID, Time: genesisTimeMs, Params: c.Params, Balances: map[ledger.Account]market.Rao{}}
	prop := keyOf("proposer", 0)
	s.proposer = prop.Public().(ed25519.PublicKey)
	g.Validators = []ledger.Validator{{Hotkey: ledger.Hotkey(accountOf(prop)), Coldkey: accountOf(keyOf("proposer cold", 0)), Power: 10}}
	s.owner = keyOf("owner", 0)
	fund := 100 * market.RaoPerTAO
	g.Balances[accountOf(s.owner)] = fund
	sn := ledger.GenesisSubnet{Owner: accountOf(s.owner), OwnerHotkey: ledger.Hotkey(accountOf(keyOf("owner hot", 0))),
		Name: "incentive", Task: "text-generation", Lock: c.Lock}
	mp := c.Params.Market()
	pool, err := mp.NewSubnetPool(c.Lock, nil)
	if err != nil {
		return nil, err
	}
	for i, v := range c.Validators {
		a := actors[i]
		g.Balances[accountOf(a.cold)] = fund
		var tao market.Rao
		if tao, pool, err = buyFor(mp, pool, v.Stake); err != nil {
			return nil, fmt.Errorf("validator %d: %w", i, err)
		}
		sn.Neurons = append(sn.Neurons, ledger.GenesisNeuron{Hotkey: ledger.Hotkey(accountOf(a.hot)), Coldkey: accountOf(a.cold), Stake: tao})
	}
	for j := range c.Miners {
		sn.Neurons = append(sn.Neurons, ledger.GenesisNeuron{
			Hotkey: ledger.Hotkey(accountOf(keyOf("miner hot", j))), Coldkey: accountOf(keyOf("miner cold", j))})
	}
	g.Subnets = []ledger.GenesisSubnet{sn}
	return g, nil
}

// RunLedger simulates c.Tempos epochs of one subnet on a ledger (see the
// package doc, "On the ledger"). It is deterministic in c.
func RunLedger(c LedgerConfig) (*Result, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	nv, nm := len(c.Validators), len(c.Miners)
	n := nv + nm
	if 1+n > int(c.Params.MaxUIDs) {
		return nil, fmt.Errorf("%d actors and the owner, max_uids %d: %w", n, c.Params.MaxUIDs, ErrConfig)
	}
	vs, err := newValidators(c.Config)
	if err != nil {
		return nil, err
	}
	ms := newMiners(c.Config, nv)
	world := newWorld(c.Config)
	favoured := favouredUID(c.Config)

	s := &chainSim{c: c}
	actors := make([]*chainActor, nv)
	for i := range actors {
		// Validators start at staggered blocks of the first tempo, as
		// independent operators would: each one's update cycle is
		// reveal_period + weights_rate_limit blocks, so their phases stay
		// apart and no tempo is skipped by all at once.
		actors[i] = &chainActor{hot: keyOf("validator hot", i), cold: keyOf("validator cold", i), committed: -1,
			start: 1 + uint64(i)*uint64(c.Params.Tempo)/uint64(nv)}
	}
	g, err := s.genesis(actors)
	if err != nil {
		return nil, err
	}
	if s.l, err = ledger.Open(ledger.NewMemStore(), g); err != nil {
		return nil, err
	}
	defer s.l.Close()

	// Block 1: the owner's hyperparameters.
	var txs []*protocols.Tx
	for _, p := range c.SubnetParams {
		tx, err := s.tx(&s.ownerN, s.owner, &protocols.SetSubnetParams{NetUID: netUID, Param: p.Name, Value: p.Value})
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
	}
	if err := s.block(txs); err != nil {
		return nil, err
	}
	m, err := s.l.Metagraph(netUID)
	if err != nil {
		return nil, err
	}
	hy := m.Subnet.Hyper
	if !hy.CommitReveal {
		return nil, fmt.Errorf("subnet without commit-reveal: %w", ErrConfig)
	}
	wp := c.Weights
	wp.N, wp.MaxLimit = n, hy.MaxWeightLimit
	wp.MinAllowed = max(wp.MinAllowed, int(hy.MinAllowedWeights))

	res := &Result{Config: c.Config}
	// The chain's values replace the model's in the result's Config.
	res.Config.Tempo = hy.Tempo
	res.Config.RevealDelay = int((hy.RevealPeriod + uint64(hy.Tempo) - 1) / uint64(hy.Tempo))
	res.Config.Hyper = yuma.Hyper{Kappa: hy.Kappa, BondsPenalty: hy.BondsPenalty, BondsMovingAverage: hy.BondsMovingAverage,
		Yuma3: hy.Yuma3, LiquidAlpha: hy.LiquidAlpha, AlphaLow: hy.AlphaLow, AlphaHigh: hy.AlphaHigh,
		AlphaSigmoidSteepness: c.Hyper.AlphaSigmoidSteepness, MaxAllowedValidators: hy.MaxValidators,
		StakeThreshold: uint64(hy.StakeThreshold), ActivityCutoffFactorMilli: hy.ActivityCutoffMilli, CommitReveal: hy.CommitReveal}
	res.Config.AlphaPerBlock, res.Config.Market = 0, c.Params.Market()
	res.Chain = fmt.Sprintf("on a ledger: tempo %d blocks, reveal period %d blocks, weights rate limit %d blocks, yuma3 %v, κ %.2f, liquid alpha %v, bonds penalty %d, max weight limit %d",
		hy.Tempo, hy.RevealPeriod, hy.WeightsRateLimit, hy.Yuma3, float64(hy.Kappa)/65535, hy.LiquidAlpha, hy.BondsPenalty, hy.MaxWeightLimit)
	prev := m
	for t := 0; t <= c.Tempos; t++ {
		if t < c.Tempos {
			if t > 0 {
				drift(world, ms, c.Config)
			}
			for _, v := range vs {
				if v.measures() {
					v.measure(c.Config, t, ms)
				}
			}
		}
		for first := true; ; first = false {
			b := s.l.Height() + 1
			var txs []*protocols.Tx
			if t < c.Tempos {
				if txs, err = s.actions(t, b, hy, wp, vs, actors, favoured); err != nil {
					return nil, err
				}
			}
			epoch := prev.Subnet.EpochIndex
			if err := s.block(txs); err != nil {
				return nil, err
			}
			if m, err = s.l.Metagraph(netUID); err != nil {
				return nil, err
			}
			if ran := m.Subnet.EpochIndex != epoch; ran != (first && t > 0) {
				return nil, fmt.Errorf("block %d of tempo %d: epoch ran %v (index %d → %d, tempo boundaries moved?)", b, t, ran, epoch, m.Subnet.EpochIndex)
			} else if ran {
				res.recordLedger(prev, m, ms)
			}
			prev = m
			if t == c.Tempos || m.Subnet.NextEpoch == s.l.Height()+1 {
				break
			}
		}
	}
	var commits int
	for i, a := range actors {
		res.StakeEnd = append(res.StakeEnd, m.Neurons[1+i].Stake)
		commits += a.commits
	}
	res.Chain += fmt.Sprintf("\na validator can update its weights every reveal period + rate limit = %d blocks: each committed in %.0f%% of the tempos",
		hy.RevealPeriod+hy.WeightsRateLimit, 100*float64(commits)/float64(nv*c.Tempos))
	return res, nil
}

// actions are the validators' transactions for block b of tempo t: each
// reveals its pending commit as soon as the reveal period allows, and
// commits its current row (once per tempo) as soon as it has no pending
// commit and the rate limit allows. Copiers read the committed tip's
// revealed rows and stakes.
func (s *chainSim) actions(t int, b uint64, hy ledger.SubnetHyper, wp scoring.WeightParams, vs []*validator, actors []*chainActor, favoured int) ([]*protocols.Tx, error) {
	var m *ledger.Metagraph
	var txs []*protocols.Tx
	for i, a := range actors {
		if a.pending && b >= a.commitBlock+hy.RevealPeriod {
			if b >= a.commitBlock+2*hy.RevealPeriod {
				return nil, fmt.Errorf("validator %d: commit of block %d expired", i, a.commitBlock)
			}
			r := a.reveal
			tx, err := s.tx(&a.nonce, a.hot, &r)
			if err != nil {
				return nil, err
			}
			txs = append(txs, tx)
			a.pending, a.lastUpdate = false, b
		}
		if a.pending || b < a.start || a.committed == t || (a.lastUpdate != 0 && b < a.lastUpdate+hy.WeightsRateLimit) {
			continue
		}
		v := vs[i]
		if !v.measures() {
			if m == nil {
				var err error
				if m, err = s.l.Metagraph(netUID); err != nil {
					return nil, err
				}
			}
			for k, o := range vs {
				nr := m.Neurons[1+k]
				o.stake, o.row = uint64(nr.Stake), o.row[:0]
				for _, w := range nr.Weights {
					if w[0] > 0 {
						o.row = append(o.row, yuma.Entry{UID: w[0] - 1, Value: w[1]})
					}
				}
			}
		}
		row, ok, err := v.propose(s.c.Config, wp, vs, favoured)
		if err != nil {
			return nil, fmt.Errorf("tempo %d validator %d: %w", t, i, err)
		}
		if !ok {
			continue
		}
		uids := make([]uint16, len(row.UIDs))
		for k, u := range row.UIDs {
			uids[k] = u + 1
		}
		salt, err := scoring.NewSalt(v.salts)
		if err != nil {
			return nil, err
		}
		hot := accountOf(a.hot)
		a.reveal = protocols.RevealWeights{NetUID: netUID, UIDs: uids, Values: row.Values, Salt: salt}
		tx, err := s.tx(&a.nonce, a.hot, &protocols.CommitWeights{NetUID: netUID,
			Hash: protocols.WeightsCommitHash(hot[:], netUID, uids, row.Values, salt, 0)})
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
		a.pending, a.commitBlock, a.committed = true, b, t
		a.commits++
	}
	return txs, nil
}

// recordLedger appends the epoch between metagraphs prev and m: what each
// neuron's stake grew by is what the epoch paid it (weights transactions
// move no stake).
func (r *Result) recordLedger(prev, m *ledger.Metagraph, ms []*miner) {
	nv := len(r.Config.Validators)
	paid := func(uid int) float64 { return float64(m.Neurons[uid].Stake - prev.Neurons[uid].Stake) }
	var total float64
	for j := range ms {
		total += paid(1 + nv + j)
	}
	share, quality, mpay := make([]float64, len(ms)), make([]float64, len(ms)), make([]float64, len(ms))
	for j, mi := range ms {
		mpay[j] = paid(1 + nv + j)
		if total > 0 {
			share[j] = mpay[j] / total
		}
		quality[j] = mi.quality
	}
	div, vpay := make([]float64, nv), make([]float64, nv)
	for i := range nv {
		vpay[i] = paid(1 + i)
		div[i] = vpay[i] / float64(prev.Neurons[1+i].Stake)
	}
	r.MinerPay = append(r.MinerPay, mpay)
	r.ValidatorPay = append(r.ValidatorPay, vpay)
	r.MinerShare = append(r.MinerShare, share)
	r.MinerQuality = append(r.MinerQuality, quality)
	r.DivPerStake = append(r.DivPerStake, div)
}

// CheckLedger runs c on a ledger and its baseline (every Colluder
// validating honestly) and checks the targets.
func CheckLedger(c LedgerConfig) (*Report, error) {
	run, err := RunLedger(c)
	if err != nil {
		return nil, err
	}
	bc := c
	bc.Config = baseline(c.Config)
	base, err := RunLedger(bc)
	if err != nil {
		return nil, err
	}
	r := &Report{Run: run, Baseline: base}
	r.check()
	return r, nil
}

// LedgerVariant is one change to a LedgerConfig, named for the sweep's
// table.
type LedgerVariant struct {
	Name  string
	Apply func(*LedgerConfig)
}

// maxWeight15 is a max_weight_limit of 15 % (9830/65535): just above the
// best honest miner's share of an honest row in DefaultConfig.
const maxWeight15 = 9830

// LedgerVariants are the settings SweepLedger compares: the subnet owner's
// levers (max_weight_limit, κ, the reveal period, the weights rate limit),
// the validator software's (how it scores) and a world whose miners go
// down now and then.
func LedgerVariants() []LedgerVariant {
	param := func(name string, v uint64) func(*LedgerConfig) {
		return func(c *LedgerConfig) { c.SubnetParams = append(c.SubnetParams, SubnetParam{name, v}) }
	}
	both := func(fs ...func(*LedgerConfig)) func(*LedgerConfig) {
		return func(c *LedgerConfig) {
			for _, f := range fs {
				f(c)
			}
		}
	}
	outages := func(c *LedgerConfig) { c.OutageRate = 0.03 }
	return []LedgerVariant{
		{"chain defaults", func(*LedgerConfig) {}},
		{"weights rate limit 0", param("weights_rate_limit", 0)},
		{"reveal period 2 tempos", func(c *LedgerConfig) { param("reveal_period", 2*uint64(c.Params.Tempo))(c) }},
		{"kappa 0.6", param("kappa", 39321)},
		{"scoring EMA 0.1", func(c *LedgerConfig) { c.Scoring.Alpha = 0.1 }},
		{"16 queries per tempo", func(c *LedgerConfig) { c.Queries = 16 }},
		{"max weight limit 0.15", param("max_weight_limit", maxWeight15)},
		{"outages 3%/tempo", outages},
		{"outages, reveal period 2 tempos", both(outages, func(c *LedgerConfig) { param("reveal_period", 2*uint64(c.Params.Tempo))(c) })},
		{"outages, max weight limit 0.15", both(outages, param("max_weight_limit", maxWeight15))},
	}
}

// SweepLedger checks c on a ledger under each of vs, all else equal.
func SweepLedger(c LedgerConfig, vs []LedgerVariant) ([]SweepRow, error) {
	c = c.withDefaults()
	var rows []SweepRow
	for _, v := range vs {
		cc := c
		cc.SubnetParams = slices.Clone(c.SubnetParams)
		v.Apply(&cc)
		r, err := CheckLedger(cc)
		if err != nil {
			return nil, fmt.Errorf("variant %q: %w", v.Name, err)
		}
		rows = append(rows, SweepRow{v.Name, r})
	}
	return rows, nil
}

// baseline is c with every Colluder validating honestly.
func baseline(c Config) Config {
	c.Validators = slices.Clone(c.Validators)
	for i, v := range c.Validators {
		if v.Kind == Colluder {
			c.Validators[i].Kind = Validating
		}
	}
	return c
}
