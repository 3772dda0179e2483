#include "textflag.h"
#include "kernels_amd64.h"

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

// The four-row Q4_K kernels multiply nrows weight rows (rowBytes apart
// from w) by a group of four activation rows interleaved by block
// (acts.k4: block i's 256 values of row k at y + i*1024 + k*256, its
// scale at yd + i*16 + k*4, its 16 sums at bsums + i*128 + k*32), and
// write result k of weight row r to out + r*16 + k*4. A block's scales,
// mins and nibbles are unpacked once for the four rows, each row's
// integer sums are reduced together into one vector (lane k: row k), and
// the conversions and fused multiply-adds run on four lanes at once:
// lane k computes exactly what dotQ4KGo (gemv) or dotQ4KGemmGo (gemm)
// computes for row k.

// Q4KX4ARGS loads the arguments the row loop keeps in registers: w's row
// in R14, the shuffles in R11, the nibble mask in Y15.
#define Q4KX4ARGS \
	MOVQ w+0(FP), R14; \
	LEAQ q4kshuf<>(SB), R11; \
	MOVL $0x0f0f0f0f, AX; \
	VMOVD AX, X15; \
	VPBROADCASTD X15, Y15

// Q4KX4ROWSTART points SI, BX, DI, DX, CX at the row's first block and the
// group's activations, and clears the sums (X10 acc, X11 accMin).
#define Q4KX4ROWSTART \
	KX4PTRS; \
	VXORPS X10, X10, X10; \
	VXORPS X11, X11, X11

// Q4KX4BLOCK unpacks a block's scales (both halves of Y1) and mins (X5),
// sets X2 = d·dy and X3 = dmin·dy for the four rows, and leaves the four
// rows' mins integers, lane j of X4, X6, X12, X14 for rows 0..3
// (clobbers AX, R8-R10, R12, R13, Y0, X7).
#define Q4KX4BLOCK \
	KSCALES(X0); \
	VEXTRACTI128 $1, Y1, X5; \
	VINSERTI128 $1, X1, Y1, Y1; \
	MOVWLZX 0(SI), AX; \
	VMOVD AX, X2; \
	VCVTPH2PS X2, X2; \
	VBROADCASTSS X2, X2; \
	VMULPS (DI), X2, X2; \
	MOVWLZX 2(SI), AX; \
	VMOVD AX, X3; \
	VCVTPH2PS X3, X3; \
	VBROADCASTSS X3, X3; \
	VMULPS (DI), X3, X3; \
	Q4KX4MINS(0, X4); \
	Q4KX4MINS(32, X6); \
	Q4KX4MINS(64, X12); \
	Q4KX4MINS(96, X14)

// Q4KX4MINS sets lane j of x to one row's mins integer of values
// 64j..64j+63 (its bsums at off(DX)); clobbers Y0, X7.
#define Q4KX4MINS(off, x) \
	VMOVDQU off(DX), Y0; \
	VEXTRACTI128 $1, Y0, X7; \
	VPHADDW X7, X0, x; \
	VPMADDWD X5, x, x

// Q4KX4NIBBLES loads the nibbles of values 64j..64j+63 (low in Y8, high
// in Y7) and the scales of their two sub-blocks (Y9, Y13).
#define Q4KX4NIBBLES(qoff, s0, s1) \
	VMOVDQU qoff(SI), Y7; \
	VPAND Y15, Y7, Y8; \
	VPSRLW $4, Y7, Y7; \
	VPAND Y15, Y7, Y7; \
	VPSHUFB s0(R11), Y1, Y9; \
	VPSHUFB s1(R11), Y1, Y13

// Q4KX4ROW adds to s one row's scaled products of those values, its
// activations at yoff(BX); clobbers Y12.
#define Q4KX4ROW(yoff, s) \
	VPMADDUBSW yoff(BX), Y8, Y12; \
	VPMADDWD Y9, Y12, Y12; \
	VPADDD Y12, s, s; \
	VPMADDUBSW (yoff+32)(BX), Y7, Y12; \
	VPMADDWD Y13, Y12, Y12; \
	VPADDD Y12, s, s

// Q4KX4ROWS adds the four rows' products of values 64j..64j+63 to Y4, Y5,
// Y6, Y14.
#define Q4KX4ROWS(j, qoff, s0, s1) \
	Q4KX4NIBBLES(qoff, s0, s1); \
	Q4KX4ROW(j*64, Y4); \
	Q4KX4ROW(256+j*64, Y5); \
	Q4KX4ROW(512+j*64, Y6); \
	Q4KX4ROW(768+j*64, Y14)

