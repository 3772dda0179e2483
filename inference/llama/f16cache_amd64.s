#include "textflag.h"
#include "kernels_amd64.h"

// Kernels of the F16 KV cache (Seq.k16, Seq.v16): the cache's halves are
// widened by VCVTPH2PS as they are loaded, which is exact, so each kernel
// is its F32-cache counterpart's arithmetic on the widened values, as
// llama.cpp's ggml_vec_dot_f16 and tinyBLAS's F16 path compute it.

// F16FMA4(off, base, a, b, c, d) widens the 32 halves at off(base) into
// Y12..Y15 and adds their products with Y4..Y7 to a..d (fused).
#define F16FMA4(off, base, a, b, c, d) \
	VCVTPH2PS (off)(base), Y12; \
	VCVTPH2PS (off+16)(base), Y13; \
	VCVTPH2PS (off+32)(base), Y14; \
	VCVTPH2PS (off+48)(base), Y15; \
	VFMADD231PS Y12, Y4, a; \
	VFMADD231PS Y13, Y5, b; \
	VFMADD231PS Y14, Y6, c; \
	VFMADD231PS Y15, Y7, d

// func roundF16AVX2(x *float32, n int)
// x[i] = float32(float16(x[i])), rounding to nearest even (VCVTPS2PH $0,
// as ggml_cpu_fp32_to_fp16), for i < n (n a positive multiple of 8).
// FSMAD(i, acc): acc = f16(fma(v[8i:8i+8], w, acc)) with the row at DI
// and the weight broadcast in Y15: ggml_vec_mad_f16.
#define FSMAD(i, acc) \
	VCVTPH2PS (i*16)(DI), Y14; \
	VFMADD231PS Y15, Y14, acc; \
	VCVTPS2PH $0, acc, X14; \
	VCVTPH2PS X14, acc

// FSMAX(i, acc): a cell that raises the maximum: acc = f16(acc*ms)
// (ggml_vec_scale_f16), then f16(acc + v) (its weight is 1).
#define FSMAX(i, acc) \
	VMULPS Y15, acc, acc; \
	VCVTPS2PH $0, acc, X14; \
	VCVTPH2PS X14, acc; \
	VCVTPH2PS (i*16)(DI), Y14; \
	VADDPS Y14, acc, acc; \
	VCVTPS2PH $0, acc, X14; \
	VCVTPH2PS X14, acc

