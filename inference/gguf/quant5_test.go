package gguf

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func TestDequantizeQ4_1Q5(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	d, m := F16ToF32(F32ToF16(0.03)), F16ToF32(F32ToF16(-0.4))
	for range 20 {
		var L4, L5 [32]uint8
		for i := range 32 {
			L4[i], L5[i] = uint8(r.IntN(16)), uint8(r.IntN(32))
		}
		b := binary.LittleEndian.AppendUint16(nil, F32ToF16(d))
		b = binary.LittleEndian.AppendUint16(b, F32ToF16(m))
		for j := range 16 {
			b = append(b, L4[j]|L4[j+16]<<4)
		}
		got := make([]float32, 32)
		for _, tc := range []struct {
			t    TensorType
			b    []byte
			want func(i int) float32
		}{
			{Q4_1, b, func(i int) float32 { return float32(L4[i])*d + m }},
			{Q5_0, appendQ5(nil, d, 0, false, &L5), func(i int) float32 { return float32(int(L5[i])-16) * d }},
			{Q5_1, appendQ5(nil, d, m, true, &L5), func(i int) float32 { return float32(L5[i])*d + m }},
		} {
			if len(tc.b) != tc.t.BlockBytes() {
				t.Fatalf("%s block of %d bytes, want %d", tc.t, len(tc.b), tc.t.BlockBytes())
			}
			if err := Dequantize(got, tc.t, tc.b); err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if w := tc.want(i); v != w {
					t.Fatalf("%s[%d] = %v, want %v", tc.t, i, v, w)
				}
			}
		}
	}
}

func TestDequantizeQ5K(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 20 {
		var ls, lm [8]uint8
		var L [256]uint8
		for j := range 8 {
			ls[j], lm[j] = uint8(r.IntN(64)), uint8(r.IntN(64))
		}
		for i := range L {
			L[i] = uint8(r.IntN(32))
		}
		d, dmin := F16ToF32(F32ToF16(0.01)), F16ToF32(F32ToF16(0.002))
		b := appendQ5K(nil, d, dmin, ls, lm, &L)
		if len(b) != Q5_K.BlockBytes() {
			t.Fatalf("block of %d bytes, want %d", len(b), Q5_K.BlockBytes())
		}
		got := make([]float32, 256)
		if err := Dequantize(got, Q5_K, b); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			j := i / 32
			if want := d*float32(ls[j])*float32(L[i]) - dmin*float32(lm[j]); v != want {
				t.Fatalf("q5_K[%d] = %v, want %v", i, v, want)
			}
		}
	}
}
