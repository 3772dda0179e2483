package protocols

import (
	"fmt"
	"runtime"
	"sync"
)

// SigCheck is the arguments of one Verify call.
type SigCheck struct {
	Pub       []byte
	ChainID   string
	Kind      string
	Canonical []byte
	Sig       []byte
}

// VerifyBatchFunc checks many signatures the way VerifyBatch does.
// Callers that remember verified signatures (VerifyCache.VerifyBatch) pass
// their own; it must answer as VerifyBatch would.
type VerifyBatchFunc func(checks []SigCheck) []error

// batchChunk is how many signatures one batch equation checks. The batch
// saves over single verification from a few signatures on (about 2.5x per
// signature at 64); past that the gain flattens, and smaller chunks spread
// over cores and fail (falling back to single checks) in smaller pieces.
const batchChunk = 64

// VerifyBatch checks every signature of checks: it returns nil when all
// verify, and otherwise one error per check, nil for those that verify
// and Verify's error for the rest. Its verdicts are exactly Verify's
// (ZIP 215 makes batch and single verification agree, see Verify): it
// checks chunks of signatures with one batch equation each, on all CPUs,
// and a chunk that fails is checked one signature at a time to say which.
// The batch equation takes random coefficients, so a bad chunk passes
// with probability at most 2^-128.
func VerifyBatch(checks []SigCheck) []error {
	if len(checks) == 0 {
		return nil
	}
	errs := make([]error, len(checks))
	chunks := (len(checks) + batchChunk - 1) / batchChunk
	var failed sync.Mutex // guards bad
	bad := false
	verify := func(lo, hi int) {
		if !verifyChunk(checks[lo:hi], errs[lo:hi]) {
			failed.Lock()
			bad = true
			failed.Unlock()
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), chunks); workers <= 1 {
		for lo := 0; lo < len(checks); lo += batchChunk {
			verify(lo, min(lo+batchChunk, len(checks)))
		}
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for c := w; c < chunks; c += workers {
					verify(c*batchChunk, min((c+1)*batchChunk, len(checks)))
				}
			})
		}
		wg.Wait()
	}
	if !bad {
		return nil
	}
	return errs
}

// verifyChunk checks checks with one batch equation, or one at a time if
// it fails, writing Verify's errors to errs. It reports whether all
// verified.
func verifyChunk(checks []SigCheck, errs []error) bool {
	if len(checks) <= 2 {
		return verifyEach(Verify, checks, errs) // a batch of one or two saves nothing
	}
	for _, c := range checks {
		if checkSigShape(c.Pub, c.Sig) != nil {
			return verifyEach(Verify, checks, errs)
		}
	}
	if batchVerify(checks) {
		return true
	}
	return verifyEach(Verify, checks, errs)
}

// verifyEach checks each of checks with verify, writing its errors to
// errs, and reports whether all verified.
func verifyEach(verify VerifyFunc, checks []SigCheck, errs []error) bool {
	ok := true
	for i, c := range checks {
		errs[i] = verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig)
		ok = ok && errs[i] == nil
	}
	return ok
}

// SerialBatch returns a VerifyBatchFunc that checks each signature with
// verify: for a VerifyFunc that has no batch form.
func SerialBatch(verify VerifyFunc) VerifyBatchFunc {
	return func(checks []SigCheck) []error {
		errs := make([]error, len(checks))
		if verifyEach(verify, checks, errs) {
			return nil
		}
		return errs
	}
}

// SigCheck returns the arguments of tx's signature check on chainID
// (VerifyWith's). Its error is VerifyWith's before the signature: a wrong
// chain or an unencodable tx. The check's slices are shared with tx: the
// caller must not modify them.
func (tx *Tx) SigCheck(chainID string) (SigCheck, error) {
	if tx.ChainID != chainID {
		return SigCheck{}, fmt.Errorf("%w: got %q, want %q", ErrWrongChain, tx.ChainID, chainID)
	}
	b, err := tx.signBytes()
	if err != nil {
		return SigCheck{}, err
	}
	return SigCheck{Pub: tx.Signer, ChainID: chainID, Kind: KindTx, Canonical: b, Sig: tx.Sig}, nil
}

// VerifyTxs is VerifyWith for each of txs, with the signatures checked
// together by verify: nil when all verify, else one error per tx.
func VerifyTxs(chainID string, txs []*Tx, verify VerifyBatchFunc) []error {
	var errs []error
	checks := make([]SigCheck, 0, len(txs))
	idx := make([]int, 0, len(txs)) // checks[j] is txs[idx[j]]'s
	for i, tx := range txs {
		c, err := tx.SigCheck(chainID)
		if err != nil {
			if errs == nil {
				errs = make([]error, len(txs))
			}
			errs[i] = err
			continue
		}
		checks = append(checks, c)
		idx = append(idx, i)
	}
	if cerrs := verify(checks); cerrs != nil {
		if errs == nil {
			errs = make([]error, len(txs))
		}
		for j, err := range cerrs {
			errs[idx[j]] = err
		}
	}
	return errs
}
