#include "textflag.h"
#include "kernels_amd64.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
// F32VEC(name, bits): a float32 constant repeated in eight lanes, for a
// memory operand.
#define F32VEC(name, bits) \
	DATA name<>+0(SB)/4, $bits; \
	DATA name<>+4(SB)/4, $bits; \
	DATA name<>+8(SB)/4, $bits; \
	DATA name<>+12(SB)/4, $bits; \
	DATA name<>+16(SB)/4, $bits; \
	DATA name<>+20(SB)/4, $bits; \
	DATA name<>+24(SB)/4, $bits; \
	DATA name<>+28(SB)/4, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

F32VEC(exlog2e8, 0x3fb8aa3b)
F32VEC(exln2hi8, 0x3f318000)
F32VEC(exln2lo8, 0xb95e8083)
F32VEC(exmagic8, 0x4b400000)
F32VEC(exc68, 0x39506967)
F32VEC(exc58, 0x3ab743ce)
F32VEC(exc48, 0x3c088908)
F32VEC(exc38, 0x3d2aa9c1)
F32VEC(exc28, 0x3e2aaaaa)
F32VEC(exc18, 0x3f000000)
F32VEC(exlo8, 0xc2aeac4f)
F32VEC(exone8, 0x3f800000)
F32VEC(ex1278, 0x0000007f)

// EXPNEG8(off, t, n, p, w) sets p to expNeg(x - mx) of the eight floats
// at off(SI) (mx in Y15), with expNeg's operations in its order (separate
// multiplies and adds), and zero where x - mx is below its cutoff;
// clobbers t, n and w. Constants are memory operands, so that two of
// these fit in the registers side by side.
#define EXPNEG8(off, t, n, p, w) \
	VMOVUPS off(SI), t; \
	VSUBPS Y15, t, t; \
	VMULPS exlog2e8<>(SB), t, n; \
	VADDPS exmagic8<>(SB), n, n; \
	VSUBPS exmagic8<>(SB), n, n; \
	VCVTTPS2DQ n, w; \
	VPADDD ex1278<>(SB), w, w; \
	VPSLLD $23, w, w; \
	VMULPS exln2hi8<>(SB), n, p; \
	VSUBPS p, t, p; \
	VCMPPS $1, exlo8<>(SB), t, t; \
	VMULPS exln2lo8<>(SB), n, n; \
	VSUBPS n, p, n; \
	VMULPS exc68<>(SB), n, p; \
	VADDPS exc58<>(SB), p, p; \
	VMULPS n, p, p; \
	VADDPS exc48<>(SB), p, p; \
	VMULPS n, p, p; \
	VADDPS exc38<>(SB), p, p; \
	VMULPS n, p, p; \
	VADDPS exc28<>(SB), p, p; \
	VMULPS n, p, p; \
	VADDPS exc18<>(SB), p, p; \
	VMULPS n, p, p; \
	VMULPS n, p, p; \
	VADDPS n, p, p; \
	VADDPS exone8<>(SB), p, p; \
	VMULPS w, p, p; \
	VANDNPS p, t, p

// SUMD(p, xp, t) adds p's low four floats to the doubles of Y7 and its
// high four to Y8 (xp is p's low half; clobbers t).
#define SUMD(p, xp, t) \
	VCVTPS2PD xp, t; \
	VADDPD t, Y7, Y7; \
	VEXTRACTF128 $1, p, xp; \
	VCVTPS2PD xp, p; \
	VADDPD p, Y8, Y8

TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// X8REDUCE folds Y0..Y7 (eight int32 each) into Y0, lane k holding the
// sum of Yk's lanes, by unpacking and adding (one uop each, where VPHADDD
// takes several): pairs of rows, then pairs of pairs, then the two
// 128-bit halves. Clobbers Y1, Y2, Y4, Y6, Y8.
#define X8REDUCE \
	VPUNPCKLDQ Y1, Y0, Y8; \
	VPUNPCKHDQ Y1, Y0, Y0; \
	VPADDD Y8, Y0, Y0; \
	VPUNPCKLDQ Y3, Y2, Y8; \
	VPUNPCKHDQ Y3, Y2, Y2; \
	VPADDD Y8, Y2, Y2; \
	VPUNPCKLDQ Y5, Y4, Y8; \
	VPUNPCKHDQ Y5, Y4, Y4; \
	VPADDD Y8, Y4, Y4; \
	VPUNPCKLDQ Y7, Y6, Y8; \
	VPUNPCKHDQ Y7, Y6, Y6; \
	VPADDD Y8, Y6, Y6; \
	VPUNPCKLQDQ Y2, Y0, Y8; \
	VPUNPCKHQDQ Y2, Y0, Y0; \
	VPADDD Y8, Y0, Y0; \
	VPUNPCKLQDQ Y6, Y4, Y8; \
	VPUNPCKHQDQ Y6, Y4, Y4; \
	VPADDD Y8, Y4, Y4; \
	VPERM2I128 $0x20, Y4, Y0, Y1; \
	VPERM2I128 $0x31, Y4, Y0, Y2; \
	VPADDD Y2, Y1, Y0

