#include "textflag.h"

// ggml's get_scale_shuffle_k4(i): the bytes 2i, 2i+1 sixteen times,
// broadcasting the i-th of eight int16 scales.
DATA q4kshuf<>+0(SB)/8, $0x0100010001000100
DATA q4kshuf<>+8(SB)/8, $0x0100010001000100
DATA q4kshuf<>+16(SB)/8, $0x0100010001000100
DATA q4kshuf<>+24(SB)/8, $0x0100010001000100
DATA q4kshuf<>+32(SB)/8, $0x0302030203020302
DATA q4kshuf<>+40(SB)/8, $0x0302030203020302
DATA q4kshuf<>+48(SB)/8, $0x0302030203020302
DATA q4kshuf<>+56(SB)/8, $0x0302030203020302
DATA q4kshuf<>+64(SB)/8, $0x0504050405040504
DATA q4kshuf<>+72(SB)/8, $0x0504050405040504
DATA q4kshuf<>+80(SB)/8, $0x0504050405040504
DATA q4kshuf<>+88(SB)/8, $0x0504050405040504
DATA q4kshuf<>+96(SB)/8, $0x0706070607060706
DATA q4kshuf<>+104(SB)/8, $0x0706070607060706
DATA q4kshuf<>+112(SB)/8, $0x0706070607060706
DATA q4kshuf<>+120(SB)/8, $0x0706070607060706
DATA q4kshuf<>+128(SB)/8, $0x0908090809080908
DATA q4kshuf<>+136(SB)/8, $0x0908090809080908
DATA q4kshuf<>+144(SB)/8, $0x0908090809080908
DATA q4kshuf<>+152(SB)/8, $0x0908090809080908
DATA q4kshuf<>+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kshuf<>+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kshuf<>+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kshuf<>+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kshuf<>+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kshuf<>+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kshuf<>+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kshuf<>+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kshuf<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kshuf<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kshuf<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kshuf<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL q4kshuf<>(SB), RODATA|NOPTR, $256

// KARGS loads a K-quant kernel's arguments (w in SI, y in BX, yd in DI,
// bsums in DX, nb in CX), the scale shuffles' address (R11) and the
// nibble mask (Y15).
#define KARGS \
	MOVQ w+0(FP), SI; \
	MOVQ y+8(FP), BX; \
	MOVQ yd+16(FP), DI; \
	MOVQ bsums+24(FP), DX; \
	MOVQ nb+32(FP), CX; \
	LEAQ q4kshuf<>(SB), R11; \
	MOVL $0x0f0f0f0f, AX; \
	VMOVD AX, X15; \
	VPBROADCASTD X15, Y15

// KMINS leaves in X4 the activation sums per 32 values (pairs of bsums)
// and in X5 the eight mins (the upper half of KSCALES's Y1), for a
// VPMADDWD of the two (clobbers X2, X3). Use it before Y1's upper half
// is overwritten.
#define KMINS \
	VMOVDQU (DX), Y2; \
	VEXTRACTI128 $1, Y2, X3; \
	VPHADDW X3, X2, X4; \
	VEXTRACTI128 $1, Y1, X5

// KSCALES unpacks the 12 bytes of a K-quant block's 6-bit scales and
// mins at 4(SI) as ggml's utmp code does, into Y1: the eight scales, then
// the eight mins, as int16 (via X, which it clobbers with AX, R8-R10,
// R12, R13).
#define KSCALES(X) \
	MOVL 4(SI), R8; \
	MOVL 8(SI), R9; \
	MOVL 12(SI), R10; \
	MOVL R10, AX; \
	SHRL $4, AX; \
	ANDL $0x0f0f0f0f, AX; \
	MOVL R9, R12; \
	SHRL $6, R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL R12, AX; \
	MOVL R9, R13; \
	ANDL $0x3f3f3f3f, R13; \
	MOVL R10, R9; \
	ANDL $0x0f0f0f0f, R9; \
	MOVL R8, R12; \
	SHRL $6, R12; \
	ANDL $0x03030303, R12; \
	SHLL $4, R12; \
	ORL R12, R9; \
	ANDL $0x3f3f3f3f, R8; \
	VMOVD R8, X; \
	VPINSRD $1, R9, X, X; \
	VPINSRD $2, R13, X, X; \
	VPINSRD $3, AX, X, X; \
	VPMOVZXBW X, Y1

// Q4KHALF(j) adds to Y6 the scaled products of the 32 bytes of nibbles
// j (values 64j..64j+63: low nibbles then high), with activations at
// 64j(BX), by VPMADDUBSW and, with the scales broadcast from Y1,
// VPMADDWD.
#define Q4KHALF(j, qoff, yoff, s0, s1) \
	VMOVDQU qoff(SI), Y7; \
	VPAND Y15, Y7, Y8; \
	VPSRLW $4, Y7, Y7; \
	VPAND Y15, Y7, Y7; \
	VPMADDUBSW yoff(BX), Y8, Y8; \
	VPMADDUBSW (yoff+32)(BX), Y7, Y7; \
	VPSHUFB s0(R11), Y1, Y9; \
	VPMADDWD Y9, Y8, Y8; \
	VPADDD Y8, Y6, Y6; \
	VPSHUFB s1(R11), Y1, Y9; \
	VPMADDWD Y9, Y7, Y7; \
	VPADDD Y7, Y6, Y6