// Q4KX4FUSE reduces the four rows' sums (Y4, Y5, Y6, Y14) to lane k of X4
// and fuses them into X10 with d·dy (clobbers X0, Y5, Y6).
#define Q4KX4FUSE \
	VPHADDD Y5, Y4, Y4; \
	VPHADDD Y14, Y6, Y6; \
	VPHADDD Y6, Y4, Y4; \
	VEXTRACTI128 $1, Y4, X0; \
	VPADDD X0, X4, X4; \
	VCVTDQ2PS X4, X4; \
	VFMADD231PS X2, X4, X10

#define Q4KX4ZERO \
	VPXOR Y4, Y4, Y4; \
	VPXOR Y5, Y5, Y5; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y14, Y14, Y14

// Q4KX4ROWEND stores the row's four results (acc - accMin) and moves to
// the next weight row.
#define Q4KX4ROWEND \
	VSUBPS X11, X10, X10; \
	MOVQ out+56(FP), AX; \
	VMOVUPS X10, (AX); \
	KX4NEXTROW

// Q4KX4GEMMJ fuses values 64j..64j+63 of the four rows (gemm order).
#define Q4KX4GEMMJ(j, qoff, s0, s1) \
	Q4KX4ZERO; \
	Q4KX4ROWS(j, qoff, s0, s1); \
	Q4KX4FUSE

// The four-row Q5_K kernel, as matQ6Kx4AVX2 lays its work out: each
// row's eight integer lanes (Y0, Y2, Y3, Y5) and eight float lanes (row k
// at 32k(SP)), and the mins' sums of the four rows fused on four lanes
// (128(SP)); each row exactly dotQ5KGo's.

// Q5X4MINS sets lane j of x to one row's mins integer of values
// 64j..64j+63 (its bsums at off(DX), the mins in X5); clobbers Y12, X13.
#define Q5X4MINS(off, x) \
	VMOVDQU off(DX), Y12; \
	VEXTRACTI128 $1, Y12, X13; \
	VPHADDW X13, X12, x; \
	VPMADDWD X5, x, x

// Q5KVALS sets Y8 and Y7 to a Q5_K block's 5-bit values 64j..64j+63 (low
// nibbles with fifth bits from Y4 shifted by sh0, high nibbles with those
// shifted by sh1); clobbers Y9.
#define Q5KVALS(qoff, sh0, sh1) \
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
	VPOR Y9, Y7, Y7

// Q5X4Q sets Y8 and Y7 to the 5-bit values 64j..64j+63 and Y9, Y13 to
// their scales.
#define Q5X4Q(qoff, s0, s1, sh0, sh1) \
	Q5KVALS(qoff, sh0, sh1); \
	VPSHUFB s0(R11), Y1, Y9; \
	VPSHUFB s1(R11), Y1, Y13

#define Q5X4J(j, qoff, s0, s1, sh0, sh1) \
	Q5X4Q(qoff, s0, s1, sh0, sh1); \
	Q4KX4ROW(j*64, Y0); \
	Q4KX4ROW(256+j*64, Y2); \
	Q4KX4ROW(512+j*64, Y3); \
	Q4KX4ROW(768+j*64, Y5)

// Q5X4FUSE fuses row k's lanes r into its float lanes with dy·d (f16 d in
// X10, dy at doff(DI)).
#define Q5X4FUSE(r, doff, acc) KX4FUSE(r, doff, X10, Y12, acc)

// Q5X4HSUM stores hsum8 of row k's float lanes plus its mins' sum to
// off(AX).
#define Q5X4HSUM(acc, off) \
	VMOVUPS acc(SP), Y0; \
	HSUM8(Y0, X0, X1); \
	VMOVSS (128+off)(SP), X2; \
	VADDSS X2, X0, X0; \
	VMOVSS X0, off(AX)

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
	Q5KVALS(qoff, sh0, sh1); \
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

// func matQ4Kx4AVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)
// Four activation rows in dotQ4KGo's order: per block one integer sum
// and one mins integer per row, each fused once.
TEXT ·matQ4Kx4AVX2(SB), NOSPLIT, $0-64
	Q4KX4ARGS
q4x4row:
	CMPQ nrows+16(FP), $0
	JLE q4x4done
	Q4KX4ROWSTART
q4x4blk:
	CMPQ CX, $0
	JLE q4x4rowend
	Q4KX4BLOCK
	// Σj mins: the four rows' sums in lanes 0..3 of X4.
	VPHADDD X6, X4, X4
	VPHADDD X14, X12, X12
	VPHADDD X12, X4, X4
	VCVTDQ2PS X4, X4
	VFMADD231PS X3, X4, X11
	Q4KX4ZERO
	Q4KX4ROWS(0, 16, 0, 32)
	Q4KX4ROWS(1, 48, 64, 96)
	Q4KX4ROWS(2, 80, 128, 160)
	Q4KX4ROWS(3, 112, 192, 224)
	Q4KX4FUSE
	ADDQ $144, SI
	ADDQ $1024, BX
	ADDQ $16, DI
	ADDQ $128, DX
	DECQ CX
	JMP q4x4blk
