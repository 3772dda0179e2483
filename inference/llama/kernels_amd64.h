// Macros shared by the amd64 kernels.

// X8STORE writes the eight lanes of Y12 to DX + k*R10 (R11 = 3*R10) and
// advances DX by one float.
#define X8STORE \
	VMOVSS X12, (DX); \
	VEXTRACTPS $1, X12, (DX)(R10*1); \
	VEXTRACTPS $2, X12, (DX)(R10*2); \
	VEXTRACTPS $3, X12, (DX)(R11*1); \
	LEAQ (DX)(R10*4), AX; \
	VEXTRACTF128 $1, Y12, X12; \
	VMOVSS X12, (AX); \
	VEXTRACTPS $1, X12, (AX)(R10*1); \
	VEXTRACTPS $2, X12, (AX)(R10*2); \
	VEXTRACTPS $3, X12, (AX)(R11*1); \
	ADDQ $4, DX

// HSUM8(y, x, t) leaves in the low float of x the sum of y's eight lanes
// in the order of ggml's hsum_float_8 (x is y's low half); clobbers t.
#define HSUM8(y, x, t) \
	VEXTRACTF128 $1, y, t; \
	VADDPS t, x, x; \
	VMOVHLPS x, x, t; \
	VADDPS t, x, x; \
	VMOVSHDUP x, t; \
	VADDSS t, x, x

// The four-row K-quant kernels' row loop (matQ4Kx4AVX2 and the others):
// KX4PTRS points SI at weight row R14's first block and BX, DI, DX, CX at
// the group's activations, scales, sums and block count; KX4ZEROFRAME
// clears four rows' eight float lanes at 0..127(SP); KX4NEXTROW moves to
// the next weight row and its four results.
#define KX4PTRS \
	MOVQ R14, SI; \
	MOVQ y+24(FP), BX; \
	MOVQ yd+32(FP), DI; \
	MOVQ bsums+40(FP), DX; \
	MOVQ nb+48(FP), CX

#define KX4ZEROFRAME \
	VXORPS Y0, Y0, Y0; \
	VMOVUPS Y0, 0(SP); \
	VMOVUPS Y0, 32(SP); \
	VMOVUPS Y0, 64(SP); \
	VMOVUPS Y0, 96(SP)

#define KX4NEXTROW \
	ADDQ $16, out+56(FP); \
	ADDQ rowBytes+8(FP), R14; \
	DECQ nrows+16(FP)

// KX4FUSE converts row k's eight integer lanes r and fuses them into its
// float lanes at acc(SP) with dy·d (dy at doff(DI), the block's d in the
// low float of d; tmp a free register); clobbers Y9.
#define KX4FUSE(r, doff, d, tmp, acc) \
	VCVTDQ2PS r, r; \
	VMOVSS doff(DI), X9; \
	VMULSS d, X9, X9; \
	VBROADCASTSS X9, Y9; \
	VMOVUPS acc(SP), tmp; \
	VFMADD231PS r, Y9, tmp; \
	VMOVUPS tmp, acc(SP)

// GGMLREDUCE(a, b, c, d, alo, blo): ggml_vec_dot_f32's (and
// ggml_vec_dot_f16's) fold of its four accumulators a..d into the low
// float of alo (a's low half; blo is b's, clobbered).
#define GGMLREDUCE(a, b, c, d, alo, blo) \
	VADDPS c, a, a; \
	VADDPS d, b, b; \
	VADDPS b, a, a; \
	VEXTRACTF128 $1, a, blo; \
	VADDPS blo, alo, alo; \
	VHADDPS alo, alo, alo; \
	VHADDPS alo, alo, alo

// FIRSTCMP(pred, loop, found, none) is the body of firstEqAVX2 and
// firstAboveAVX2: the first i < n (n a multiple of 8) for which v
// compares with x[i] by VCMPPS predicate pred, or n.
#define FIRSTCMP(pred, loop, found, none) \
	MOVQ x+0(FP), SI; \
	MOVQ n+8(FP), CX; \
	VBROADCASTSS v+16(FP), Y0; \
	XORQ DX, DX; \
loop: \
	CMPQ DX, CX; \
	JGE none; \
	VCMPPS $pred, (SI)(DX*4), Y0, Y1; \
	VMOVMSKPS Y1, AX; \
	TESTL AX, AX; \
	JNZ found; \
	ADDQ $8, DX; \
	JMP loop; \
found: \
	BSFL AX, AX; \
	ADDQ AX, DX; \
	MOVQ DX, ret+24(FP); \
	VZEROUPPER; \
	RET; \
none: \
	MOVQ CX, ret+24(FP); \
	VZEROUPPER; \
	RET
