// Package market is tao's dTAO economy (spec/dtao.md): block emission and halving, the subnets'
// TAO shares, injection into each subnet's pool, the alpha split and the epoch payout, the
// balancer pool's swaps (stake and unstake pricing with fees, limits and guards), the neuron
// registration burn and the subnet lock cost.
//
// It is pure: integer and fixed-point math only (U96F32, U64F64, Perquintill over 128-bit
// integers from math/bits), no floats, clocks, randomness, I/O or map iteration. Every function
// takes values and returns values; the ledger owns the state and applies the results inside its
// deterministic block execution. Parameters are a value (Params), never global. Each function's
// doc names its dtao.md section; rejections are sentinel errors whose messages name the fix.
//
// First calls, in the order of a block (dtao.md §2):
//
//	p := market.DefaultParams()
//	burn = p.DecayBurn(burn, height)                         // §9, per subnet
//	blockTAO := p.BlockEmission(totalIssuance)               // §3
//	shares, err := market.Shares(inputs)                     // §4.2, over the emitting subnets
//	taoEm, err := market.TAOEmission(blockTAO, shares[i])    // §4.2 step 4
//	rp, err := market.RootProp(rootTAO, p.TaoWeight, alphaIssuance)
//	inj, err := p.Inject(market.InjectInput{Pool: pool, TAOEmission: taoEm,
//		AlphaEmission: p.BlockEmission(alphaIssuance), RootProp: rp}) // §5
//	split, err := p.SplitAlphaOut(inj.AlphaOut, rp, market.RootSell(movingPrices)) // §6
//	clocks, run := p.ScheduleEpochs(height, clocks)          // §7
//	pay, err := p.Payout(market.PayoutInput{...})            // §7, after yuma.Epoch
//	mp, err := p.MovingPrice(old, spot, blocksSinceStart)    // §4.3
//
// and for transactions:
//
//	s, err := pool.Buy(p, amount, market.Limit{})   // stake (§8.3); s.Out alpha to the staker
//	s, err := pool.Sell(p, amount, market.Limit{Price: lim, Partial: true}) // unstake (§8.4)
//	cost := p.LockCost(lastLock, lastLockBlock, height) // subnet creation (§10)
//	uid, err := p.NeuronToPrune(height, immunity, candidates) // registration on a full subnet (§9)
//
// Rounding that dtao.md §12 leaves open follows the chain and is documented where it happens: a
// swap floors the pool's power as the chain's pow_ratio_scaled does (see Pool.Buy and pow.go), and
// limit bounds floor it too.
package market
