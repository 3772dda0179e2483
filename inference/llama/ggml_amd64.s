#include "textflag.h"
#include "kernels_amd64.h"

// Kernels that round exactly as ggml's x86 CPU code (AVX2, FMA) does; the
// Go references are in ggmlmath.go and kernels.go.

#define F32C(name, bits) \
	DATA name<>+0(SB)/4, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $4

F32C(gxr, 0x4b400000)
F32C(gxlog2e, 0x3fb8aa3b)
F32C(gxln2hi, 0x3f317200)
F32C(gxln2lo, 0x35bfbe8e)
F32C(gxc3, 0x3c072010)
F32C(gxc4, 0x3d2b9f17)
F32C(gxc5, 0x3e2aaf33)
F32C(gxc6, 0x3efffedb)
F32C(gxc7, 0x3f7ffff6)
F32C(gx126, 0x42fc0000)
F32C(gx192, 0x43400000)
F32C(gxone, 0x3f800000)
F32C(gxabs, 0x7fffffff)
F32C(gxg, 0x82000000)
F32C(gxs1, 0x7f000000)

// VEXPF: Y0 = ggml_v_expf(Y0), lane by lane as vExpf, without the
// branch (ggml's fast path gives every lane what the blend gives it).
// Clobbers Y1-Y9.
#define VEXPF \
	VBROADCASTSS gxr<>(SB), Y1; \
	VBROADCASTSS gxlog2e<>(SB), Y2; \
	VMOVAPS Y1, Y3; \
	VFMADD231PS Y2, Y0, Y3; \
	VSUBPS Y1, Y3, Y4; \
	VBROADCASTSS gxln2hi<>(SB), Y2; \
	VFNMADD231PS Y2, Y4, Y0; \
	VBROADCASTSS gxln2lo<>(SB), Y2; \
	VFNMADD231PS Y2, Y4, Y0; \
	VPSLLD $23, Y3, Y3; \
	VPBROADCASTD gxone<>(SB), Y5; \
	VPADDD Y3, Y5, Y5; \
	VMULPS Y0, Y0, Y6; \
	VBROADCASTSS gxc4<>(SB), Y7; \
	VBROADCASTSS gxc3<>(SB), Y2; \
	VFMADD231PS Y0, Y2, Y7; \
	VBROADCASTSS gxc6<>(SB), Y8; \
	VBROADCASTSS gxc5<>(SB), Y2; \
	VFMADD231PS Y0, Y2, Y8; \
	VFMADD231PS Y6, Y7, Y8; \
	VBROADCASTSS gxc7<>(SB), Y2; \
	VMULPS Y0, Y2, Y2; \
	VFMADD231PS Y6, Y8, Y2; \
	VBROADCASTSS gxabs<>(SB), Y6; \
	VANDPS Y6, Y4, Y6; \
	VMOVAPS Y5, Y0; \
	VFMADD231PS Y2, Y5, Y0; \
	VBROADCASTSS gx126<>(SB), Y7; \
	VCMPPS $0x1e, Y7, Y6, Y7; \
	VXORPS Y8, Y8, Y8; \
	VCMPPS $0x12, Y8, Y4, Y8; \
	VPBROADCASTD gxg<>(SB), Y9; \
	VPAND Y9, Y8, Y8; \
	VPSUBD Y8, Y3, Y3; \
	VPBROADCASTD gxs1<>(SB), Y9; \
	VPADDD Y9, Y8, Y8; \
	VMOVAPS Y3, Y9; \
	VFMADD231PS Y2, Y3, Y9; \
	VMULPS Y8, Y9, Y9; \
	VBLENDVPS Y7, Y9, Y0, Y0; \
	VMULPS Y8, Y8, Y8; \
	VBROADCASTSS gx192<>(SB), Y9; \
	VCMPPS $0x1e, Y9, Y6, Y9; \
	VBLENDVPS Y9, Y8, Y0, Y0

// func softmaxExpAVX2(x *float32, n int, mx float32) float64
// Replaces x[i] by ggml_v_expf(x[i] - mx) for n a positive multiple of 8
// and returns their sum as ggml_vec_soft_max_f32 forms it.
TEXT ·softmaxExpAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS mx+16(FP), Y10
	VXORPD X11, X11, X11
