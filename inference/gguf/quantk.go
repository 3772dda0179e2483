package gguf

// QKK is the super-block size of the k-quants.
const QKK = 256

// ScaleMinK4 extracts the 6-bit scale and min of sub-block j from the 12
// packed bytes of a Q4_K super-block (ggml's get_scale_min_k4).
func ScaleMinK4(j int, q []byte) (uint8, uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	d := (q[j+4] & 0xF) | ((q[j-4] >> 6) << 4)
	m := (q[j+4] >> 4) | ((q[j] >> 6) << 4)
	return d, m
}

// dequantQ4K follows ggml's dequantize_row_q4_K: 144-byte super-blocks of
// f16 d, f16 dmin, 12 bytes of scales, 128 bytes of nibbles.
func dequantQ4K(dst []float32, src []byte) {
	for b := 0; b*QKK < len(dst); b++ {
		blk := src[b*144:]
		d := F16ToF32(le16(blk))
		dmin := F16ToF32(le16(blk[2:]))
		scales := blk[4:16]
		q := blk[16:144]
		y := dst[b*QKK:]
		is := 0
		for j := 0; j < QKK; j += 64 {
			sc, m := ScaleMinK4(is, scales)
			d1, m1 := d*float32(sc), dmin*float32(m)
			sc, m = ScaleMinK4(is+1, scales)
			d2, m2 := d*float32(sc), dmin*float32(m)
			for l := range 32 {
				y[j+l] = d1*float32(q[l]&0xF) - m1
			}
			for l := range 32 {
				y[j+32+l] = d2*float32(q[l]>>4) - m2
			}
			q = q[32:]
			is += 2
		}
	}
}

// dequantQ6K follows ggml's dequantize_row_q6_K: 210-byte super-blocks of
// 128 bytes low nibbles, 64 bytes high bits, 16 int8 scales, f16 d.
func dequantQ6K(dst []float32, src []byte) {
	for b := 0; b*QKK < len(dst); b++ {
		blk := src[b*210:]
		ql := blk[0:128]
		qh := blk[128:192]
		sc := blk[192:208]
		d := F16ToF32(le16(blk[208:]))
		y := dst[b*QKK:]
		for n := 0; n < QKK; n += 128 {
			for l := range 32 {
				is := l / 16
				q1 := int8((ql[l]&0xF)|((qh[l]>>0)&3)<<4) - 32
				q2 := int8((ql[l+32]&0xF)|((qh[l]>>2)&3)<<4) - 32
				q3 := int8((ql[l]>>4)|((qh[l]>>4)&3)<<4) - 32
				q4 := int8((ql[l+32]>>4)|((qh[l]>>6)&3)<<4) - 32
				y[n+l] = d * float32(int8(sc[is])) * float32(q1)
				y[n+l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				y[n+l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				y[n+l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
			ql = ql[64:]
			qh = qh[32:]
			sc = sc[8:]
		}
	}
}
