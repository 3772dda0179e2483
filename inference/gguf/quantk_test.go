package gguf

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// The packers below follow ggml's quantize_row_q4_K_ref and
// quantize_row_q6_K_ref bit layouts (a separate code path from the
// dequantizers under test).

func packQ4K(d, dmin float32, ls, lm [8]uint8, L [256]uint8) []byte {
	b := binary.LittleEndian.AppendUint16(nil, F32ToF16(d))
	b = binary.LittleEndian.AppendUint16(b, F32ToF16(dmin))
	var sc [12]byte
	for j := range 8 {
		if j < 4 {
			sc[j] = ls[j]
			sc[j+4] = lm[j]
		} else {
			sc[j+4] = ls[j]&0xF | (lm[j]&0xF)<<4
			sc[j-4] |= (ls[j] >> 4) << 6
			sc[j] |= (lm[j] >> 4) << 6
		}
	}
	b = append(b, sc[:]...)
	for j := 0; j < 256; j += 64 {
		for l := range 32 {
			b = append(b, L[j+l]|L[j+l+32]<<4)
		}
	}
	return b
}

func packQ6K(d float32, scales [16]int8, L [256]uint8) []byte {
	ql := make([]byte, 128)
	qh := make([]byte, 64)
	for j := 0; j < 256; j += 128 {
		o, h := j/2, j/4
		for l := range 32 {
			q1, q2, q3, q4 := L[j+l]&0xF, L[j+l+32]&0xF, L[j+l+64]&0xF, L[j+l+96]&0xF
			ql[o+l] = q1 | q3<<4
			ql[o+l+32] = q2 | q4<<4
			qh[h+l] = L[j+l]>>4 | (L[j+l+32]>>4)<<2 | (L[j+l+64]>>4)<<4 | (L[j+l+96]>>4)<<6
		}
	}
	b := append(ql, qh...)
	for _, s := range scales {
		b = append(b, byte(s))
	}
	return binary.LittleEndian.AppendUint16(b, F32ToF16(d))
}

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
		if err := Dequantize(got, Q4_K, packQ4K(d, dmin, ls, lm, L4)); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			j := i / 32
			if want := d*float32(ls[j])*float32(L4[i]) - dmin*float32(lm[j]); v != want {
				t.Fatalf("q4_K[%d] = %v, want %v", i, v, want)
			}
		}
		if err := Dequantize(got, Q6_K, packQ6K(d, sc6, L6)); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if want := d * float32(sc6[i/16]) * float32(int(L6[i])-32); v != want {
				t.Fatalf("q6_K[%d] = %v, want %v", i, v, want)
			}
		}
	}
}