TEXT ·roundF16AVX2(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
rf16loop:
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, X1
	VCVTPH2PS X1, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ rf16loop
	VZEROUPPER
	RET

// func toF16AVX2(dst *uint16, src *float32, n int)
// dst[i] = float16(src[i]), rounding to nearest even, for i < n (n a
// positive multiple of 8): keys and values entering an F16 cache.
TEXT ·toF16AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
tf16loop:
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ tf16loop
	VZEROUPPER
	RET

// TAILD4(y, x, acc, t) adds the four floats of x (products, exact),
// widened to the doubles of y, to the double in acc one after another, as
// ggml_vec_dot_f16's leftover loop does (t scratch, y clobbered).
#define TAILD4(y, x, acc, t) \
	VCVTPS2PD x, y; \
	VADDSD x, acc, acc; \
	VPERMILPD $1, x, t; \
	VADDSD t, acc, acc; \
	VEXTRACTF128 $1, y, x; \
	VADDSD x, acc, acc; \
	VPERMILPD $1, x, t; \
	VADDSD t, acc, acc

// func scoresF16TailAVX2(q *float32, k *uint16, stride, ngrp, nt int, out *float32)
// The leftover part of ggml_vec_dot_f16 for 4*ngrp positions at once:
// out[t] (the rounded sum of the first elements, as scoresF16AVX2 leaves
// it over hd&^31) is widened to float64, then each of the nt leftover
// products q[i]*k[t*stride+i] (float32, nt a positive multiple of 4) is
// added in order and the total rounded to float32. Four positions share
// one vector of doubles, so the sequential additions of one position run
// beside those of three others: a 4x4 transpose turns four positions'
// products of four elements into four vectors of one element each.
TEXT ·scoresF16TailAVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ stride+16(FP), R8
	SHLQ $1, R8
	MOVQ ngrp+24(FP), R9
	MOVQ nt+32(FP), R10
	MOVQ out+40(FP), DX
	LEAQ (R8)(R8*2), R11
sftgrp:
	VCVTPS2PD (DX), Y0
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, CX
sftel:
	VMOVUPS (AX), X4
	VCVTPH2PS (BX), X1
	VCVTPH2PS (BX)(R8*1), X2
	VCVTPH2PS (BX)(R8*2), X3
	VCVTPH2PS (BX)(R11*1), X5
	VMULPS X4, X1, X1
	VMULPS X4, X2, X2
	VMULPS X4, X3, X3
	VMULPS X4, X5, X5
	VUNPCKLPS X2, X1, X6 // p0e0 p1e0 p0e1 p1e1
	VUNPCKHPS X2, X1, X7 // p0e2 p1e2 p0e3 p1e3
	VUNPCKLPS X5, X3, X8 // p2e0 p3e0 p2e1 p3e1
	VUNPCKHPS X5, X3, X9 // p2e2 p3e2 p2e3 p3e3
	VMOVLHPS X8, X6, X1 // element 0 of the four positions
	VMOVHLPS X6, X8, X2 // element 1
	VMOVLHPS X9, X7, X3 // element 2
	VMOVHLPS X7, X9, X5 // element 3
	VCVTPS2PD X1, Y1
	VCVTPS2PD X2, Y2
	VCVTPS2PD X3, Y3
	VCVTPS2PD X5, Y5
	VADDPD Y1, Y0, Y0
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y0, Y0
	VADDPD Y5, Y0, Y0
	ADDQ $16, AX
	ADDQ $8, BX
	SUBQ $4, CX
	JNZ sftel
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (DX)
	ADDQ $16, DX
	LEAQ (DI)(R8*4), DI
	DECQ R9
	JNZ sftgrp
	VZEROUPPER
	RET

// func scoresF16AVX2(q *float32, k *uint16, stride, npos, hd int, out *float32)
// out[t] = ggml_vec_dot_f16 of q[:hd] with the halves at k + t*stride*2,
// for t < npos (npos > 0, hd a positive multiple of 4): four accumulators
// over the first hd&^31 elements, folded (GGMLREDUCE), then the leftover
// products added in float64 and the total rounded to float32; two
// positions at a time, prefetching eight positions ahead: a decode row's
// attention scores.
TEXT ·scoresF16AVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ stride+16(FP), R8
	SHLQ $1, R8
	MOVQ npos+24(FP), R9
	MOVQ hd+32(FP), R10
	MOVQ out+40(FP), DX
	MOVQ R10, R11
	ANDQ $-32, R11
	MOVQ R8, R13
	SHLQ $3, R13 // eight positions' bytes
sf16pos2:
	CMPQ R9, $2
	JLT sf16pos1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ SI, AX
	MOVQ DI, BX
	LEAQ (DI)(R8*1), R12
	MOVQ R11, CX
sf16main2:
	CMPQ CX, $0
	JLE sf16red2
	PREFETCHT0 (BX)(R13*1)
	PREFETCHT0 (R12)(R13*1)
	VMOVUPS 0(AX), Y4
	VMOVUPS 32(AX), Y5
	VMOVUPS 64(AX), Y6
	VMOVUPS 96(AX), Y7
	F16FMA4(0, BX, Y0, Y1, Y2, Y3)
	F16FMA4(0, R12, Y8, Y9, Y10, Y11)
	ADDQ $128, AX
	ADDQ $64, BX
	ADDQ $64, R12
	SUBQ $32, CX
	JMP sf16main2
sf16red2:
	GGMLREDUCE(Y0, Y1, Y2, Y3, X0, X1)
	GGMLREDUCE(Y8, Y9, Y10, Y11, X8, X9)
	MOVQ R10, CX
	SUBQ R11, CX
	JZ sf16store2
	VCVTSS2SD X0, X0, X0
	VCVTSS2SD X8, X8, X8
sf16tail2:
	VMOVUPS 0(AX), X4
	VCVTPH2PS 0(BX), X12
	VCVTPH2PS 0(R12), X13
	VMULPS X4, X12, X12
	VMULPS X4, X13, X13
	TAILD4(Y12, X12, X0, X14)
	TAILD4(Y13, X13, X8, X15)
	ADDQ $16, AX
	ADDQ $8, BX
	ADDQ $8, R12
	SUBQ $4, CX
	JNZ sf16tail2
	VCVTSD2SS X0, X0, X0
	VCVTSD2SS X8, X8, X8
sf16store2:
	VMOVSS X0, 0(DX)
	VMOVSS X8, 4(DX)
	ADDQ $8, DX
	LEAQ (DI)(R8*2), DI
	SUBQ $2, R9
	JMP sf16pos2
sf16pos1:
	CMPQ R9, $0
	JLE sf16done
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R11, CX
sf16main1:
	CMPQ CX, $0
	JLE sf16red1
	VCVTPH2PS 0(BX), Y4
	VCVTPH2PS 16(BX), Y5
	VCVTPH2PS 32(BX), Y6
	VCVTPH2PS 48(BX), Y7
	VFMADD231PS 0(AX), Y4, Y0
	VFMADD231PS 32(AX), Y5, Y1
	VFMADD231PS 64(AX), Y6, Y2
	VFMADD231PS 96(AX), Y7, Y3
	ADDQ $128, AX
	ADDQ $64, BX
	SUBQ $32, CX
	JMP sf16main1
sf16red1:
	GGMLREDUCE(Y0, Y1, Y2, Y3, X0, X1)
	MOVQ R10, CX
	SUBQ R11, CX
	JZ sf16store1
	VCVTSS2SD X0, X0, X0
sf16tail1:
	VMOVUPS 0(AX), X4
	VCVTPH2PS 0(BX), X12
	VMULPS X4, X12, X12
	TAILD4(Y12, X12, X0, X14)
	ADDQ $16, AX
	ADDQ $8, BX
	SUBQ $4, CX
	JNZ sf16tail1
	VCVTSD2SS X0, X0, X0
sf16store1:
	VMOVSS X0, (DX)
sf16done:
	VZEROUPPER
	RET

// func scoresF16x8AVX2(q *float32, k *uint16, stride, npos, hd int, out *float32)
// out[t] = tinyBLAS's F16 product of q[:hd] with the halves at k +
// t*stride*2 (one accumulator of eight lanes, fused multiply-adds, HSUM8),
// for t < npos (npos > 0, hd a positive multiple of 8): a prompt row's
// attention scores.
TEXT ·scoresF16x8AVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ stride+16(FP), R8
	SHLQ $1, R8
	MOVQ npos+24(FP), R9
	MOVQ hd+32(FP), R11
	MOVQ out+40(FP), DX
sx8pos:
	VXORPS Y0, Y0, Y0
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R11, CX
sx8loop:
	VCVTPH2PS 0(BX), Y4
	VFMADD231PS 0(AX), Y4, Y0
	ADDQ $32, AX
	ADDQ $16, BX
	SUBQ $8, CX
	JNZ sx8loop
	HSUM8(Y0, X0, X1)
	VMOVSS X0, (DX)
	ADDQ $4, DX
	ADDQ R8, DI
	DECQ R9
	JNZ sx8pos
	VZEROUPPER
	RET

// The F16 value cache is blocked like the F32 one (Seq): for one KV head,
// block B of 32 positions holds hd rows of 32 halves, row d at v + (B*hd
// + d)*64 bytes.

// func kqvF16GGMLAVX2(v *uint16, hd int, p *float32, nblk int, out *float32)
// out[d] = ggml_vec_dot_f16 of row d (nblk blocks) with p[:nblk*32], for d
// < hd (nblk > 0, hd a positive even number), two rows at a time: a decode
// row's weighted sum of values (no leftovers: llama.cpp's n_kv is a
// multiple of 256).
TEXT ·kqvF16GGMLAVX2(SB), NOSPLIT, $0-40
	MOVQ v+0(FP), DI
	MOVQ hd+8(FP), R9
	MOVQ p+16(FP), SI
	MOVQ nblk+24(FP), R10
	MOVQ out+32(FP), DX
	MOVQ R9, R12
	SHLQ $6, R12
kf16row2:
	CMPQ R9, $2
	JLT kf16done
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, CX
kf16loop2:
	VMOVUPS 0(AX), Y4
	VMOVUPS 32(AX), Y5
	VMOVUPS 64(AX), Y6
	VMOVUPS 96(AX), Y7
	F16FMA4(0, BX, Y0, Y1, Y2, Y3)
	F16FMA4(64, BX, Y8, Y9, Y10, Y11)
	ADDQ $128, AX
	ADDQ R12, BX
	DECQ CX
	JNZ kf16loop2
	GGMLREDUCE(Y0, Y1, Y2, Y3, X0, X1)
	GGMLREDUCE(Y8, Y9, Y10, Y11, X8, X9)
	VMOVSS X0, 0(DX)
	VMOVSS X8, 4(DX)
	ADDQ $8, DX
	ADDQ $128, DI
	SUBQ $2, R9
	JMP kf16row2
kf16done:
	VZEROUPPER
	RET

// func kqvF16x8AVX2(v *uint16, hd int, p *float32, nchunk int, out *float32)
// out[d] = tinyBLAS's F16 product of row d's first nchunk*8 positions with
// p, for d < hd (hd, nchunk > 0): a prompt row's weighted sum of values.
TEXT ·kqvF16x8AVX2(SB), NOSPLIT, $0-40
	MOVQ v+0(FP), DI
	MOVQ hd+8(FP), R9
	MOVQ p+16(FP), SI
	MOVQ nchunk+24(FP), R10
	MOVQ out+32(FP), DX
	MOVQ R9, R12
	SHLQ $6, R12
	SUBQ $64, R12
kx8row:
	VXORPS Y0, Y0, Y0
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, CX
kx8blk:
	VCVTPH2PS 0(BX), Y4
	VFMADD231PS 0(AX), Y4, Y0
	DECQ CX
	JZ kx8end
	VCVTPH2PS 16(BX), Y4
	VFMADD231PS 32(AX), Y4, Y0
	DECQ CX
	JZ kx8end
	VCVTPH2PS 32(BX), Y4
	VFMADD231PS 64(AX), Y4, Y0
	DECQ CX
	JZ kx8end
	VCVTPH2PS 48(BX), Y4
	VFMADD231PS 96(AX), Y4, Y0
	DECQ CX
	JZ kx8end
	ADDQ $128, AX
	ADDQ $64, BX
	ADDQ R12, BX
	JMP kx8blk
kx8end:
	HSUM8(Y0, X0, X1)
	VMOVSS X0, 0(DX)
	ADDQ $4, DX
	ADDQ $64, DI
	DECQ R9
	JNZ kx8row
	VZEROUPPER
	RET

// func vecMadF16AVX2(y, x *uint16, v float32, n int)
// y[i] = float16(x[i]*v + y[i]) (fused in float32, rounded to nearest
// even) for i < n (n a positive multiple of 8): ggml_vec_mad_f16.
TEXT ·vecMadF16AVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	VBROADCASTSS v+16(FP), Y2
	MOVQ n+24(FP), CX
vmf16loop:
	VCVTPH2PS (DI), Y0
	VCVTPH2PS (SI), Y1
	VFMADD231PS Y2, Y1, Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ $16, DI
	ADDQ $16, SI
	SUBQ $8, CX
	JNZ vmf16loop
	VZEROUPPER
	RET

// func vecScaleF16AVX2(y *uint16, v float32, n int)
// y[i] = float16(y[i]*v) for i < n (n a positive multiple of 8):
// ggml_vec_scale_f16.
TEXT ·vecScaleF16AVX2(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), DI
	VBROADCASTSS v+8(FP), Y2
	MOVQ n+16(FP), CX
vsf16loop:
	VCVTPH2PS (DI), Y0
	VMULPS Y2, Y0, Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ vsf16loop
	VZEROUPPER
	RET

// func flashKQAVX2(kt, q *float32, hd int, out *float32)
// out[j] = the chain acc = fma(kt[d*64+j], q[d], acc) over d < hd from 0,
// for j < 64: llama.cpp's tiled flash attention's scores of one query row
// against a tile of 64 keys stored transposed (simd_gemm, one row).
TEXT ·flashKQAVX2(SB), NOSPLIT, $0-32
	MOVQ kt+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ hd+16(FP), CX
	MOVQ out+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
fkqloop:
	VBROADCASTSS (DI), Y8
	VFMADD231PS 0(SI), Y8, Y0
	VFMADD231PS 32(SI), Y8, Y1
	VFMADD231PS 64(SI), Y8, Y2
	VFMADD231PS 96(SI), Y8, Y3
	VFMADD231PS 128(SI), Y8, Y4
	VFMADD231PS 160(SI), Y8, Y5
	VFMADD231PS 192(SI), Y8, Y6
	VFMADD231PS 224(SI), Y8, Y7
	ADDQ $256, SI
	ADDQ $4, DI
	DECQ CX
	JNZ fkqloop
	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	VZEROUPPER
	RET

// func vecMadF32F16AVX2(y *float32, x *uint16, v float32, n int)
// y[i] = fma(float32(x[i]), v, y[i]) for i < n (n a positive multiple
// of 8): one cell's weighted value row added to the tiled flash
// attention's float32 sums.
TEXT ·vecMadF32F16AVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	VBROADCASTSS v+16(FP), Y2
	MOVQ n+24(FP), CX
vm32loop:
	VCVTPH2PS (SI), Y1
	VFMADD213PS (DI), Y2, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, DI
	ADDQ $16, SI
	SUBQ $8, CX
	JNZ vm32loop
	VZEROUPPER
	RET

// func flashWeightsAVX2(scores *float32, n int, scale float32, consts *float64, tab *uint64) float32
// The online softmax of flashOne's loop over n cells, without the values:
// for each cell's score x = scores[c]*scale + 0, the running maximum M
// and sum S with glibc's expf (consts: invLn2N, shift, c0, c1, c2, 1, and
// the underflow bounds -0x1.9fe368p6 and -0x1.9d1d9ep6 as float64; tab:
// exp2fTable). scores[c] is overwritten with the cell's weight: expf(x-M)
// where x does not raise the maximum (+0 to 1, or a NaN of either sign,
// kept as it is); where it does, the factor expf(Mold-x) in [0, 1] that
// scales the sum so far, with its sign bit set (the cell's own weight is
// then 1): 0x80000000 to 0xbf800000, which no NaN is. Returns S.
// flashSum*AVX2 applies the weights to the values.
TEXT ·flashWeightsAVX2(SB), NOSPLIT, $0-44
	MOVQ scores+0(FP), SI
	MOVQ n+8(FP), R8
	VMOVSS scale+16(FP), X12
	MOVQ consts+24(FP), R14
	MOVQ tab+32(FP), R15
	MOVL $-8388608, AX // 0xff800000
	VMOVD AX, X11 // M = -Inf
	VXORPS X13, X13, X13 // S = 0
	VXORPS X14, X14, X14 // the mask's 0
fw1cell:
	VMULSS (SI), X12, X10
	VADDSS X14, X10, X10
	VUCOMISS X11, X10
	JHI fw1max
	VSUBSS X11, X10, X0 // x - M
	XORQ DX, DX
	JMP fw1exp
fw1max:
	VSUBSS X10, X11, X0 // Mold - x
	VMOVAPS X10, X11
	MOVQ $1, DX
fw1exp:
	VMOVD X0, AX
	MOVL AX, CX
	SHRL $20, CX
	ANDL $0x7ff, CX
	CMPL CX, $0x42a
	JLS fw1expn
	CMPL AX, $-8388608 // -Inf
	JEQ fw1zero
	CMPL CX, $0x7f7
	JHI fw1nan
	VCVTSS2SD X0, X0, X1
	VUCOMISD 48(R14), X1
	JCS fw1zero
	VUCOMISD 56(R14), X1
	JCS fw1tiny
fw1expn:
	VCVTSS2SD X0, X0, X1
	VMOVSD 0(R14), X2
	VMOVSD 8(R14), X3
	VMOVAPD X2, X4
	VFMADD213SD X3, X1, X4
	VMOVQ X4, BX
	VSUBSD X3, X4, X5
	VFMSUB213SD X5, X1, X2
	MOVQ BX, CX
	ANDQ $31, CX
	SHLQ $47, BX
	ADDQ (R15)(CX*8), BX
	VMOVQ BX, X6
	VMOVSD 16(R14), X7
	VFMADD213SD 24(R14), X2, X7
	VMULSD X2, X2, X8
	VMOVSD 32(R14), X9
	VFMADD213SD 40(R14), X2, X9
	VFMADD213SD X9, X8, X7
	VMULSD X6, X7, X7
	VCVTSD2SS X7, X7, X0
	JMP fw1got
fw1zero:
	VXORPS X0, X0, X0
	JMP fw1got
fw1nan:
	VADDSS X0, X0, X0
	JMP fw1got
fw1tiny:
	MOVL $1, AX
	VMOVD AX, X0
fw1got:
	VMOVD X0, AX
	CMPQ DX, $0
	JEQ fw1mad
	// A new maximum: S = S*ms + 1.
	VMULSS X0, X13, X13
	MOVL $0x3f800000, CX
	VMOVD CX, X1
	VADDSS X1, X13, X13
	ORL $0x80000000, AX
	JMP fw1next
fw1mad:
	// Otherwise S += vs (>= +0, or NaN: stored as it is, sign and all).
	VADDSS X0, X13, X13
fw1next:
	MOVL AX, (SI)
	ADDQ $4, SI
	DECQ R8
	JNZ fw1cell
	VMOVSS X13, ret+40(FP)
	RET

// func flashSum8AVX2(w *float32, n int, v *uint16, stride int, acc *float32)
// acc[:64] (float32 values of float16s) = the weighted sum of the first 64
// values of the n rows v + c*stride*2 with flashWeightsAVX2's weights w, as
// ggml_vec_scale_f16 and ggml_vec_mad_f16 leave it: rounded to float16
// after every step, the sum kept in registers.
TEXT ·flashSum8AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ n+8(FP), R8
	MOVQ v+16(FP), DI
	MOVQ stride+24(FP), R9
	SHLQ $1, R9
	MOVQ acc+32(FP), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
fs8cell:
	PREFETCHT0 (DI)(R9*8)
	MOVL (SI), AX
	XORL $-2147483648, AX // a flagged cell: 0x80000000..0xbf800000 becomes 0..1.0
	CMPL AX, $0x3f800000
	JLS fs8max
	VBROADCASTSS (SI), Y15
	FSMAD(0, Y0)
	FSMAD(1, Y1)
	FSMAD(2, Y2)
	FSMAD(3, Y3)
	FSMAD(4, Y4)
	FSMAD(5, Y5)
	FSMAD(6, Y6)
	FSMAD(7, Y7)
	JMP fs8next
fs8max:
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	FSMAX(0, Y0)
	FSMAX(1, Y1)
	FSMAX(2, Y2)
	FSMAX(3, Y3)
	FSMAX(4, Y4)
	FSMAX(5, Y5)
	FSMAX(6, Y6)
	FSMAX(7, Y7)
fs8next:
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ R8
	JNZ fs8cell
	VMOVUPS Y0, (0)(R10)
	VMOVUPS Y1, (32)(R10)
	VMOVUPS Y2, (64)(R10)
	VMOVUPS Y3, (96)(R10)
	VMOVUPS Y4, (128)(R10)
	VMOVUPS Y5, (160)(R10)
	VMOVUPS Y6, (192)(R10)
	VMOVUPS Y7, (224)(R10)
	VZEROUPPER
	RET

// func flashSum6AVX2(w *float32, n int, v *uint16, stride int, acc *float32)
// acc[:48] (float32 values of float16s) = the weighted sum of the first 48
// values of the n rows v + c*stride*2 with flashWeightsAVX2's weights w, as
// ggml_vec_scale_f16 and ggml_vec_mad_f16 leave it: rounded to float16
// after every step, the sum kept in registers.
TEXT ·flashSum6AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ n+8(FP), R8
	MOVQ v+16(FP), DI
	MOVQ stride+24(FP), R9
	SHLQ $1, R9
	MOVQ acc+32(FP), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
fs6cell:
	PREFETCHT0 (DI)(R9*8)
	MOVL (SI), AX
	XORL $-2147483648, AX // a flagged cell: 0x80000000..0xbf800000 becomes 0..1.0
	CMPL AX, $0x3f800000
	JLS fs6max
	VBROADCASTSS (SI), Y15
	FSMAD(0, Y0)
	FSMAD(1, Y1)
	FSMAD(2, Y2)
	FSMAD(3, Y3)
	FSMAD(4, Y4)
	FSMAD(5, Y5)
	JMP fs6next
fs6max:
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	FSMAX(0, Y0)
	FSMAX(1, Y1)
	FSMAX(2, Y2)
	FSMAX(3, Y3)
	FSMAX(4, Y4)
	FSMAX(5, Y5)
fs6next:
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ R8
	JNZ fs6cell
	VMOVUPS Y0, (0)(R10)
	VMOVUPS Y1, (32)(R10)
	VMOVUPS Y2, (64)(R10)
	VMOVUPS Y3, (96)(R10)
	VMOVUPS Y4, (128)(R10)
	VMOVUPS Y5, (160)(R10)
	VZEROUPPER
	RET

// func flashSum4AVX2(w *float32, n int, v *uint16, stride int, acc *float32)
// acc[:32] (float32 values of float16s) = the weighted sum of the first 32
// values of the n rows v + c*stride*2 with flashWeightsAVX2's weights w, as
// ggml_vec_scale_f16 and ggml_vec_mad_f16 leave it: rounded to float16
// after every step, the sum kept in registers.
TEXT ·flashSum4AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ n+8(FP), R8
	MOVQ v+16(FP), DI
	MOVQ stride+24(FP), R9
	SHLQ $1, R9
	MOVQ acc+32(FP), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
fs4cell:
	PREFETCHT0 (DI)(R9*8)
	MOVL (SI), AX
	XORL $-2147483648, AX // a flagged cell: 0x80000000..0xbf800000 becomes 0..1.0
	CMPL AX, $0x3f800000
	JLS fs4max
	VBROADCASTSS (SI), Y15
	FSMAD(0, Y0)
	FSMAD(1, Y1)
	FSMAD(2, Y2)
	FSMAD(3, Y3)
	JMP fs4next
fs4max:
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	FSMAX(0, Y0)
	FSMAX(1, Y1)
	FSMAX(2, Y2)
	FSMAX(3, Y3)
fs4next:
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ R8
	JNZ fs4cell
	VMOVUPS Y0, (0)(R10)
	VMOVUPS Y1, (32)(R10)
	VMOVUPS Y2, (64)(R10)
	VMOVUPS Y3, (96)(R10)
	VZEROUPPER
	RET

// func flashSum2AVX2(w *float32, n int, v *uint16, stride int, acc *float32)
// acc[:16] (float32 values of float16s) = the weighted sum of the first 16
// values of the n rows v + c*stride*2 with flashWeightsAVX2's weights w, as
// ggml_vec_scale_f16 and ggml_vec_mad_f16 leave it: rounded to float16
// after every step, the sum kept in registers.
TEXT ·flashSum2AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ n+8(FP), R8
	MOVQ v+16(FP), DI
	MOVQ stride+24(FP), R9
	SHLQ $1, R9
	MOVQ acc+32(FP), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
fs2cell:
	PREFETCHT0 (DI)(R9*8)
	MOVL (SI), AX
	XORL $-2147483648, AX // a flagged cell: 0x80000000..0xbf800000 becomes 0..1.0
	CMPL AX, $0x3f800000
	JLS fs2max
	VBROADCASTSS (SI), Y15
	FSMAD(0, Y0)
	FSMAD(1, Y1)
	JMP fs2next
fs2max:
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	FSMAX(0, Y0)
	FSMAX(1, Y1)
fs2next:
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ R8
	JNZ fs2cell
	VMOVUPS Y0, (0)(R10)
	VMOVUPS Y1, (32)(R10)
	VZEROUPPER
	RET

// func flashSum1AVX2(w *float32, n int, v *uint16, stride int, acc *float32)
// acc[:8] (float32 values of float16s) = the weighted sum of the first 8
// values of the n rows v + c*stride*2 with flashWeightsAVX2's weights w, as
// ggml_vec_scale_f16 and ggml_vec_mad_f16 leave it: rounded to float16
// after every step, the sum kept in registers.
TEXT ·flashSum1AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ n+8(FP), R8
	MOVQ v+16(FP), DI
	MOVQ stride+24(FP), R9
	SHLQ $1, R9
	MOVQ acc+32(FP), R10
	VXORPS Y0, Y0, Y0
fs1cell:
	PREFETCHT0 (DI)(R9*8)
	MOVL (SI), AX
	XORL $-2147483648, AX // a flagged cell: 0x80000000..0xbf800000 becomes 0..1.0
	CMPL AX, $0x3f800000
	JLS fs1max
	VBROADCASTSS (SI), Y15
	FSMAD(0, Y0)
	JMP fs1next
fs1max:
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	FSMAX(0, Y0)
fs1next:
	ADDQ $4, SI
	ADDQ R9, DI
	DECQ R8
	JNZ fs1cell
	VMOVUPS Y0, (0)(R10)
	VZEROUPPER
	RET

