package yuma

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
)

// genOpts shapes a random epoch input.
type genOpts struct {
	maxN        int  // n is drawn from 0..maxN
	sortedRows  bool // weight and bond rows sorted by uid
	distinct    bool // distinct, well separated stakes (no permit ties)
	plainStake  bool // never the TAO-weighted form
	forceYuma3  int  // 0 random, 1 Yuma2, 2 Yuma3
	forceLiquid int  // 0 random, 1 off, 2 on
}

// genInput draws a valid Input exercising every branch of §3: zero and
// explicit-zero weights, self-weights, outdated weights, recent
// registrations, inactive validators, owners, commit-reveal, thresholds.
func genInput(r *rand.Rand, o genOpts) Input {
	n := r.IntN(o.maxN + 1)
	b := 1000 + r.Uint64N(100000)
	in := Input{
		N:                      n,
		CurrentBlock:           b,
		Tempo:                  uint16(1 + r.IntN(720)),
		ActivityCutoff:         r.Uint64N(5000),
		LastMechanismStepBlock: pick(r, 0, b-r.Uint64N(1000)),
		ValidatorPermit:        make([]bool, n),
		LastUpdate:             make([]uint64, n),
		BlockAtRegistration:    make([]uint64, n),
		Weights:                make([][]Entry, n),
		Bonds:                  make([][]Entry, n),
		RaoEmission:            pick(r, 1_000_000_000, r.Uint64()>>r.UintN(64)),
		Hyper:                  genHyper(r, o),
	}
	stake := make([]uint64, n)
	perm := r.Perm(n)
	for i := range n {
		switch {
		case o.distinct:
			stake[i] = uint64(perm[i]+1) << 40
		case r.IntN(4) == 0:
			stake[i] = 0
		default:
			stake[i] = r.Uint64N(1<<50) >> r.UintN(40)
		}
		in.ValidatorPermit[i] = r.IntN(3) > 0
		in.LastUpdate[i] = b - r.Uint64N(min(b, 8000))
		in.BlockAtRegistration[i] = r.Uint64N(b)
	}
	if !o.plainStake && r.IntN(4) == 0 {
		in.AlphaStake = stake
		in.TaoStake = make([]uint64, n)
		for i := range n {
			in.TaoStake[i] = r.Uint64N(1 << 40)
		}
		in.TaoWeight = r.Uint64()
	} else {
		in.Stake = stake
	}
	for i := range n {
		in.Weights[i] = genRow(r, n, o.sortedRows)
		in.Bonds[i] = genRow(r, n, o.sortedRows)
	}
	if n > 0 && r.IntN(3) == 0 {
		in.HasOwner, in.OwnerUID = true, r.IntN(n)
	}
	if r.IntN(3) == 0 {
		in.CommitBlocks = make([]OptBlock, n)
		for i := range n {
			in.CommitBlocks[i] = OptBlock{Block: r.Uint64N(b), Valid: r.IntN(2) == 0}
		}
	}
	return in
}

func pick[T any](r *rand.Rand, a, b T) T {
	if r.IntN(2) == 0 {
		return a
	}
	return b
}

func genHyper(r *rand.Rand, o genOpts) Hyper {
	h := DefaultHyper()
	h.Kappa = pick(r, 32767, uint16(r.UintN(65536)))
	h.BondsPenalty = []uint16{0, 65535, uint16(r.UintN(65536))}[r.IntN(3)]
	h.BondsMovingAverage = pick(r, 900_000, r.Uint64N(1_000_001))
	h.Yuma3 = r.IntN(2) == 0
	h.LiquidAlpha = r.IntN(2) == 0
	switch o.forceYuma3 {
	case 1:
		h.Yuma3 = false
	case 2:
		h.Yuma3 = true
	}
	switch o.forceLiquid {
	case 1:
		h.LiquidAlpha = false
	case 2:
		h.LiquidAlpha = true
	}
	if r.IntN(2) == 0 {
		lo, hi := uint16(r.UintN(65536)), uint16(r.UintN(65536))
		h.AlphaLow, h.AlphaHigh = min(lo, hi), max(lo, hi)
		h.AlphaSigmoidSteepness = int16(r.UintN(65536))
	}
	h.MaxAllowedValidators = uint16(pick(r, 1+r.IntN(16), 64))
	h.StakeThreshold = pick(r, 0, r.Uint64N(1<<40))
	h.CommitReveal = r.IntN(3) == 0
	return h
}

// genRow draws a row of distinct uids: values mostly non-zero, some
// explicit zeros, in random or sorted order.
func genRow(r *rand.Rand, n int, sorted bool) []Entry {
	if n == 0 || r.IntN(5) == 0 {
		return []Entry{}
	}
	k := 1 + r.IntN(n)
	uids := r.Perm(n)[:k]
	if sorted {
		slices.Sort(uids)
	}
	row := make([]Entry, k)
	for t, j := range uids {
		v := uint16(r.UintN(65536))
		if r.IntN(8) == 0 {
			v = 0
		}
		row[t] = Entry{UID: uint16(j), Value: v}
	}
	return row
}

// byteSource is a rand.Source driven by fuzz data, then by splitmix64 once
// the data runs out (so rand never spins on a constant source).
type byteSource struct {
	data  []byte
	state uint64
}

func (s *byteSource) Uint64() uint64 {
	if len(s.data) >= 8 {
		v := binary.LittleEndian.Uint64(s.data)
		s.data = s.data[8:]
		s.state ^= v
		return v
	}
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
