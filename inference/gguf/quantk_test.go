package gguf

import (
	"math/rand/v2"
	"testing"
)

func TestDequantizeKQuants(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		var ls, lm [8]uint8
		var L4, L6 [256]uint8
		var sc6 [16]int8
		for j := range 8 {
			ls[j], lm[j] = uint8(r.IntN(64)), uint8(r.IntN(64))
		}
		for i := range 256 {
			L4[i], L6[i] = uint8(r.IntN(16)), uint8(r.IntN(64))
		}
		for j := range sc6 {
			sc6[j] = int8(r.IntN(256) - 128)
		}
		d, dmin := F16ToF32(F32ToF16(0.01)), F16ToF32(F32ToF16(0.002))
		got := make([]float32, 256)
		if err := Dequantize(got, Q4_K, appendQ4K(nil, d, dmin, ls, lm, &L4)); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			j := i / 32
			if want := d*float32(ls[j])*float32(L4[i]) - dmin*float32(lm[j]); v != want {
				t.Fatalf("q4_K[%d] = %v, want %v", i, v, want)
			}
		}
		if err := Dequantize(got, Q6_K, appendQ6K(nil, d, sc6, &L6)); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if want := d * float32(sc6[i/16]) * float32(int(L6[i])-32); v != want {
				t.Fatalf("q6_K[%d] = %v, want %v", i, v, want)
			}
		}
	}
}

// TestQuantizeBlockError quantizes random rows (with an all-zero block, a
// constant one, and all-positive and all-negative ones) to every type Quantize writes and
// checks each value's error against the block's own scale: within half a
// quantization step plus the f16 rounding of the scales (and, for the
// K-quants, the rounding of the sub-block scales).
func TestQuantizeBlockError(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := make([]float32, 4*256)
	for i := range x {
		x[i] = float32(r.NormFloat64()) * float32(1+i/256)
	}
	clear(x[:32])
	for i := 32; i < 64; i++ {
		x[i] = 0.75
	}
	for i := 256; i < 384; i++ {
		x[i] = abs32(x[i]) + 1
	}
	for i := 384; i < 512; i++ {
		x[i] = -abs32(x[i]) - 1
	}
	for _, c := range []struct {
		t     TensorType
		block int
		steps float32 // quantization steps over a block's range (the
		// symmetric types clamp the side opposite the largest value a step
		// short, so count their steps over one side)
	}{{Q8_0, 32, 254}, {Q4_0, 32, 8}, {Q5_0, 32, 16}, {Q5_1, 32, 31}, {Q4_K, 256, 15}, {Q5_K, 256, 31}, {Q6_K, 256, 32}} {
		b, err := Quantize(nil, c.t, x)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.t.RowBytes(len(x)); len(b) != want {
			t.Fatalf("%s: %d bytes, want %d", c.t, len(b), want)
		}
		got := make([]float32, len(x))
		if err := Dequantize(got, c.t, b); err != nil {
			t.Fatal(err)
		}
		for lo := 0; lo < len(x); lo += c.block {
			blk := x[lo : lo+c.block]
			var amax float32
			for _, v := range blk {
				amax = max(amax, abs32(v))
			}
			// A K-quant sub-block's scale is itself quantized to 6 bits
			// (Q4_K/Q5_K) or 8 (Q6_K) against the super-block's largest:
			// allow the super-block's step on top.
			// Half a step, plus what the f16 scale's rounding (2^-11
			// relative) moves a value of up to amax.
			tol := 2*amax/c.steps*0.5 + amax/1024
			if c.block == 256 {
				tol += 2 * amax / 64
			}
			for i, v := range blk {
				if e := abs32(got[lo+i] - v); e > tol {
					t.Fatalf("%s: value %d = %v, decoded %v (error %v > %v)", c.t, lo+i, v, got[lo+i], e, tol)
				}
			}
		}
	}
}
