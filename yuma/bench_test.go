package yuma

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// benchInput builds a steady-state subnet: the first v uids are permitted,
// active validators with large stakes; the rest are miners with small or no
// stake and no weights. Each validator row holds nnz sorted weights to
// other uids (all n−1 when nnz = 0: dense). Bonds come from one previous
// epoch on the same weights, so the bond EMA and liquid alpha see real
// bonds.
func benchInput(n, v, nnz int, yuma3, liquid bool) Input {
	r := rand.New(rand.NewPCG(uint64(n), uint64(v)))
	in := Input{
		N:                   n,
		CurrentBlock:        100_000,
		Tempo:               360,
		ActivityCutoff:      5000,
		Stake:               make([]uint64, n),
		ValidatorPermit:     make([]bool, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		Weights:             make([][]Entry, n),
		Bonds:               make([][]Entry, n),
		Hyper:               DefaultHyper(),
		RaoEmission:         1_000_000_000,
	}
	in.Hyper.Yuma3, in.Hyper.LiquidAlpha = yuma3, liquid
	in.Hyper.MaxAllowedValidators = uint16(v)
	for i := range n {
		in.LastUpdate[i] = 99_000
		in.BlockAtRegistration[i] = r.Uint64N(50_000)
		in.Weights[i] = []Entry{}
		in.Bonds[i] = []Entry{}
		if i < v {
			in.Stake[i] = 1_000_000_000_000 + r.Uint64N(1_000_000_000_000)
			in.ValidatorPermit[i] = true
			in.Weights[i] = benchRow(r, n, i, nnz)
		} else {
			in.Stake[i] = r.Uint64N(1_000_000_000)
		}
	}
	out, err := Epoch(in)
	if err != nil {
		panic(err)
	}
	in.Bonds = out.Bonds
	in.ValidatorPermit = out.NewValidatorPermit
	// Weights drift a little so that bonds and weights differ.
	for i := range v {
		for k := range in.Weights[i] {
			in.Weights[i][k].Value = uint16(r.UintN(65536))
		}
	}
	return in
}

// benchRow draws validator self's weight row. Sparse rows take 3/4 of their
// entries from a pool of 64 popular miners (so columns reach consensus) and
// the rest anywhere.
func benchRow(r *rand.Rand, n, self, nnz int) []Entry {
	var uids []int
	if nnz == 0 {
		for j := range n {
			if j != self {
				uids = append(uids, j)
			}
		}
	} else {
		seen := map[int]bool{self: true} // lookup only
		pool := r.Perm(64)
		for _, j := range pool[:nnz*3/4] {
			j += n / 2 // popular miners: uids n/2 … n/2+63
			uids, seen[j] = append(uids, j), true
		}
		for len(uids) < nnz {
			if j := r.IntN(n); !seen[j] {
				uids, seen[j] = append(uids, j), true
			}
		}
		slices.Sort(uids)
	}
	row := make([]Entry, len(uids))
	for k, j := range uids {
		row[k] = Entry{UID: uint16(j), Value: uint16(r.UintN(65536))}
	}
	return row
}

// BenchmarkEpoch: neurons=256 with 64 dense validator rows; neurons=1024
// (64 validators) and neurons=4096 (256 validators) with 32 weights per
// validator row; Yuma2, Yuma3 and Yuma3 with liquid alpha.
func BenchmarkEpoch(b *testing.B) {
	shapes := []struct {
		n, v, nnz int
	}{
		{256, 64, 0},
		{1024, 64, 32},
		{4096, 256, 32},
	}
	variants := []struct {
		name          string
		yuma3, liquid bool
	}{
		{"yuma2", false, false},
		{"yuma3", true, false},
		{"yuma3-liquid", true, true},
	}
	for _, s := range shapes {
		density := fmt.Sprintf("nnz=%d", s.nnz)
		if s.nnz == 0 {
			density = "dense"
		}
		for _, vr := range variants {
			name := fmt.Sprintf("neurons=%d/validators=%d/%s/%s", s.n, s.v, density, vr.name)
			b.Run(name, func(b *testing.B) {
				in := benchInput(s.n, s.v, s.nnz, vr.yuma3, vr.liquid)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Epoch(in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkExpSafe(b *testing.B) {
	x := int64(0)
	for b.Loop() {
		x = (x + 12345679) % (5 << 32)
		expSafe(x)
	}
}
