package gguf

import "encoding/binary"

// dequantQ4_1 follows ggml's dequantize_row_q4_1: 20-byte blocks of f16
// d, f16 m and 16 bytes of nibbles (low nibbles first half, high second);
// x = q*d + m.
func dequantQ4_1(dst []float32, src []byte) {
	for b := 0; b*QK < len(dst); b++ {
		blk := src[b*20:]
		d, m := F16ToF32(le16(blk)), F16ToF32(le16(blk[2:]))
		y := dst[b*QK:]
		for j := range QK / 2 {
			q := blk[4+j]
			y[j] = float32(q&0xF)*d + m
			y[j+QK/2] = float32(q>>4)*d + m
		}
	}
}

// dequantQ5 follows ggml's dequantize_row_q5_0 (withMin false: 22-byte
// blocks of f16 d, 32 high bits, 16 bytes of nibbles; x = (q-16)*d) and
// dequantize_row_q5_1 (withMin: 24-byte blocks with an f16 m after d;
// x = q*d + m).
func dequantQ5(dst []float32, src []byte, withMin bool) {
	size, hdr := 22, 2
	if withMin {
		size, hdr = 24, 4
	}
	for b := 0; b*QK < len(dst); b++ {
		blk := src[b*size:]
		d := F16ToF32(le16(blk))
		var m float32
		off := float32(16)
		if withMin {
			m, off = F16ToF32(le16(blk[2:])), 0
		}
		qh := binary.LittleEndian.Uint32(blk[hdr:])
		qs := blk[hdr+4:]
		y := dst[b*QK:]
		for j := range QK / 2 {
			h0 := byte(qh>>j) & 1 << 4
			h1 := byte(qh>>(j+16)) & 1 << 4
			y[j] = (float32(qs[j]&0xF|h0) - off) * d
			y[j+QK/2] = (float32(qs[j]>>4|h1) - off) * d
			if withMin { // Q5_0 adds nothing: (q-16)·d may be -0
				y[j] += m
				y[j+QK/2] += m
			}
		}
	}
}

// dequantQ5K follows ggml's dequantize_row_q5_K: 176-byte super-blocks of
// f16 d, f16 dmin, 12 bytes of 6-bit scales and mins (as Q4_K), 32 bytes
// of high bits and 128 bytes of nibbles.
func dequantQ5K(dst []float32, src []byte) {
	for b := 0; b*QKK < len(dst); b++ {
		blk := src[b*176:]
		d := F16ToF32(le16(blk))
		dmin := F16ToF32(le16(blk[2:]))
		scales := blk[4:16]
		qh := blk[16:48]
		ql := blk[48:176]
		y := dst[b*QKK:]
		u1, u2 := byte(1), byte(2)
		for j, is := 0, 0; j < QKK; j, is = j+64, is+2 {
			sc, m := ScaleMinK4(is, scales)
			d1, m1 := d*float32(sc), dmin*float32(m)
			sc, m = ScaleMinK4(is+1, scales)
			d2, m2 := d*float32(sc), dmin*float32(m)
			for l := range 32 {
				h := float32(0)
				if qh[l]&u1 != 0 {
					h = 16
				}
				y[j+l] = d1*(float32(ql[l]&0xF)+h) - m1
			}
			for l := range 32 {
				h := float32(0)
				if qh[l]&u2 != 0 {
					h = 16
				}
				y[j+32+l] = d2*(float32(ql[l]>>4)+h) - m2
			}
			ql = ql[32:]
			u1 <<= 2
			u2 <<= 2
		}
	}
}