// FMA4 adds the four lanes of X0 (block sums) times those of X1 (their
// scales) to the float in X11 by fused multiply-adds, lane 0 first; FMA8
// does so for the eight of Y0 and Y1. Clobbers Y0-Y3.
#define FMA4 \
	VFMADD231SS X1, X0, X11; \
	VMOVSHDUP X0, X2; \
	VMOVSHDUP X1, X3; \
	VFMADD231SS X3, X2, X11; \
	VMOVHLPS X0, X0, X2; \
	VMOVHLPS X1, X1, X3; \
	VFMADD231SS X3, X2, X11; \
	VPERMILPS $0xff, X0, X2; \
	VPERMILPS $0xff, X1, X3; \
	VFMADD231SS X3, X2, X11

#define FMA8 \
	FMA4; \
	VEXTRACTF128 $1, Y0, X0; \
	VEXTRACTF128 $1, Y1, X1; \
	FMA4

// SCALE8(stride): the weight scales of eight blocks stride bytes apart
// (from SI) times the eight activation scales (at R8), into Y1.
#define SCALE8(stride) \
	VPINSRW $0, (0*stride)(SI), X1, X1; \
	VPINSRW $1, (1*stride)(SI), X1, X1; \
	VPINSRW $2, (2*stride)(SI), X1, X1; \
	VPINSRW $3, (3*stride)(SI), X1, X1; \
	VPINSRW $4, (4*stride)(SI), X1, X1; \
	VPINSRW $5, (5*stride)(SI), X1, X1; \
	VPINSRW $6, (6*stride)(SI), X1, X1; \
	VPINSRW $7, (7*stride)(SI), X1, X1; \
	VCVTPH2PS X1, Y1; \
	VMULPS (R8), Y1, Y1

// HSUMI sums the int32 lanes of Y0 into lane 0 of X0.
#define HSUMI \
	VEXTRACTI128 $1, Y0, X1; \
	VPADDD X1, X0, X0; \
	VPSHUFD $0x4e, X0, X1; \
	VPADDD X1, X0, X0; \
	VPSHUFD $0xb1, X0, X1; \
	VPADDD X1, X0, X0

// FINISH1: the int32 in X0 as a float, times the scale of the block at
// SI (f16) and R8 (f32), added to X11.
#define FINISH1 \
	VCVTDQ2PS X0, X0; \
	MOVWLZX 0(SI), AX; \
	VMOVD AX, X1; \
	VCVTPH2PS X1, X1; \
	VMULSS 0(R8), X1, X1; \
	VFMADD231SS X1, X0, X11

// Q4BLK(k, d): block k of a one-row Q4_0 product without the nibbles'
// offset, as eight int32 in d: unsigned nibbles (mask in Y13) against
// signed activations.
#define Q4BLK(k, d) \
	VMOVDQU (k*18+2)(SI), X8; \
	VPSRLW $4, X8, X9; \
	VINSERTI128 $1, X9, Y8, Y8; \
	VPAND Y13, Y8, Y8; \
	VPMADDUBSW (k*32)(DI), Y8, Y10; \
	VPMADDWD Y15, Y10, d

DATA permq8<>+0(SB)/4, $0
DATA permq8<>+4(SB)/4, $4
DATA permq8<>+8(SB)/4, $1
DATA permq8<>+12(SB)/4, $5
DATA permq8<>+16(SB)/4, $2
DATA permq8<>+20(SB)/4, $6
DATA permq8<>+24(SB)/4, $3
DATA permq8<>+28(SB)/4, $7
GLOBL permq8<>(SB), RODATA|NOPTR, $32

// func quantizeQ8AVX2(x *float32, qs *int8, d *float32, s *int32, nb int)
// Quantizes nb blocks of 32 floats as ggml's AVX2 quantize_row_q8_0:
// d = amax/127 rounded through f16, q = round-to-even(x * 127/amax); s
// gets 8 × each block's sum of quants (blockSums).
TEXT ·quantizeQ8AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ qs+8(FP), DI
	MOVQ d+16(FP), R8
	MOVQ s+24(FP), R9
	MOVQ nb+32(FP), CX
	MOVL $0x7fffffff, AX
	VMOVD AX, X11
	VBROADCASTSS X11, Y11
	MOVL $0x42fe0000, AX // 127.0
	VMOVD AX, X8
	VXORPS X12, X12, X12
	VMOVDQU permq8<>(SB), Y7
	MOVL $-128, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