q4x4rowend:
	Q4KX4ROWEND
	JMP q4x4row
q4x4done:
	VZEROUPPER
	RET

// func matQ4Kx4GemmAVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)
// Four activation rows in dotQ4KGemmGo's order: both sums fused once per
// 64 values.
TEXT ·matQ4Kx4GemmAVX2(SB), NOSPLIT, $0-64
	Q4KX4ARGS
q4x4grow:
	CMPQ nrows+16(FP), $0
	JLE q4x4gdone
	Q4KX4ROWSTART
q4x4gblk:
	CMPQ CX, $0
	JLE q4x4growend
	Q4KX4BLOCK
	// The mins, transposed to lane k = row k, one vector per j.
	VPUNPCKLDQ X6, X4, X0
	VPUNPCKHDQ X6, X4, X4
	VPUNPCKLDQ X14, X12, X6
	VPUNPCKHDQ X14, X12, X12
	VPUNPCKLQDQ X6, X0, X14
	VCVTDQ2PS X14, X14
	VFMADD231PS X3, X14, X11
	VPUNPCKHQDQ X6, X0, X0
	VCVTDQ2PS X0, X0
	VFMADD231PS X3, X0, X11
	VPUNPCKLQDQ X12, X4, X6
	VCVTDQ2PS X6, X6
	VFMADD231PS X3, X6, X11
	VPUNPCKHQDQ X12, X4, X4
	VCVTDQ2PS X4, X4
	VFMADD231PS X3, X4, X11
	Q4KX4GEMMJ(0, 16, 0, 32)
	Q4KX4GEMMJ(1, 48, 64, 96)
	Q4KX4GEMMJ(2, 80, 128, 160)
	Q4KX4GEMMJ(3, 112, 192, 224)
	ADDQ $144, SI
	ADDQ $1024, BX
	ADDQ $16, DI
	ADDQ $128, DX
	DECQ CX
	JMP q4x4gblk
q4x4growend:
	Q4KX4ROWEND
	JMP q4x4grow
q4x4gdone:
	VZEROUPPER
	RET

// func matQ5Kx4AVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)
TEXT ·matQ5Kx4AVX2(SB), NOSPLIT, $144-64
	Q4KX4ARGS
	MOVL $0x01010101, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
q5x4row:
	CMPQ nrows+16(FP), $0
	JLE q5x4done
	KX4PTRS
	KX4ZEROFRAME
	VMOVUPS X0, 128(SP)
q5x4blk:
	CMPQ CX, $0
	JLE q5x4rowend
	KSCALES(X2)
	VEXTRACTI128 $1, Y1, X5
	VINSERTI128 $1, X1, Y1, Y1
	// summs: fma(-dy·dmin, each row's mins integer of the block, summs)
	Q5X4MINS(0, X0)
	Q5X4MINS(32, X2)
	Q5X4MINS(64, X3)
	Q5X4MINS(96, X6)
	VPHADDD X2, X0, X0
	VPHADDD X6, X3, X3
	VPHADDD X3, X0, X0
	VCVTDQ2PS X0, X0
	MOVWLZX 2(SI), AX
	VMOVD AX, X11
	VCVTPH2PS X11, X11
	VBROADCASTSS X11, X11
	MOVL $0x80000000, AX
	VMOVD AX, X13
	VPBROADCASTD X13, X13
	VMOVUPS (DI), X12
	VXORPS X13, X12, X12
	VMULPS X11, X12, X12
	VMOVUPS 128(SP), X13
	VFMADD231PS X12, X0, X13
	VMOVUPS X13, 128(SP)
	MOVWLZX 0(SI), AX
	VMOVD AX, X10
	VCVTPH2PS X10, X10
	VMOVDQU 16(SI), Y4 // fifth bits
	VPXOR Y0, Y0, Y0
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y5, Y5, Y5
	Q5X4J(0, 48, 0, 32, $0, $1)
	Q5X4J(1, 80, 64, 96, $2, $3)
	Q5X4J(2, 112, 128, 160, $4, $5)
	Q5X4J(3, 144, 192, 224, $6, $7)
	Q5X4FUSE(Y0, 0, 0)
	Q5X4FUSE(Y2, 4, 32)
	Q5X4FUSE(Y3, 8, 64)
	Q5X4FUSE(Y5, 12, 96)
	ADDQ $176, SI
	ADDQ $1024, BX
	ADDQ $16, DI
	ADDQ $128, DX
	DECQ CX
	JMP q5x4blk
q5x4rowend:
	MOVQ out+56(FP), AX
	Q5X4HSUM(0, 0)
	Q5X4HSUM(32, 4)
	Q5X4HSUM(64, 8)
	Q5X4HSUM(96, 12)
	KX4NEXTROW
	JMP q5x4row
q5x4done:
	VZEROUPPER
	RET
