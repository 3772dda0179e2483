package scoring

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMaxUpscale(t *testing.T) {
	tests := []struct {
		name    string
		in, out []uint16
	}{
		{"spec-ratio-first", []uint16{40000, 20000, 1}, []uint16{65535, 32767, 2}},
		{"spec-small", []uint16{1, 2, 3}, []uint16{21845, 43690, 65535}},
		{"empty", []uint16{}, []uint16{}},
		{"zeros", []uint16{0, 0}, []uint16{0, 0}},
		{"full", []uint16{65535, 0, 1}, []uint16{65535, 0, 1}},
		{"boundary-32768", []uint16{32768, 16384, 1}, []uint16{65535, 32768, 2}},
		{"boundary-32769", []uint16{32769, 16384, 1}, []uint16{65535, 32767, 2}}, // 32766.50005,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaxUpscale(tt.in); !slices.Equal(got, tt.out) {
				t.Errorf("MaxUpscale(%v) = %v, want %v", tt.in, got, tt.out)
			}
		})
	}
}

// refMaxUpscale transcribes spec/yuma.md §8.1 onto big integers, one Q32
// operation at a time.
func refMaxUpscale(v []uint16) []uint16 {
	one := new(big.Int).Lsh(big.NewInt(1), 32)
	q := func(k uint64) *big.Int { return new(big.Int).Lsh(new(big.Int).SetUint64(k), 32) }
	mul := func(a, b *big.Int) *big.Int { return new(big.Int).Rsh(new(big.Int).Mul(a, b), 32) }
	div := func(a, b *big.Int) *big.Int { return new(big.Int).Quo(new(big.Int).Lsh(a, 32), b) }
	m := big.NewInt(0)
	for _, x := range v {
		if q(uint64(x)).Cmp(m) > 0 {
			m = q(uint64(x))
		}
	}
	out := make([]uint16, len(v))
	if m.Sign() == 0 {
		return out
	}
	for i, x := range v {
		var a *big.Int
		if m.Cmp(q(32768)) > 0 {
			a = mul(q(uint64(x)), div(q(65535), m))
		} else {
			a = div(mul(q(uint64(x)), q(65535)), m)
		}
		r := new(big.Int).Rsh(new(big.Int).Add(a, new(big.Int).Rsh(one, 1)), 32)
		out[i] = uint16(min(r.Uint64(), 65535))
	}
	return out
}

func TestMaxUpscaleProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for k := range 3000 {
		v := make([]uint16, 1+r.IntN(20))
		top := 1 + r.IntN(65535)
		if k%3 == 0 {
			top = 1 + r.IntN(40000) // straddle the 32768 branch
		}
		for i := range v {
			v[i] = uint16(r.IntN(top + 1))
		}
		got := MaxUpscale(v)
		if want := refMaxUpscale(v); !slices.Equal(got, want) {
			t.Fatalf("MaxUpscale(%v) = %v, reference %v", v, got, want)
		}
		if !slices.Equal(MaxUpscale(got), got) {
			t.Fatalf("not idempotent on %v", v)
		}
		m := float64(slices.Max(v))
		for i := range v {
			if m > 0 && math.Abs(float64(got[i])-float64(v[i])/m*65535) > 1 {
				t.Fatalf("entry %d of %v: %d, want %.2f ± 1", i, v, got[i], float64(v[i])/m*65535)
			}
		}
	}
}

func TestMaxWeightOK(t *testing.T) {
	tests := []struct {
		v     []uint16
		limit uint16
		want  bool
	}{
		{[]uint16{1, 1}, 32768, true},           // 0.5 ≤ 0.500007…
		{[]uint16{1, 1}, 32767, false},          // 0.5 > 0.49999…
		{[]uint16{65535}, 65534, false},         //
		{[]uint16{65535}, 65535, true},          // no limit
		{[]uint16{0, 0}, 1, true},               // nothing to exceed
		{[]uint16{3, 1, 1, 1, 1}, 19661, false}, // 3/7 = 0.4286 > 0.3
		{[]uint16{3, 1, 1, 1, 1}, 28087, true},  // 3/7 ≤ 28087/65535 = 0.428580…
		{[]uint16{3, 1, 1, 1, 1}, 28086, false}, // 0.428565… < 3/7 = 0.428571…
	}
	for _, tt := range tests {
		if got := MaxWeightOK(tt.v, tt.limit); got != tt.want {
			t.Errorf("MaxWeightOK(%v, %d) = %v, want %v", tt.v, tt.limit, got, tt.want)
		}
	}
}