qloop:
	CMPQ CX, $0
	JLE qdone
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS Y11, Y0, Y4
	VANDPS Y11, Y1, Y5
	VMAXPS Y5, Y4, Y4
	VANDPS Y11, Y2, Y5
	VMAXPS Y5, Y4, Y4
	VANDPS Y11, Y3, Y5
	VMAXPS Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS X5, X4, X4
	VMOVHLPS X4, X4, X5
	VMAXPS X5, X4, X4
	VPSHUFD $0x55, X4, X5
	VMAXSS X5, X4, X4    // amax
	VDIVSS X8, X4, X9    // d = amax/127
	VCVTPS2PH $0, X9, X9
	VCVTPH2PS X9, X9
	VMOVSS X9, 0(R8)
	VXORPS X10, X10, X10
	VUCOMISS X12, X4
	JEQ qzero
	VDIVSS X4, X8, X10   // id = 127/amax
qzero:
	VBROADCASTSS X10, Y10
	VMULPS Y10, Y0, Y0
	VMULPS Y10, Y1, Y1
	VMULPS Y10, Y2, Y2
	VMULPS Y10, Y3, Y3
	VROUNDPS $0, Y0, Y0
	VROUNDPS $0, Y1, Y1
	VROUNDPS $0, Y2, Y2
	VROUNDPS $0, Y3, Y3
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	VPMAXSD Y13, Y0, Y0 // a NaN's 0x80000000 is the -128 the packs store
	VPMAXSD Y13, Y1, Y1
	VPMAXSD Y13, Y2, Y2
	VPMAXSD Y13, Y3, Y3
	VPADDD Y1, Y0, Y4
	VPADDD Y3, Y2, Y5
	VPADDD Y5, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPADDD X5, X4, X4
	VPSHUFD $0x4e, X4, X5
	VPADDD X5, X4, X4
	VPSHUFD $0xb1, X4, X5
	VPADDD X5, X4, X4
	VMOVD X4, AX
	SHLL $3, AX
	MOVL AX, 0(R9)
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD Y0, Y7, Y0
	VMOVDQU Y0, 0(DI)
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JMP qloop
qdone:
	VZEROUPPER
	RET

DATA nib0f<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nib0f<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nib0f<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nib0f<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nib0f<>(SB), RODATA|NOPTR, $32

DATA nib08<>+0(SB)/8, $0x0808080808080808
DATA nib08<>+8(SB)/8, $0x0808080808080808
DATA nib08<>+16(SB)/8, $0x0808080808080808
DATA nib08<>+24(SB)/8, $0x0808080808080808
GLOBL nib08<>(SB), RODATA|NOPTR, $32

// Constants of expNeg (logits.go), as float32 bit patterns.
#define F32CONST(name, bits) \
	DATA name<>+0(SB)/4, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $4

F32CONST(exlog2e, 0x3fb8aa3b)
F32CONST(exln2hi, 0x3f318000)
F32CONST(exln2lo, 0xb95e8083)
F32CONST(exmagic, 0x4b400000)
F32CONST(exc6, 0x39506967)
F32CONST(exc5, 0x3ab743ce)
F32CONST(exc4, 0x3c088908)
F32CONST(exc3, 0x3d2aa9c1)
F32CONST(exc2, 0x3e2aaaaa)
F32CONST(exc1, 0x3f000000)
F32CONST(exlo, 0xc2aeac4f)
F32CONST(exone, 0x3f800000)
F32CONST(exninf, 0xff800000)

// func maxAVX2(x *float32, n int) (mx float32, nan bool)
// The largest of x[:n] (n a positive multiple of 8), and whether any is
// NaN (then mx is meaningless).
TEXT ·maxAVX2(SB), NOSPLIT, $0-21
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS exninf<>(SB), Y0
	VMOVAPS Y0, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
mxloop16:
	CMPQ CX, $16
	JLT mxloop8
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VCMPPS $3, Y4, Y4, Y6
	VCMPPS $3, Y5, Y5, Y7
	VORPS Y6, Y2, Y2
	VORPS Y7, Y3, Y3
	VMAXPS Y4, Y0, Y0
	VMAXPS Y5, Y1, Y1
	ADDQ $64, SI
	SUBQ $16, CX
	JMP mxloop16
