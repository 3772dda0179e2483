#include "textflag.h"
#include "kernels_amd64.h"

// ggml's get_scale_shuffle(i) for i < 8: the bytes 2i (eight times) and
// 2i+1 (eight times), picking a Q6_K block's scales for 32 values.
DATA q6shuf<>+0(SB)/8, $0x0000000000000000
DATA q6shuf<>+8(SB)/8, $0x0101010101010101
DATA q6shuf<>+16(SB)/8, $0x0202020202020202
DATA q6shuf<>+24(SB)/8, $0x0303030303030303
DATA q6shuf<>+32(SB)/8, $0x0404040404040404
DATA q6shuf<>+40(SB)/8, $0x0505050505050505
DATA q6shuf<>+48(SB)/8, $0x0606060606060606
DATA q6shuf<>+56(SB)/8, $0x0707070707070707
DATA q6shuf<>+64(SB)/8, $0x0808080808080808
DATA q6shuf<>+72(SB)/8, $0x0909090909090909
DATA q6shuf<>+80(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA q6shuf<>+88(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA q6shuf<>+96(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA q6shuf<>+104(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA q6shuf<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA q6shuf<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q6shuf<>(SB), RODATA|NOPTR, $128

// Q6CHUNK(k, off) adds chunk k (32 values) of a half block to Y1: its
// 6-bit values (Y9, built from the low bits in Y4/Y5 and the high pairs in
// Y6) times the 32 activations at off(BX) by VPMADDUBSW, times the
// chunk's two scales (shuffle k of the half, from X8) by VPMADDWD.
#define Q6LOW0 VPAND Y14, Y4, Y9
#define Q6LOW1 VPAND Y14, Y5, Y9
#define Q6LOW2 VPSRLW $4, Y4, Y9; VPAND Y14, Y9, Y9
#define Q6LOW3 VPSRLW $4, Y5, Y9; VPAND Y14, Y9, Y9
#define Q6HIGH0 VPAND Y15, Y6, Y7; VPSLLW $4, Y7, Y7
#define Q6HIGH1 VPAND Y13, Y6, Y7; VPSLLW $2, Y7, Y7
#define Q6HIGH2 VPAND Y12, Y6, Y7
#define Q6HIGH3 VPAND Y11, Y6, Y7; VPSRLW $2, Y7, Y7
#define Q6CHUNK(low, high, off, shuf) \
	low; \
	high; \
	VPOR Y7, Y9, Y9; \
	VPMADDUBSW off(BX), Y9, Y9; \
	VPSHUFB shuf(R8), X8, X7; \
	VPMOVSXBW X7, Y7; \
	VPMADDWD Y9, Y7, Y9; \
	VPADDD Y9, Y1, Y1

// func dotQ6KAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32
// dotQ6KGo: ggml_vec_dot_q6_K_q8_K's AVX2 loop, instruction for
// instruction in what it computes (the integer sums in another order).
TEXT ·dotQ6KAVX2(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), SI
	MOVQ y+8(FP), BX
	MOVQ yd+16(FP), DI
	MOVQ bsums+24(FP), DX
	MOVQ nb+32(FP), CX
	LEAQ q6shuf<>(SB), R8
	MOVL $0x03030303, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x0c0c0c0c, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $0x30303030, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0xc0c0c0c0, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	VXORPS Y0, Y0, Y0
q6blk:
	CMPQ CX, $0
	JLE q6done
	MOVWLZX 208(SI), AX
	VMOVD AX, X3
	VCVTPH2PS X3, X3
	VMULSS (DI), X3, X3
	VBROADCASTSS X3, Y3
	VMOVDQU 192(SI), X8
	VPMOVSXBW X8, Y2
	VPMADDWD (DX), Y2, Y2
	VPSLLD $5, Y2, Y2
	VPXOR Y1, Y1, Y1
	VMOVDQU 0(SI), Y4
	VMOVDQU 32(SI), Y5
	VMOVDQU 128(SI), Y6
	Q6CHUNK(Q6LOW0, Q6HIGH0, 0, 0)
	Q6CHUNK(Q6LOW1, Q6HIGH1, 32, 16)
	Q6CHUNK(Q6LOW2, Q6HIGH2, 64, 32)
	Q6CHUNK(Q6LOW3, Q6HIGH3, 96, 48)
	VMOVDQU 64(SI), Y4
	VMOVDQU 96(SI), Y5
	VMOVDQU 160(SI), Y6
	Q6CHUNK(Q6LOW0, Q6HIGH0, 128, 64)
	Q6CHUNK(Q6LOW1, Q6HIGH1, 160, 80)
	Q6CHUNK(Q6LOW2, Q6HIGH2, 192, 96)
	Q6CHUNK(Q6LOW3, Q6HIGH3, 224, 112)
	VPSUBD Y2, Y1, Y1
	VCVTDQ2PS Y1, Y1
	VFMADD231PS Y1, Y3, Y0
	ADDQ $210, SI
	ADDQ $256, BX
	ADDQ $4, DI
	ADDQ $32, DX
	DECQ CX
	JMP q6blk
q6done:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X0, X1, X1
	VMOVHLPS X1, X1, X2
	VADDPS X2, X1, X1
	VMOVSHDUP X1, X2
	VADDSS X2, X1, X1
	MOVSS X1, ret+40(FP)
	VZEROUPPER
	RET

// The four-row Q6_K kernel: four activation rows interleaved by block as
// for matQ4Kx4AVX2 (acts.k4), result k of weight row r at out + r*16 + k*4,
// each exactly dotQ6KGo's. A block's 6-bit values and scales are unpacked
// once for the four rows; each row keeps its own eight integer lanes (Y0,
// Y1, Y11, Y13) and eight float lanes (in the frame, row k at 32k(SP)).

// Q6X4HIGH(s) sets Y7 to the high bit pairs of a chunk in bits 4-5: h
// shifted by s (VPSLLW $4, VPSLLW $2, none, VPSRLW $2), masked by 0x30.
#define Q6X4HIGH0 VPSLLW $4, Y6, Y7; VPAND Y12, Y7, Y7
#define Q6X4HIGH1 VPSLLW $2, Y6, Y7; VPAND Y12, Y7, Y7
#define Q6X4HIGH2 VPAND Y12, Y6, Y7
#define Q6X4HIGH3 VPSRLW $2, Y6, Y7; VPAND Y12, Y7, Y7

// Q6X4ROW adds to r one row's products of the chunk (Y9) with its
// activations at off(BX), times the chunk's scales (Y7).
#define Q6X4ROW(off, r) \
	VPMADDUBSW off(BX), Y9, Y10; \
	VPMADDWD Y7, Y10, Y10; \
	VPADDD Y10, r, r

#define Q6X4CHUNK(low, high, off, shuf) \
	low; \
	high; \
	VPOR Y7, Y9, Y9; \
	VPSHUFB shuf(R8), X8, X7; \
	VPMOVSXBW X7, Y7; \
	Q6X4ROW(off, Y0); \
	Q6X4ROW(off+256, Y1); \
	Q6X4ROW(off+512, Y11); \
	Q6X4ROW(off+768, Y13)

// Q6X4FUSE takes the -32 offset (the row's bsums at boff(DX) with the
// scales in Y2) off row k's lanes r and fuses them into its float lanes
// with d·dy (f16 d in X15, dy at doff(DI)).
#define Q6X4FUSE(r, boff, doff, acc) \
	VPMADDWD boff(DX), Y2, Y9; \
	VPSLLD $5, Y9, Y9; \
	VPSUBD Y9, r, r; \
	KX4FUSE(r, doff, X15, Y10, acc)

// Q6X4HSUM stores the hsum8 of row k's float lanes to off(AX).
#define Q6X4HSUM(acc, off) \
	VMOVUPS acc(SP), Y0; \
	HSUM8(Y0, X0, X1); \
	VMOVSS X0, off(AX)

// func matQ6Kx4AVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)
TEXT ·matQ6Kx4AVX2(SB), NOSPLIT, $128-64
	MOVQ w+0(FP), R14
	LEAQ q6shuf<>(SB), R8
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x30303030, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
q6x4row:
	CMPQ nrows+16(FP), $0
	JLE q6x4done
	KX4PTRS
	KX4ZEROFRAME
q6x4blk:
	CMPQ CX, $0
	JLE q6x4rowend
	MOVWLZX 208(SI), AX
	VMOVD AX, X15
	VCVTPH2PS X15, X15
	VMOVDQU 192(SI), X8
	VPMOVSXBW X8, Y2
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y11, Y11, Y11
	VPXOR Y13, Y13, Y13
	VMOVDQU 0(SI), Y4
	VMOVDQU 32(SI), Y5
	VMOVDQU 128(SI), Y6
	Q6X4CHUNK(Q6LOW0, Q6X4HIGH0, 0, 0)
	Q6X4CHUNK(Q6LOW1, Q6X4HIGH1, 32, 16)
	Q6X4CHUNK(Q6LOW2, Q6X4HIGH2, 64, 32)
	Q6X4CHUNK(Q6LOW3, Q6X4HIGH3, 96, 48)
	VMOVDQU 64(SI), Y4
	VMOVDQU 96(SI), Y5
	VMOVDQU 160(SI), Y6
	Q6X4CHUNK(Q6LOW0, Q6X4HIGH0, 128, 64)
	Q6X4CHUNK(Q6LOW1, Q6X4HIGH1, 160, 80)
	Q6X4CHUNK(Q6LOW2, Q6X4HIGH2, 192, 96)
	Q6X4CHUNK(Q6LOW3, Q6X4HIGH3, 224, 112)
	Q6X4FUSE(Y0, 0, 0, 0)
	Q6X4FUSE(Y1, 32, 4, 32)
	Q6X4FUSE(Y11, 64, 8, 64)
	Q6X4FUSE(Y13, 96, 12, 96)
	ADDQ $210, SI
	ADDQ $1024, BX
	ADDQ $16, DI
	ADDQ $128, DX
	DECQ CX
	JMP q6x4blk
q6x4rowend:
	MOVQ out+56(FP), AX
	Q6X4HSUM(0, 0)
	Q6X4HSUM(32, 4)
	Q6X4HSUM(64, 8)
	Q6X4HSUM(96, 12)
	KX4NEXTROW
	JMP q6x4row
q6x4done:
	VZEROUPPER
	RET