func TestWeights(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		p      WeightParams
		want   Row
		err    error
	}{
		{"basic", []float64{0.5, 0.25, 0, -1, math.NaN()}, WeightParams{N: 5},
			Row{UIDs: []uint16{0, 1}, Values: []uint16{65535, 32768}}, nil},
		{"floor-drops", []float64{0.9, 0.05, 0.05}, WeightParams{N: 3, Floor: 0.1},
			Row{UIDs: []uint16{0}, Values: []uint16{65535}}, nil},
		{"pad-best-dropped-then-zeros", []float64{0.9, 0.01, 0.09}, WeightParams{N: 5, Floor: 0.5, MinAllowed: 4},
			Row{UIDs: []uint16{0, 1, 2, 3}, Values: []uint16{65535, 728, 6553, 0}}, nil},
		{"pad-beyond-scores", []float64{1}, WeightParams{N: 3, MinAllowed: 3},
			Row{UIDs: []uint16{0, 1, 2}, Values: []uint16{65535, 0, 0}}, nil},
		{"min-allowed-capped-by-n", []float64{1, 0}, WeightParams{N: 2, MinAllowed: 1024},
			Row{UIDs: []uint16{0, 1}, Values: []uint16{65535, 0}}, nil},
		{"scores-beyond-n-ignored", []float64{0, 1, 7}, WeightParams{N: 2},
			Row{UIDs: []uint16{1}, Values: []uint16{65535}}, nil},
		{"max-limit-redistributes", []float64{0.8, 0.1, 0.1}, WeightParams{N: 3, MaxLimit: 26214}, // 0.4
			Row{UIDs: []uint16{0, 1, 2}, Values: []uint16{65534, 49151, 49151}}, nil}, // 65535 would be 0.400001
		{"max-limit-fills-zeros", []float64{1, 0, 0}, WeightParams{N: 3, MinAllowed: 3, MaxLimit: 26214},
			Row{UIDs: []uint16{0, 1, 2}, Values: []uint16{65534, 49151, 49151}}, nil},
		{"max-limit-unreachable", []float64{1, 1}, WeightParams{N: 2, MaxLimit: 16384}, Row{}, ErrMaxWeight},
		{"no-scores", []float64{0, 0}, WeightParams{N: 2}, Row{}, ErrNoScores},
		{"no-uids", []float64{1}, WeightParams{}, Row{}, ErrNoScores},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Weights(tt.scores, tt.p)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !slices.Equal(got.UIDs, tt.want.UIDs) || !slices.Equal(got.Values, tt.want.Values) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if err == nil && !MaxWeightOK(got.Values, tt.p.MaxLimit|boolU16(tt.p.MaxLimit == 0)) {
				t.Errorf("row %v breaks the max weight limit %d", got.Values, tt.p.MaxLimit)
			}
		})
	}
}

func boolU16(b bool) uint16 {
	if b {
		return math.MaxUint16
	}
	return 0
}

// TestWeightsProperties: rows are sorted and unique, long enough, within the
// max weight limit, topped at 65 535, and order-preserving in the scores.
func TestWeightsProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		n := 1 + r.IntN(64)
		s := make([]float64, n)
		for i := range s {
			if r.IntN(3) > 0 {
				s[i] = r.Float64()
			}
		}
		s[r.IntN(n)] = 0.5 + r.Float64() // at least one positive
		p := WeightParams{N: n + r.IntN(4), Floor: r.Float64() * 0.1, MinAllowed: r.IntN(n + 3)}
		if r.IntN(2) == 0 {
			p.MaxLimit = uint16(65535/max(1, n/2) + r.IntN(20000))
		}
		row, err := Weights(s, p)
		if errors.Is(err, ErrMaxWeight) {
			continue
		}
		if err != nil {
			t.Fatalf("Weights(%v, %+v): %v", s, p, err)
		}
		if len(row.UIDs) != len(row.Values) || len(row.UIDs) < min(max(p.MinAllowed, 1), p.N) {
			t.Fatalf("row %+v too short for %+v", row, p)
		}
		for i := 1; i < len(row.UIDs); i++ {
			if row.UIDs[i-1] >= row.UIDs[i] {
				t.Fatalf("uids not strictly ascending: %v", row.UIDs)
			}
		}
		if m := slices.Max(row.Values); m != 65535 && (p.MaxLimit == 0 || m < 65000) {
			t.Fatalf("Weights(%v, %+v) = %+v: max value %d, want 65535 (a little less under a max weight limit)", s, p, row, m)
		}
		if p.MaxLimit != 0 && !MaxWeightOK(row.Values, p.MaxLimit) {
			t.Fatalf("row %v breaks limit %d", row.Values, p.MaxLimit)
		}
		score := func(u uint16) float64 {
			if int(u) < len(s) {
				return s[u]
			}
			return 0
		}
		if p.MaxLimit == 0 {
			for a := range row.UIDs {
				for b := range row.UIDs {
					if score(row.UIDs[a]) > score(row.UIDs[b]) && row.Values[a] < row.Values[b] {
						t.Fatalf("higher score, lower weight: %v → %+v", s, row)
					}
				}
			}
		}
	}
}