mxloop8:
	CMPQ CX, $0
	JLE mxdone
	VMOVUPS 0(SI), Y4
	VCMPPS $3, Y4, Y4, Y6
	VORPS Y6, Y2, Y2
	VMAXPS Y4, Y0, Y0
mxdone:
	VMAXPS Y1, Y0, Y0
	VORPS Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VMAXPS X1, X0, X0
	VPSHUFD $0x55, X0, X1
	VMAXSS X1, X0, X0
	VMOVSS X0, mx+16(FP)
	VMOVMSKPS Y2, AX
	TESTL AX, AX
	SETNE nan+20(FP)
	VZEROUPPER
	RET

// func firstEqAVX2(x *float32, n int, v float32) int
// The first i < n (n a multiple of 8) with x[i] == v, or n.
TEXT ·firstEqAVX2(SB), NOSPLIT, $0-32
	FIRSTCMP(0x00, feloop, fefound, fenone)

// func firstAboveAVX2(x *float32, n int, v float32) int
// The first i < n (n a multiple of 8) with x[i] > v (ordered: a NaN is
// above nothing), or n.
TEXT ·firstAboveAVX2(SB), NOSPLIT, $0-32
	FIRSTCMP(0x11, faloop, fafound, fanone) // v < x[i], ordered

// func sumExpNegAVX2(x *float32, n int, mx float32) float64
// The float64 sum of expNeg(x[i] - mx) for i < n (n a multiple of 8),
// each term computed exactly as expNeg does (separate multiplies and adds,
// no FMA), twenty-four at a time in three independent chains written out
// op by op (EXPNEG8's steps interleaved: this CPU overlaps chains placed
// side by side far better than consecutive ones, 37 → 25 µs for 32,000),
// each group of eight added to the sums in order (its low four to Y7,
// high four to Y8).
TEXT ·sumExpNegAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS mx+16(FP), Y15
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
se16:
	CMPQ CX, $24
	JLT se8
	// EXPNEG8 at 0, 32 and 64, interleaved op by op.
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y3
	VMOVUPS 64(SI), Y10
	VSUBPS Y15, Y0, Y0
	VSUBPS Y15, Y3, Y3
	VSUBPS Y15, Y10, Y10
	VMULPS exlog2e8<>(SB), Y0, Y1
	VMULPS exlog2e8<>(SB), Y3, Y4
	VMULPS exlog2e8<>(SB), Y10, Y11
	VADDPS exmagic8<>(SB), Y1, Y1
	VADDPS exmagic8<>(SB), Y4, Y4
	VADDPS exmagic8<>(SB), Y11, Y11
	VSUBPS exmagic8<>(SB), Y1, Y1
	VSUBPS exmagic8<>(SB), Y4, Y4
	VSUBPS exmagic8<>(SB), Y11, Y11
	VCVTTPS2DQ Y1, Y6
	VCVTTPS2DQ Y4, Y9
	VCVTTPS2DQ Y11, Y13
	VPADDD ex1278<>(SB), Y6, Y6
	VPADDD ex1278<>(SB), Y9, Y9
	VPADDD ex1278<>(SB), Y13, Y13
	VPSLLD $23, Y6, Y6
	VPSLLD $23, Y9, Y9
	VPSLLD $23, Y13, Y13
	VMULPS exln2hi8<>(SB), Y1, Y2
	VMULPS exln2hi8<>(SB), Y4, Y5
	VMULPS exln2hi8<>(SB), Y11, Y12
	VSUBPS Y2, Y0, Y2
	VSUBPS Y5, Y3, Y5
	VSUBPS Y12, Y10, Y12
	VCMPPS $1, exlo8<>(SB), Y0, Y0
	VCMPPS $1, exlo8<>(SB), Y3, Y3
	VCMPPS $1, exlo8<>(SB), Y10, Y10
	VMULPS exln2lo8<>(SB), Y1, Y1
	VMULPS exln2lo8<>(SB), Y4, Y4
	VMULPS exln2lo8<>(SB), Y11, Y11
	VSUBPS Y1, Y2, Y1
	VSUBPS Y4, Y5, Y4
	VSUBPS Y11, Y12, Y11
	VMULPS exc68<>(SB), Y1, Y2
	VMULPS exc68<>(SB), Y4, Y5
	VMULPS exc68<>(SB), Y11, Y12
	VADDPS exc58<>(SB), Y2, Y2
	VADDPS exc58<>(SB), Y5, Y5
	VADDPS exc58<>(SB), Y12, Y12
	VMULPS Y1, Y2, Y2
	VMULPS Y4, Y5, Y5
	VMULPS Y11, Y12, Y12
	VADDPS exc48<>(SB), Y2, Y2
	VADDPS exc48<>(SB), Y5, Y5
	VADDPS exc48<>(SB), Y12, Y12
	VMULPS Y1, Y2, Y2
	VMULPS Y4, Y5, Y5
	VMULPS Y11, Y12, Y12
	VADDPS exc38<>(SB), Y2, Y2
	VADDPS exc38<>(SB), Y5, Y5
	VADDPS exc38<>(SB), Y12, Y12
	VMULPS Y1, Y2, Y2
	VMULPS Y4, Y5, Y5
	VMULPS Y11, Y12, Y12
	VADDPS exc28<>(SB), Y2, Y2
	VADDPS exc28<>(SB), Y5, Y5
	VADDPS exc28<>(SB), Y12, Y12
	VMULPS Y1, Y2, Y2
	VMULPS Y4, Y5, Y5
	VMULPS Y11, Y12, Y12
	VADDPS exc18<>(SB), Y2, Y2
	VADDPS exc18<>(SB), Y5, Y5
	VADDPS exc18<>(SB), Y12, Y12
	VMULPS Y1, Y2, Y2
	VMULPS Y4, Y5, Y5
	VMULPS Y11, Y12, Y12
	VMULPS Y1, Y2, Y2
	VMULPS Y4, Y5, Y5
	VMULPS Y11, Y12, Y12
	VADDPS Y1, Y2, Y2
	VADDPS Y4, Y5, Y5
	VADDPS Y11, Y12, Y12
	VADDPS exone8<>(SB), Y2, Y2
	VADDPS exone8<>(SB), Y5, Y5
	VADDPS exone8<>(SB), Y12, Y12
	VMULPS Y6, Y2, Y2
	VMULPS Y9, Y5, Y5
	VMULPS Y13, Y12, Y12
	VANDNPS Y2, Y0, Y2
	VANDNPS Y5, Y3, Y5
	VANDNPS Y12, Y10, Y12
	SUMD(Y2, X2, Y0)
	SUMD(Y5, X5, Y3)
	SUMD(Y12, X12, Y10)
	ADDQ $96, SI
	SUBQ $24, CX
	JMP se16
