// Package scoring is the pure half of a validator (DESIGN §5): it turns
// verified measurements of a subnet's miners into an EMA score per uid,
// turns scores into the weight row the chain accepts and stores
// (spec/yuma.md §8.1), and hashes and checks weight commits for
// commit-reveal (§3.5 step 4).
//
// A validator, each tempo, queries the miners, verifies every answer by
// re-scoring it with the subnet's model, and then:
//
//	tr, err := scoring.NewTracker(scoring.Config{}) // zero Config: the defaults below
//	rounds := tr.Observe(samples)                  // one Sample per verified query
//	row, err := scoring.Weights(tr.Scores(n), scoring.WeightParams{N: n, Floor: 0.005, MinAllowed: 1})
//	salt, err := scoring.NewSalt(crand.Reader)
//	rev := scoring.Reveal{NetUID: 1, Hotkey: pub, UIDs: row.UIDs, Values: row.Values, Salt: salt}
//	commit, err := rev.Hash() // submit commit now; submit rev one reveal period later
//	stored := scoring.MaxUpscale(row.Values) // what the chain stores at reveal
//
// # Score
//
// One round is one validator's queries of one tempo. For miner j:
//
//	Q_j = mean over j's samples of Quality (a Verified answer's quality in
//	      [0,1]; NoAnswer counts 0); if any sample Failed verification
//	      (junk, truncation, mismatched greedy tokens) the round is a fail.
//	S_j = (r_tps + r_ttft) / 2, where r_tps is the fraction of the other
//	      miners of the round (with at least one verified answer) whose
//	      median tokens/s is lower than j's (ties count half) and r_ttft the
//	      fraction whose median time to first token is higher; 1 if j is
//	      alone, 0 if j has no verified answer.
//	x_j = Q_j · ((1 − λ) + λ·S_j)                      (λ = SpeedWeight, 0.3)
//	s_j ← (1 − α)·s_j + α·x_j                          (α = Alpha, 0.3)
//	s_j ← 0                                            on a fail (unless KeepOnFail)
//
// Speed is a rank, not a raw figure, so a validator's distance to a miner
// does not dominate, and it multiplies quality, so a fast miner that returns
// junk earns nothing. A fail resets the score: a mismatched greedy token is
// proof of substitution, not noise. A new uid starts at 0 and earns its
// score; a uid that is re-registered must be Forgotten.
//
// Everything here is deterministic and does no I/O; randomness (salts) comes
// from an io.Reader. Floats are fine: these are a validator's private
// opinions, not consensus state; the u16 conversion the chain performs is
// reproduced exactly in fixed point (MaxUpscale, MaxWeightOK).
package scoring