// func dotQ4KAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32
// dotQ4KGo: per block the exact integer sums of scale·q·y and of
// min·(activation sums), each fused once into its float sum, the result
// their difference.
TEXT ·dotQ4KAVX2(SB), NOSPLIT, $0-44
	KARGS
	VXORPS X10, X10, X10 // acc
	VXORPS X11, X11, X11 // accMin
q4kblk:
	CMPQ CX, $0
	JLE q4kdone
	KSCALES(X0) // scales 0..7, mins 0..7 as int16
	KMINS
	VPMADDWD X4, X5, X5
	VPHADDD X5, X5, X5
	VPHADDD X5, X5, X5
	VMOVD X5, R12
	// Both halves of Y1 hold the scales, for VPSHUFB.
	VINSERTI128 $1, X1, Y1, Y1
	VPXOR Y6, Y6, Y6
	Q4KHALF(0, 16, 0, 0, 32)
	Q4KHALF(1, 48, 64, 64, 96)
	Q4KHALF(2, 80, 128, 128, 160)
	Q4KHALF(3, 112, 192, 192, 224)
	VEXTRACTI128 $1, Y6, X7
	VPADDD X7, X6, X6
	VPHADDD X6, X6, X6
	VPHADDD X6, X6, X6
	VMOVD X6, R13
	// acc = fma(isum, d·dy, acc); accMin = fma(imin, dmin·dy, accMin)
	MOVWLZX 0(SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2
	MOVWLZX 2(SI), AX
	VMOVD AX, X3
	VCVTPH2PS X3, X3
	VMOVSS (DI), X4
	VMULSS X4, X2, X2
	VMULSS X4, X3, X3
	VCVTSI2SSL R13, X5, X5
	VFMADD231SS X2, X5, X10
	VCVTSI2SSL R12, X5, X5
	VFMADD231SS X3, X5, X11
	ADDQ $144, SI
	ADDQ $256, BX
	ADDQ $4, DI
	ADDQ $32, DX
	DECQ CX
	JMP q4kblk
q4kdone:
	VSUBSS X11, X10, X10
	MOVSS X10, ret+40(FP)
	VZEROUPPER
	RET

// Q4KGEMM(j, ...) fuses the integer sum of values 64j..64j+63 into X10
// with d·d(y) (X2) and the mins' lane j (X5) into X11 with dmin·d(y) (X3),
// as ggml_gemm_q4_K_8x8_q8_K does once per 64 values.
#define Q4KGEMM(j, qoff, yoff, s0, s1, lane) \
	VPXOR Y6, Y6, Y6; \
	Q4KHALF(j, qoff, yoff, s0, s1); \
	VEXTRACTI128 $1, Y6, X7; \
	VPADDD X7, X6, X6; \
	VPHADDD X6, X6, X6; \
	VPHADDD X6, X6, X6; \
	VMOVD X6, R13; \
	VCVTSI2SSL R13, X8, X8; \
	VFMADD231SS X2, X8, X10; \
	VPEXTRD lane, X5, R12; \
	VCVTSI2SSL R12, X8, X8; \
	VFMADD231SS X3, X8, X11

// func dotQ4KGemmAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32
// dotQ4KGemmGo: dotQ4KAVX2 with both sums fused once per 64 values.
TEXT ·dotQ4KGemmAVX2(SB), NOSPLIT, $0-44
	KARGS
	VXORPS X10, X10, X10 // acc
	VXORPS X11, X11, X11 // accMin
q4gblk:
	CMPQ CX, $0
	JLE q4gdone
	KSCALES(X0) // scales 0..7, mins 0..7 as int16
	KMINS
	VPMADDWD X4, X5, X5 // the mins' integer per 64 values
	// Both halves of Y1 hold the scales, for VPSHUFB.
	VINSERTI128 $1, X1, Y1, Y1
	MOVWLZX 0(SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2
	MOVWLZX 2(SI), AX
	VMOVD AX, X3
	VCVTPH2PS X3, X3
	VMOVSS (DI), X4
	VMULSS X4, X2, X2
	VMULSS X4, X3, X3
	Q4KGEMM(0, 16, 0, 0, 32, $0)
	Q4KGEMM(1, 48, 64, 64, 96, $1)
	Q4KGEMM(2, 80, 128, 128, 160, $2)
	Q4KGEMM(3, 112, 192, 192, 224, $3)
	ADDQ $144, SI
	ADDQ $256, BX
	ADDQ $4, DI
	ADDQ $32, DX
	DECQ CX
	JMP q4gblk
q4gdone:
	VSUBSS X11, X10, X10
	MOVSS X10, ret+40(FP)
	VZEROUPPER
	RET

// Q5KHALF(j, ...) adds to Y6 the scaled products of values 64j..64j+63
// of a Q5_K block: low nibbles (and fifth bit 2j) with the activations at
// yoff(BX), high nibbles (fifth bit 2j+1) with those 32 further.
#define Q5KHALF(j, qoff, yoff, s0, s1, sh0, sh1) \
	VMOVDQU qoff(SI), Y7; \
	VPAND Y15, Y7, Y8; \
	VPSRLW sh0, Y4, Y9; \
	VPAND Y14, Y9, Y9; \
	VPSLLW $4, Y9, Y9; \
	VPOR Y9, Y8, Y8; \
	VPSRLW $4, Y7, Y7; \
	VPAND Y15, Y7, Y7; \
	VPSRLW sh1, Y4, Y9; \
	VPAND Y14, Y9, Y9; \
	VPSLLW $4, Y9, Y9; \
	VPOR Y9, Y7, Y7; \
	VPMADDUBSW yoff(BX), Y8, Y8; \
	VPMADDUBSW (yoff+32)(BX), Y7, Y7; \
	VPSHUFB s0(R11), Y1, Y9; \
	VPMADDWD Y9, Y8, Y8; \
	VPADDD Y8, Y6, Y6; \
	VPSHUFB s1(R11), Y1, Y9; \
	VPMADDWD Y9, Y7, Y7; \
	VPADDD Y7, Y6, Y6

// func dotQ5KAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32
// dotQ5KGo: ggml_vec_dot_q5_K_q8_K's AVX2 arithmetic (eight integer
// lanes per block fused with d·d(y); the mins' integer fused into a
// scalar sum with -d(y)·dmin; hsum_float_8 plus that sum).
TEXT ·dotQ5KAVX2(SB), NOSPLIT, $0-44
	KARGS
	MOVL $0x01010101, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	VXORPS Y0, Y0, Y0   // acc
	VXORPS X13, X13, X13 // summs
q5kblk:
	CMPQ CX, $0
	JLE q5kdone
	KSCALES(X2)
	KMINS
	VPMADDWD X4, X5, X8 // the mins' integers per 64 values
	// d = d(y)·d, dmin = -d(y)·dmin
	VMOVSS (DI), X5
	MOVWLZX 0(SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2
	VMULSS X2, X5, X3
	VBROADCASTSS X3, Y3
	MOVWLZX 2(SI), AX
	VMOVD AX, X2
	VCVTPH2PS X2, X2
	MOVL $0x80000000, AX
	VMOVD AX, X12
	VXORPS X12, X5, X5
	VMULSS X2, X5, X12
	// summs = fma(dmin, the mins' integer of the block, summs)
	VPHADDD X8, X8, X8
	VPHADDD X8, X8, X8
	VMOVD X8, R12
	VCVTSI2SSL R12, X8, X8
	VFMADD231SS X12, X8, X13
	VINSERTI128 $1, X1, Y1, Y1
	VMOVDQU 16(SI), Y4 // fifth bits
	VPXOR Y6, Y6, Y6
	Q5KHALF(0, 48, 0, 0, 32, $0, $1)
	Q5KHALF(1, 80, 64, 64, 96, $2, $3)
	Q5KHALF(2, 112, 128, 128, 160, $4, $5)
	Q5KHALF(3, 144, 192, 192, 224, $6, $7)
	VCVTDQ2PS Y6, Y6
	VFMADD231PS Y6, Y3, Y0
	ADDQ $176, SI
	ADDQ $256, BX
	ADDQ $4, DI
	ADDQ $32, DX
	DECQ CX
	JMP q5kblk
q5kdone:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X0, X1, X1
	VMOVHLPS X1, X1, X2
	VADDPS X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS X2, X1, X1
	VADDSS X13, X1, X1
	MOVSS X1, ret+40(FP)
	VZEROUPPER
	RET

// func dotBF16AVX2(x, y *float32, n int) float32
// dotBF16 (n a positive multiple of 32): products rounded, then added, in
// four accumulators of eight lanes; folded (0+2)+(1+3); the upper four
// lanes onto the lower; then (0+2)+(1+3).
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
bf16loop:
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VMULPS 0(DI), Y4, Y4
	VMULPS 32(DI), Y5, Y5
	VMULPS 64(DI), Y6, Y6
	VMULPS 96(DI), Y7, Y7
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ bf16loop
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X0, X1, X1
	VMOVHLPS X1, X1, X2
	VADDPS X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS X2, X1, X1
	MOVSS X1, ret+24(FP)
	VZEROUPPER
	RET
