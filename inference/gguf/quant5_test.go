package gguf

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// The packers below follow ggml's block_q4_1, block_q5_0, block_q5_1 and
// block_q5_K layouts (quantize_row_*_ref), independently of the
// dequantizers under test.

func packQ5(d, m float32, withMin bool, L [32]uint8) []byte {
	b := binary.LittleEndian.AppendUint16(nil, F32ToF16(d))
	if withMin {
		b = binary.LittleEndian.AppendUint16(b, F32ToF16(m))
	}
	var qh uint32
	qs := make([]byte, 16)
	for j := range 16 {
		qs[j] = L[j]&0xF | (L[j+16]&0xF)<<4
		qh |= uint32(L[j]>>4) << j
		qh |= uint32(L[j+16]>>4) << (j + 16)
	}
	b = binary.LittleEndian.AppendUint32(b, qh)
	return append(b, qs...)
}

func packQ5K(d, dmin float32, ls, lm [8]uint8, L [256]uint8) []byte {
	var L4 [256]uint8
	for i := range L {
		L4[i] = L[i] & 0xF
	}
	q4 := packQ4K(d, dmin, ls, lm, L4) // d, dmin, scales, then the nibbles
	qh := make([]byte, 32)
	for j := range 256 {
		if L[j] > 15 {
			qh[j%32] |= 1 << (j / 32)
		}
	}
	b := append([]byte(nil), q4[:16]...)
	b = append(b, qh...)
	return append(b, q4[16:]...)
}

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
			{Q5_0, packQ5(d, 0, false, L5), func(i int) float32 { return float32(int(L5[i])-16) * d }},
			{Q5_1, packQ5(d, m, true, L5), func(i int) float32 { return float32(L5[i])*d + m }},
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
		b := packQ5K(d, dmin, ls, lm, L)
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