smloop:
	VMOVUPS 0(SI), Y0
	VSUBPS Y10, Y0, Y0
	VEXPF
	VMOVUPS Y0, 0(SI)
	HSUM8(Y0, X0, X1)
	VCVTSS2SD X0, X0, X0
	VADDSD X0, X11, X11
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ smloop
	VZEROUPPER
	MOVSD X11, ret+24(FP)
	RET

// func siluMulAVX2(gate, up *float32, n int)
// gate[i] = ggml_v_silu(gate[i]) * up[i] for n a positive multiple of 8:
// x / (1 + v_expf(0 - x)).
TEXT ·siluMulAVX2(SB), NOSPLIT, $0-24
	MOVQ gate+0(FP), DI
	MOVQ up+8(FP), SI
	MOVQ n+16(FP), CX
slloop:
	VMOVUPS 0(DI), Y10
	VXORPS Y0, Y0, Y0
	VSUBPS Y10, Y0, Y0
	VEXPF
	VBROADCASTSS gxone<>(SB), Y1
	VADDPS Y1, Y0, Y0
	VDIVPS Y0, Y10, Y10
	VMULPS 0(SI), Y10, Y10
	VMOVUPS Y10, 0(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ slloop
	VZEROUPPER
	RET

// Q8LANES(k, acc, t, s): block k (at DI + k*32, scale at R8 + k*4) of
// activation row k against the weight block in Y14 (|w| in Y13, its f16
// scale widened in Y12), added to acc as ggml does: eight int32 lanes of
// four products each, converted, times d(w)*d(x), fused into acc.
#define Q8LANES(k, acc, t, s) \
	VMOVDQU (k*32)(DI), t; \
	VPSIGNB Y14, t, t; \
	VPMADDUBSW t, Y13, t; \
	VPMADDWD Y15, t, t; \
	VCVTDQ2PS t, t; \
	VBROADCASTSS (k*4)(R8), s; \
	VMULPS Y12, s, s; \
	VFMADD231PS s, t, acc

// WBLK loads the Q8_0 weight block at R9: quants in Y14, their absolute
// values in Y13, the scale broadcast in Y12.
#define WBLK \
	VMOVDQU 2(R9), Y14; \
	VPSIGNB Y14, Y14, Y13; \
	VPBROADCASTW 0(R9), X12; \
	VCVTPH2PS X12, Y12

// func matQ8x1AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32)
// out[i] = dotQ8Go(row i, x) for nrows rows rowBytes apart.
TEXT ·matQ8x1AVX2(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), R14
	MOVQ rowBytes+8(FP), R12
	MOVQ nrows+16(FP), R13
	MOVQ out+56(FP), DX
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
q8x1row:
	CMPQ R13, $0
	JLE q8x1done
	MOVQ R14, R9
	MOVQ xq+24(FP), DI
	MOVQ xd+32(FP), R8
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
q8x1blk:
	PREFETCHT0 1024(R9)
	WBLK
	Q8LANES(0, Y0, Y1, Y2)
	ADDQ $34, R9
	ADDQ $32, DI
	ADDQ $4, R8
	DECQ CX
	JNZ q8x1blk
	HSUM8(Y0, X0, X1)
	VMOVSS X0, (DX)
	ADDQ $4, DX
	ADDQ R12, R14
	DECQ R13
	JMP q8x1row
q8x1done:
	VZEROUPPER
	RET

// The x8 kernels multiply nrows weight rows by a group of eight
// activation rows. matQ4x8AVX2 reads them interleaved by four-byte chunks
// (acts.gq): for block b, chunk c (elements 4c..4c+3) of the eight rows is
// the 32 bytes at xq + (b*8+c)*32, four per row, so a weight chunk
// broadcast to all eight lanes (by VPSHUFD from the block's low or high
// nibbles, the block's 16 bytes loaded into both 128-bit lanes at once by
// VBROADCASTI128: 20 % faster than unpacking and then copying each half
// across lanes) meets the eight rows in one
// VPMADDUBSW and lane k of each vector belongs to activation row k.
// matQ8x8AVX2 reads them by block (acts.gqr: row k of block b at xq +
// (b*8+k)*32), since ggml's eight lanes per row and block must each be
// converted and fused anyway. The rows' scales are at xd + (b*8+k)*4 and
// (Q4_0) eight times their quant sums at xs + (b*8+k)*4. Result k of
// weight row i goes to out + (k*stride + i)*4.

// func matQ4x8AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32, stride int)
// out[k*stride+i] = dotQ4Go(row i, activation row k): per block, the
// unsigned nibbles' chunk products summed in int16 (at most 8*2*15*127 =
// 30480), widened, less the offset 8*sum(x), converted and fused into
// lane k's sum with the scale product.
TEXT ·matQ4x8AVX2(SB), NOSPLIT, $0-72
	MOVQ w+0(FP), SI
	MOVQ rowBytes+8(FP), R12
	MOVQ nrows+16(FP), R13
	MOVQ out+56(FP), DX
	MOVQ stride+64(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	VMOVDQU gxnib<>(SB), Y13
q4x8row:
	CMPQ R13, $0
	JLE q4x8done
	MOVQ SI, R9
	MOVQ xq+24(FP), DI
	MOVQ xd+32(FP), R8
	MOVQ xs+40(FP), BX
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
q4x8blk:
	PREFETCHT0 1024(R9)
	VBROADCASTI128 2(R9), Y14
	VPAND Y13, Y14, Y11
	VPSRLW $4, Y14, Y14
	VPAND Y13, Y14, Y14
	VPSHUFD $0x00, Y11, Y2
	VPMADDUBSW 0(DI), Y2, Y1
	VPSHUFD $0x55, Y11, Y3
	VPMADDUBSW 32(DI), Y3, Y3
	VPSHUFD $0xaa, Y11, Y4
	VPMADDUBSW 64(DI), Y4, Y4
	VPSHUFD $0xff, Y11, Y5
	VPMADDUBSW 96(DI), Y5, Y5
	VPADDW Y3, Y1, Y1
	VPADDW Y5, Y4, Y4
	VPSHUFD $0x00, Y14, Y2
	VPMADDUBSW 128(DI), Y2, Y2
	VPSHUFD $0x55, Y14, Y3
	VPMADDUBSW 160(DI), Y3, Y3
	VPSHUFD $0xaa, Y14, Y5
	VPMADDUBSW 192(DI), Y5, Y5
	VPSHUFD $0xff, Y14, Y6
	VPMADDUBSW 224(DI), Y6, Y6
	VPADDW Y3, Y2, Y2
	VPADDW Y6, Y5, Y5
	VPADDW Y4, Y1, Y1
	VPADDW Y5, Y2, Y2
	VPADDW Y2, Y1, Y1
	VPMADDWD Y15, Y1, Y1
	VPSUBD (BX), Y1, Y1
	VCVTDQ2PS Y1, Y1
	VPBROADCASTW 0(R9), X7
	VCVTPH2PS X7, Y7
	VMULPS (R8), Y7, Y7
	VFMADD231PS Y7, Y1, Y0
	ADDQ $18, R9
	ADDQ $256, DI
	ADDQ $32, R8
	ADDQ $32, BX
	DECQ CX
	JNZ q4x8blk
	VMOVAPS Y0, Y12
	X8STORE
	ADDQ R12, SI
	DECQ R13
	JMP q4x8row
q4x8done:
	VZEROUPPER
	RET

DATA gxnib<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA gxnib<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA gxnib<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA gxnib<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL gxnib<>(SB), RODATA|NOPTR, $32

// ADDLANES4(xlo, x, t) adds the four floats of xlo to the float in x one
// at a time, lane 0 first; ADDLANES8(y, ylo, x, t) does so for y's eight
// (ggml_vec_dot_f32's vectorized leftover loop, as GCC compiled it),
// clobbering ylo.
#define ADDLANES4(ylo, x, t) \
	VADDSS ylo, x, x; \
	VMOVSHDUP ylo, t; \
	VADDSS t, x, x; \
	VMOVHLPS ylo, ylo, t; \
	VADDSS t, x, x; \
	VPERMILPS $0xff, ylo, t; \
	VADDSS t, x, x

#define ADDLANES8(y, ylo, x, t) \
	ADDLANES4(ylo, x, t); \
	VEXTRACTF128 $1, y, ylo; \
	ADDLANES4(ylo, x, t)

// ADDLANES8X2 is ADDLANES8 on two independent sums at once: lanes of y
// into x and of v into w (ylo, vlo their low halves; t, u scratch).
#define ADDLANES8X2(y, ylo, x, v, vlo, w, t, u) \
	VADDSS ylo, x, x; \
	VADDSS vlo, w, w; \
	VMOVSHDUP ylo, t; \
	VMOVSHDUP vlo, u; \
	VADDSS t, x, x; \
	VADDSS u, w, w; \
	VMOVHLPS ylo, ylo, t; \
	VMOVHLPS vlo, vlo, u; \
	VADDSS t, x, x; \
	VADDSS u, w, w; \
	VPERMILPS $0xff, ylo, t; \
	VPERMILPS $0xff, vlo, u; \
	VADDSS t, x, x; \
	VADDSS u, w, w; \
	VEXTRACTF128 $1, y, ylo; \
	VEXTRACTF128 $1, v, vlo; \
	VADDSS ylo, x, x; \
	VADDSS vlo, w, w; \
	VMOVSHDUP ylo, t; \
	VMOVSHDUP vlo, u; \
	VADDSS t, x, x; \
	VADDSS u, w, w; \
	VMOVHLPS ylo, ylo, t; \
	VMOVHLPS vlo, vlo, u; \
	VADDSS t, x, x; \
	VADDSS u, w, w; \
	VPERMILPS $0xff, ylo, t; \
	VPERMILPS $0xff, vlo, u; \
	VADDSS t, x, x; \
	VADDSS u, w, w

// func scoresGGMLAVX2(q, k *float32, stride, npos, hd int, out *float32)
// out[t] = dotGGML(q[:hd], k[t*stride:]) for t < npos (npos > 0, hd a
// positive multiple of 8): each position's attention score as ggml's
// vec_dot_f32 computes it (and, with k one matrix row, the plain ggml
// dot), two positions at a time (the leftover sums are chains of
// dependent additions).
TEXT ·scoresGGMLAVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ npos+24(FP), R9
	MOVQ hd+32(FP), R10
	MOVQ out+40(FP), DX
	MOVQ R10, R11
	ANDQ $-32, R11
scpos2:
	CMPQ R9, $2
	JLT scpos1
	PREFETCHT0 6144(DI)
	PREFETCHT0 6208(DI)
	PREFETCHT0 6272(DI)
	PREFETCHT0 6336(DI)
	PREFETCHT0 6400(DI)
	PREFETCHT0 6464(DI)
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
scmain2:
	CMPQ CX, $0
	JLE screduce2
	VMOVUPS 0(AX), Y4
	VMOVUPS 32(AX), Y5
	VMOVUPS 64(AX), Y6
	VMOVUPS 96(AX), Y7
	VFMADD231PS 0(BX), Y4, Y0
	VFMADD231PS 32(BX), Y5, Y1
	VFMADD231PS 64(BX), Y6, Y2
	VFMADD231PS 96(BX), Y7, Y3
	VFMADD231PS 0(R12), Y4, Y8
	VFMADD231PS 32(R12), Y5, Y9
	VFMADD231PS 64(R12), Y6, Y10
	VFMADD231PS 96(R12), Y7, Y11
	ADDQ $128, AX
	ADDQ $128, BX
	ADDQ $128, R12
	SUBQ $32, CX
	JMP scmain2
screduce2:
	GGMLREDUCE(Y0, Y1, Y2, Y3, X0, X1)
	GGMLREDUCE(Y8, Y9, Y10, Y11, X8, X9)
	MOVQ R10, CX
	SUBQ R11, CX
sctail2:
	CMPQ CX, $8
	JLT scstore2
	VMOVUPS 0(AX), Y6
	VMULPS 0(BX), Y6, Y4
	VMULPS 0(R12), Y6, Y5
	ADDLANES8X2(Y4, X4, X0, Y5, X5, X8, X6, X7)
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, R12
	SUBQ $8, CX
	JMP sctail2
scstore2:
	VMOVSS X0, 0(DX)
	VMOVSS X8, 4(DX)
	ADDQ $8, DX
	LEAQ (DI)(R8*2), DI
	SUBQ $2, R9
	JMP scpos2
scpos1:
	CMPQ R9, $0
	JLE scdone
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R11, CX
scmain1:
	CMPQ CX, $0
	JLE screduce1
	VMOVUPS 0(BX), Y4
	VMOVUPS 32(BX), Y5
	VMOVUPS 64(BX), Y6
	VMOVUPS 96(BX), Y7
	VFMADD231PS 0(AX), Y4, Y0
	VFMADD231PS 32(AX), Y5, Y1
	VFMADD231PS 64(AX), Y6, Y2
	VFMADD231PS 96(AX), Y7, Y3
	ADDQ $128, AX
	ADDQ $128, BX
	SUBQ $32, CX
	JMP scmain1
screduce1:
	GGMLREDUCE(Y0, Y1, Y2, Y3, X0, X1)
	MOVQ R10, CX
	SUBQ R11, CX
sctail1:
	CMPQ CX, $8
	JLT scstore1
	VMOVUPS 0(BX), Y4
	VMULPS 0(AX), Y4, Y4
	ADDLANES8(Y4, X4, X0, X5)
	ADDQ $32, AX
	ADDQ $32, BX
	SUBQ $8, CX
	JMP sctail1
scstore1:
	VMOVSS X0, (DX)
scdone:
	VZEROUPPER
	RET

// func ropeAVX2(x, cos, sin *float32, n int)
// rope (NORM mode) on n pairs, n a positive multiple of 4: four adjacent
// pairs at a time, x0·cos − x1·sin and x0·sin + x1·cos with the x1
// products rounded and the x0 products fused (VFMADDSUB), as ggml.
TEXT ·ropeAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ cos+8(FP), SI
	MOVQ sin+16(FP), DX
	MOVQ n+24(FP), CX
rploop:
	VMOVUPS 0(SI), X0
	VMOVUPS 0(DX), X1
	VUNPCKLPS X1, X0, X2
	VUNPCKHPS X1, X0, X3
	VINSERTF128 $1, X3, Y2, Y2
	VPERMILPS $0xb1, Y2, Y3
	VMOVUPS 0(DI), Y4
	VMOVSLDUP Y4, Y5
	VMOVSHDUP Y4, Y6
	VMULPS Y3, Y6, Y6
	VFMADDSUB231PS Y2, Y5, Y6
	VMOVUPS Y6, 0(DI)
	ADDQ $32, DI
	ADDQ $16, SI
	ADDQ $16, DX
	SUBQ $4, CX
	JNZ rploop
	VZEROUPPER
	RET

// func ropeNeoxAVX2(x, cos, sin *float32, h int)
// ropeNeox on the pairs (x[j], x[j+h]), h a positive multiple of 8.
TEXT ·ropeNeoxAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ cos+8(FP), SI
	MOVQ sin+16(FP), DX
	MOVQ h+24(FP), CX
	LEAQ (DI)(CX*4), R8
rnloop:
	VMOVUPS 0(DI), Y0
	VMOVUPS 0(R8), Y1
	VMOVUPS 0(SI), Y2
	VMOVUPS 0(DX), Y3
	VMULPS Y3, Y1, Y4
	VFMSUB231PS Y2, Y0, Y4
	VMULPS Y2, Y1, Y5
	VFMADD231PS Y3, Y0, Y5
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 0(R8)
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $8, CX
	JNZ rnloop
	VZEROUPPER
	RET

// The value cache is transposed and blocked (Seq): for one KV head, block
// B of 32 positions holds hd rows of 32 floats, row d at v + (B*hd + d)*32.
// A row's positions are read block by block, each block one streamed run.

// func kqvBlockGGMLAVX2(v *float32, hd int, p *float32, nblk int, out *float32)
// out[d] = ggml_vec_dot_f32 of row d (nblk blocks) with p[:nblk*32], for
// d < hd (nblk > 0, hd a positive even number: rotary heads are), two rows
// at a time: a decode row's weighted sum of values.
TEXT ·kqvBlockGGMLAVX2(SB), NOSPLIT, $0-40
	MOVQ v+0(FP), DI
	MOVQ hd+8(FP), R9
	MOVQ p+16(FP), SI
	MOVQ nblk+24(FP), R10
	MOVQ out+32(FP), DX
	MOVQ R9, R12
	SHLQ $7, R12
kbrow2:
	CMPQ R9, $2
	JLT kbdone
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
kbloop2:
	VMOVUPS 0(AX), Y4
	VMOVUPS 32(AX), Y5
	VMOVUPS 64(AX), Y6
	VMOVUPS 96(AX), Y7
	VFMADD231PS 0(BX), Y4, Y0
	VFMADD231PS 32(BX), Y5, Y1
	VFMADD231PS 64(BX), Y6, Y2
	VFMADD231PS 96(BX), Y7, Y3
	VFMADD231PS 128(BX), Y4, Y8
	VFMADD231PS 160(BX), Y5, Y9
	VFMADD231PS 192(BX), Y6, Y10
	VFMADD231PS 224(BX), Y7, Y11
	ADDQ $128, AX
	ADDQ R12, BX
	DECQ CX
	JNZ kbloop2
	GGMLREDUCE(Y0, Y1, Y2, Y3, X0, X1)
	GGMLREDUCE(Y8, Y9, Y10, Y11, X8, X9)
	VMOVSS X0, 0(DX)
	VMOVSS X8, 4(DX)
	ADDQ $8, DX
	ADDQ $256, DI
	SUBQ $2, R9
	JMP kbrow2
kbdone:
	VZEROUPPER
	RET

// func kqvBlock8AVX2(v *float32, hd int, p *float32, nchunk int, out *float32)
// out[d] = tinyBLAS's product of row d's first nchunk*8 positions with p,
// for d < hd (hd, nchunk > 0): a prompt row's weighted sum of values.
TEXT ·kqvBlock8AVX2(SB), NOSPLIT, $0-40
	MOVQ v+0(FP), DI
	MOVQ hd+8(FP), R9
	MOVQ p+16(FP), SI
	MOVQ nchunk+24(FP), R10
	MOVQ out+32(FP), DX
	MOVQ R9, R12
	SHLQ $7, R12
	SUBQ $128, R12
kcrow:
	VXORPS Y0, Y0, Y0
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, CX
kcblk:
	VMOVUPS 0(BX), Y4
	VFMADD231PS 0(AX), Y4, Y0
	DECQ CX
	JZ kcend
	VMOVUPS 32(BX), Y4
	VFMADD231PS 32(AX), Y4, Y0
	DECQ CX
	JZ kcend
	VMOVUPS 64(BX), Y4
	VFMADD231PS 64(AX), Y4, Y0
	DECQ CX
	JZ kcend
	VMOVUPS 96(BX), Y4
	VFMADD231PS 96(AX), Y4, Y0
	DECQ CX
	JZ kcend
	ADDQ $128, AX
	ADDQ $128, BX
	ADDQ R12, BX
	JMP kcblk
kcend:
	HSUM8(Y0, X0, X1)
	VMOVSS X0, 0(DX)
	ADDQ $4, DX
	ADDQ $128, DI
	DECQ R9
	JNZ kcrow
	VZEROUPPER
	RET

DATA x8perm<>+0(SB)/4, $0
DATA x8perm<>+4(SB)/4, $4
DATA x8perm<>+8(SB)/4, $1
DATA x8perm<>+12(SB)/4, $5
DATA x8perm<>+16(SB)/4, $2
DATA x8perm<>+20(SB)/4, $6
DATA x8perm<>+24(SB)/4, $3
DATA x8perm<>+28(SB)/4, $7
GLOBL x8perm<>(SB), RODATA|NOPTR, $32

// HSUM8X8 reduces the accumulators Y0..Y7 at once into Y12, lane k
// holding hsum_float_8 of Yk with its additions grouped as that does:
// halves first, then lanes two apart, then the last pair. Clobbers
// Y0-Y11.
#define HSUM8X8 \
	VPERM2F128 $0x20, Y1, Y0, Y8; \
	VPERM2F128 $0x31, Y1, Y0, Y9; \
	VADDPS Y9, Y8, Y0; \
	VPERM2F128 $0x20, Y3, Y2, Y8; \
	VPERM2F128 $0x31, Y3, Y2, Y9; \
	VADDPS Y9, Y8, Y2; \
	VPERM2F128 $0x20, Y5, Y4, Y8; \
	VPERM2F128 $0x31, Y5, Y4, Y9; \
	VADDPS Y9, Y8, Y4; \
	VPERM2F128 $0x20, Y7, Y6, Y8; \
	VPERM2F128 $0x31, Y7, Y6, Y9; \
	VADDPS Y9, Y8, Y6; \
	VSHUFPS $0x44, Y2, Y0, Y8; \
	VSHUFPS $0xee, Y2, Y0, Y9; \
	VADDPS Y9, Y8, Y0; \
	VSHUFPS $0x44, Y6, Y4, Y8; \
	VSHUFPS $0xee, Y6, Y4, Y9; \
	VADDPS Y9, Y8, Y4; \
	VSHUFPS $0x88, Y4, Y0, Y8; \
	VSHUFPS $0xdd, Y4, Y0, Y9; \
	VADDPS Y9, Y8, Y0; \
	VMOVDQU x8perm<>(SB), Y1; \
	VPERMPS Y0, Y1, Y12

// Q8LANES4(a, b, c, d, acca, accb, accc, accd) is Q8LANES for activation
// rows a..d at once, with the scale products read from the eight the
// block computed (0(SP)): the same operations per row, taken step by step
// across the four (temporaries Y8-Y12), so that four independent chains
// sit side by side, which this CPU overlaps better than four in a row.
#define Q8LANES4(a, b, c, d, acca, accb, accc, accd) \
	VMOVDQU (a*32)(DI), Y8; \
	VMOVDQU (b*32)(DI), Y9; \
	VMOVDQU (c*32)(DI), Y10; \
	VMOVDQU (d*32)(DI), Y11; \
	VPSIGNB Y14, Y8, Y8; \
	VPSIGNB Y14, Y9, Y9; \
	VPSIGNB Y14, Y10, Y10; \
	VPSIGNB Y14, Y11, Y11; \
	VPMADDUBSW Y8, Y13, Y8; \
	VPMADDUBSW Y9, Y13, Y9; \
	VPMADDUBSW Y10, Y13, Y10; \
	VPMADDUBSW Y11, Y13, Y11; \
	VPMADDWD Y15, Y8, Y8; \
	VPMADDWD Y15, Y9, Y9; \
	VPMADDWD Y15, Y10, Y10; \
	VPMADDWD Y15, Y11, Y11; \
	VCVTDQ2PS Y8, Y8; \
	VCVTDQ2PS Y9, Y9; \
	VCVTDQ2PS Y10, Y10; \
	VCVTDQ2PS Y11, Y11; \
	VBROADCASTSS (a*4)(SP), Y12; \
	VFMADD231PS Y12, Y8, acca; \
	VBROADCASTSS (b*4)(SP), Y12; \
	VFMADD231PS Y12, Y9, accb; \
	VBROADCASTSS (c*4)(SP), Y12; \
	VFMADD231PS Y12, Y10, accc; \
	VBROADCASTSS (d*4)(SP), Y12; \
	VFMADD231PS Y12, Y11, accd

// func matQ8x8AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32, stride int)
// Eight activation rows (interleaved by block) against nrows weight rows:
// out[k*stride+i] = dotQ8Go(row i, activation row k), eight float
// accumulators per weight row, reduced together (HSUM8X8).
TEXT ·matQ8x8AVX2(SB), NOSPLIT, $32-72
	MOVQ w+0(FP), SI
	MOVQ rowBytes+8(FP), R12
	MOVQ nrows+16(FP), R13
	MOVQ out+56(FP), DX
	MOVQ stride+64(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
q8x8row:
	CMPQ R13, $0
	JLE q8x8done
	MOVQ SI, R9
	MOVQ xq+24(FP), DI
	MOVQ xd+32(FP), R8
	MOVQ nb+48(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
q8x8blk:
	PREFETCHT0 1024(R9)
	WBLK
	VMULPS (R8), Y12, Y11
	VMOVUPS Y11, 0(SP)
	Q8LANES4(0, 1, 2, 3, Y0, Y1, Y2, Y3)
	Q8LANES4(4, 5, 6, 7, Y4, Y5, Y6, Y7)
	ADDQ $34, R9
	ADDQ $256, DI
	ADDQ $32, R8
	DECQ CX
	JNZ q8x8blk
	HSUM8X8
	X8STORE
	ADDQ R12, SI
	DECQ R13
	JMP q8x8row
q8x8done:
	VZEROUPPER
	RET
