// Package yuma computes one Yuma Consensus epoch of one subnet, bit-exact to
// the reference chain as spec/yuma.md describes it: stake weights and
// validator permits, the stake-weighted median consensus, clipping, ranks and
// incentive, bonds and dividends in both variants (Yuma2, and Yuma3 with
// optional liquid alpha), and the emission split.
//
// The ledger builds an Input from its state and calls Epoch:
//
//	in := yuma.Input{
//		N:            2,
//		CurrentBlock: 1000,
//		Tempo:        360,
//		Stake:        []uint64{3e9, 1e9},
//		// ValidatorPermit, LastUpdate, Weights, Bonds, … (nil: defaults)
//		Hyper:       yuma.DefaultHyper(),
//		RaoEmission: 1_000_000_000,
//	}
//	in.ActivityCutoff = yuma.ActivityCutoffBlocks(in.Hyper.ActivityCutoffFactorMilli, in.Tempo)
//	out, err := yuma.Epoch(in)
//	if err != nil {
//		return err // an *InputError: the input broke a limit of spec §9
//	}
//	// Store out.Bonds and out.NewValidatorPermit for the next epoch; pay
//	// out.ServerEmission and out.ValidatorEmission (rao).
//
// The CLI (tao yuma simulate, spec §9) reads and writes the JSON form:
//
//	in, err := yuma.ReadInput(os.Stdin) // *InputError: exit status 2
//	if err != nil {
//		return err
//	}
//	out, err := yuma.Epoch(in)
//	if err != nil {
//		return err
//	}
//	return yuma.WriteOutput(os.Stdout, out)
//
// The package is pure: no I/O beyond the readers and writers it is given, no
// clock, no randomness, no floating point (all arithmetic is the chain's Q32
// fixed point, I32F32 bits in an int64, with 128-bit intermediates), and no
// map iteration. Epoch is safe for concurrent use. Its cost grows with the
// number of weight and bond entries, not with n².
//
// Every function names the spec section it implements. The public test
// vectors of spec §10 are in testdata/yuma_vectors.json.
package yuma
