// Package incentive simulates the incentive integrity of one subnet over
// many tempos (issue 11): do cheating miners, weight-copying validators and
// a colluding minority of validators earn what they should on the real
// epoch (package yuma) and payout (package market)?
//
// First calls:
//
//	c := incentive.DefaultConfig()
//	r, err := incentive.Check(c) // the run and its baseline (colluders honest)
//	r.WriteTable(os.Stdout)      // miners, validators, targets
//	rows, err := incentive.Sweep(c, incentive.Variants())
//	incentive.WriteSweep(os.Stdout, rows)
//
// go run ./bench/incentive prints both tables.
//
// # Model
//
// Every tempo t (Tempo blocks; the epoch of tempo t closes it):
//
//  1. Reveal. Each validator reveals its commits of tempo t−RevealDelay at the
//     tempo's first block; the reveal is checked against the commit
//     (routing/scoring) and the row is stored max-upscaled as the chain
//     stores it (spec/yuma.md §8.1), with last_update = that block.
//  2. World. Each miner's true quality takes an Ornstein–Uhlenbeck step
//     toward its starting value (s.d. Drift, pull Reversion), its log speed
//     a random-walk step, and with OutageRate it goes down for OutageTempos
//     (no answers).
//  3. Measure. Validating validators and colluders send Queries queries to
//     every miner. An honest answer verifies with quality true+N(0,
//     QualityNoise) and speed and TTFT off by a log-normal factor
//     (SpeedNoise). From tempo TurnAt on, a Lazy miner answers LazyRate of
//     queries with junk (verification fails); a Substitute serves a smaller
//     model SubSpeedup times faster whose greedy tokens mismatch in SubDetect
//     of queries (fails), the rest verifying at SubQuality of its quality.
//     Each validator folds its round into a routing/scoring Tracker (a fail
//     resets the miner's score).
//  4. Commit. Validating: scoring.Weights of its scores. Colluder: the same
//     with the Favoured miner raised to CollusionBoost of the row. Copier:
//     the stake-weighted mean of the other validators' revealed rows (which
//     are RevealDelay tempos staler than honest rows when its copy is used);
//     MedianCopier: the per-uid stake-weighted median of them. Each row is
//     committed with a fresh salt (scoring.Reveal.Hash) mid-tempo.
//  5. Epoch. yuma.Epoch, Yuma3 with commit-reveal, on: validators' stake
//     (miners' stake is what they earned), permits and bonds of the previous
//     epoch, the revealed rows, commit blocks of pending commits. Everyone
//     registered at block 1 and the run starts past the activity cutoff, so
//     no weight is masked and miners, who never set weights, are inactive.
//     E = AlphaPerBlock·Tempo split per dtao.md §6 (owner cut, no root).
//  6. Payout. market.Payout (dtao.md §7). A miner's incentive is staked to
//     its hotkey; a validator's dividend, take included, to its own hotkey
//     (there are no nominators), so stake compounds.
//
// Every actor has its own seeded stream (the world, each miner's cheating
// decisions, each validator's noise and salts), so a change of one actor's
// behaviour never moves another's randomness, and the baseline of Check
// (colluders validating honestly) sees the same world.
//
// # Report
//
// Miners: share of the miners emission; validators: alpha paid per unit of
// their stake per tempo; both averaged over the last Window epochs. Targets
// (issue 11): cheaters ≈ 0 (≤ CheatShareMax) from the epoch closing their
// second tempo of cheating on; each copier earns less per stake than every
// honest validator; the favoured miner earns at most CollusionTolerance more
// than in the baseline. Targets are reported, met or not.
package incentive