se8:
	CMPQ CX, $0
	JLE sedone
	EXPNEG8(0, Y0, Y1, Y2, Y6)
	SUMD(Y2, X2, Y0)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP se8
sedone:
	VADDPD Y8, Y7, Y7
	VEXTRACTF128 $1, Y7, X0
	VADDPD X7, X0, X0
	VHADDPD X0, X0, X0
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// matQ4x1AVX2 sets out[i] = dotQ4Go(row i, x) for nrows Q4_0 weight rows
// rowBytes apart, the loop over rows in assembly (a matrix-vector product
// at batch 1 calls no Go per row): eight blocks' exact integer sums are
// folded at once (X8REDUCE), converted and fused into the sum in block
// order (FMA8).

// func matQ4x1AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32)
TEXT ·matQ4x1AVX2(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), R14
	MOVQ rowBytes+8(FP), R12
	MOVQ nrows+16(FP), R13
	MOVQ out+56(FP), DX
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	VMOVDQU nib0f<>(SB), Y13
q4x1row:
	CMPQ R13, $0
	JLE q4x1done
	MOVQ R14, SI
	MOVQ xq+24(FP), DI
	MOVQ xd+32(FP), R8
	MOVQ xs+40(FP), BX
	MOVQ nb+48(FP), CX
	VXORPS X11, X11, X11
mq4loop8:
	CMPQ CX, $8
	JLT mq4loop1
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	PREFETCHT0 1152(SI)
	Q4BLK(0, Y0)
	Q4BLK(1, Y1)
	Q4BLK(2, Y2)
	Q4BLK(3, Y3)
	Q4BLK(4, Y4)
	Q4BLK(5, Y5)
	Q4BLK(6, Y6)
	Q4BLK(7, Y7)
	X8REDUCE
	VPSUBD (BX), Y0, Y0
	VCVTDQ2PS Y0, Y0
	SCALE8(18)
	FMA8
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $32, R8
	ADDQ $32, BX
	SUBQ $8, CX
	JMP mq4loop8
mq4loop1:
	CMPQ CX, $0
	JLE mq4done
	Q4BLK(0, Y0)
	HSUMI
	VMOVD (BX), X1
	VPSUBD X1, X0, X0
	FINISH1
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $4, BX
	DECQ CX
	JMP mq4loop1
mq4done:
	VMOVSS X11, (DX)
	ADDQ $4, DX
	ADDQ R12, R14
	DECQ R13
	JMP q4x1row
q4x1done:
	VZEROUPPER
	RET
