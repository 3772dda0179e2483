package gguf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestF32ToBF16 checks rounding to nearest, ties to even, against the two
// bf16 neighbours of each value.
func TestF32ToBF16(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	vals := []float32{0, 1, -1, 1.00390625, 1.01171875, 3.1415927, 65504, 1e-30}
	for range 10000 {
		vals = append(vals, math.Float32frombits(r.Uint32()&^(0xff<<23)|uint32(100+r.IntN(60))<<23))
	}
	for _, v := range vals {
		got := F32ToBF16(v)
		lo := uint16(math.Float32bits(v) >> 16)
		dlo := math.Abs(float64(v) - float64(math.Float32frombits(uint32(lo)<<16)))
		dhi := math.Abs(float64(v) - float64(math.Float32frombits(uint32(lo+1)<<16)))
		want := lo
		if dhi < dlo || (dhi == dlo && lo&1 == 1) {
			want = lo + 1
		}
		if got != want {
			t.Fatalf("F32ToBF16(%g) = %#04x, want %#04x", v, got, want)
		}
		if back := BF16ToF32(got); math.Abs(float64(back-v)) > math.Abs(float64(v))/128 {
			t.Fatalf("BF16ToF32(F32ToBF16(%g)) = %g", v, back)
		}
	}
}
