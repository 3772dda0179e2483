#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
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

// func dotF32AVX2(a, b *float32, n int) float32
// n must be a multiple of 8.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
f32loop:
	CMPQ CX, $32
	JLT f32tail
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS 0(DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP f32loop
f32tail:
	CMPQ CX, $0
	JLE f32done
	VMOVUPS 0(SI), Y4
	VFMADD231PS 0(DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP f32tail
f32done:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// The one-row Q8_0 and Q4_0 kernels compute what dotQ8Go and dotQ4Go
// do, bit for bit: each block's integer dot product exactly, then, block
// after block, sum += float32(isum) * (d(w) * d(x)) with a separate
// multiply and add. Eight blocks at a time, their integer sums are folded
// into one vector (X8REDUCE), converted and scaled together, and added to
// the sum in block order.

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

// ADD8 adds the eight lanes of Y0 to the float in X11, lane 0 first.
#define ADD8 \
	VADDSS X0, X11, X11; \
	VMOVSHDUP X0, X1; \
	VADDSS X1, X11, X11; \
	VMOVHLPS X0, X0, X1; \
	VADDSS X1, X11, X11; \
	VPERMILPS $0xff, X0, X1; \
	VADDSS X1, X11, X11; \
	VEXTRACTF128 $1, Y0, X0; \
	VADDSS X0, X11, X11; \
	VMOVSHDUP X0, X1; \
	VADDSS X1, X11, X11; \
	VMOVHLPS X0, X0, X1; \
	VADDSS X1, X11, X11; \
	VPERMILPS $0xff, X0, X1; \
	VADDSS X1, X11, X11

// Q8BLK(k, d): block k (from SI, DI) of a one-row Q8_0 product, as eight
// int32 in d.
#define Q8BLK(k, d) \
	VMOVDQU (k*34+2)(SI), Y8; \
	VPSIGNB Y8, Y8, Y9; \
	VMOVDQU (k*32)(DI), Y10; \
	VPSIGNB Y8, Y10, Y10; \
	VPMADDUBSW Y10, Y9, Y10; \
	VPMADDWD Y15, Y10, d

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
	VMULSS X1, X0, X0; \
	VADDSS X0, X11, X11

// func dotQ8AVX2(w *byte, xq *int8, xd *float32, nb int) float32
// w: nb Q8_0 blocks (34 bytes: f16 scale, 32 int8); xq: nb*32 int8
// activations; xd: nb activation scales.
TEXT ·dotQ8AVX2(SB), NOSPLIT, $0-36
	MOVQ w+0(FP), SI
	MOVQ xq+8(FP), DI
	MOVQ xd+16(FP), R8
	MOVQ nb+24(FP), CX
	VXORPS X11, X11, X11
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15 // 16-bit ones
q8loop8:
	CMPQ CX, $8
	JLT q8loop1
	Q8BLK(0, Y0)
	Q8BLK(1, Y1)
	Q8BLK(2, Y2)
	Q8BLK(3, Y3)
	Q8BLK(4, Y4)
	Q8BLK(5, Y5)
	Q8BLK(6, Y6)
	Q8BLK(7, Y7)
	X8REDUCE
	VCVTDQ2PS Y0, Y0
	SCALE8(34)
	VMULPS Y1, Y0, Y0
	ADD8
	ADDQ $272, SI
	ADDQ $256, DI
	ADDQ $32, R8
	SUBQ $8, CX
	JMP q8loop8
q8loop1:
	CMPQ CX, $0
	JLE q8done
	Q8BLK(0, Y0)
	HSUMI
	FINISH1
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, R8
	DECQ CX
	JMP q8loop1
q8done:
	VZEROUPPER
	MOVSS X11, ret+32(FP)
	RET

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

// func dotQ4AVX2(w *byte, xq *int8, xd *float32, xs *int32, nb int) float32
// w: nb Q4_0 blocks (18 bytes: f16 scale, 16 bytes of nibbles; low
// nibbles are elements 0-15, high nibbles 16-31, offset by 8); xs: 8 ×
// each activation block's sum, the offset's share.
TEXT ·dotQ4AVX2(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), SI
	MOVQ xq+8(FP), DI
	MOVQ xd+16(FP), R8
	MOVQ xs+24(FP), BX
	MOVQ nb+32(FP), CX
	VXORPS X11, X11, X11
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	VMOVDQU nib0f<>(SB), Y13
q4loop8:
	CMPQ CX, $8
	JLT q4loop1
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
	VMULPS Y1, Y0, Y0
	ADD8
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $32, R8
	ADDQ $32, BX
	SUBQ $8, CX
	JMP q4loop8
q4loop1:
	CMPQ CX, $0
	JLE q4done
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
	JMP q4loop1
q4done:
	VZEROUPPER
	MOVSS X11, ret+40(FP)
	RET

// func axpyAVX2(a float32, x, y *float32, n int)
// y[i] += a*x[i] for n a multiple of 8.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
axpyloop:
	CMPQ CX, $0
	JLE axpydone
	VMOVUPS 0(DI), Y1
	VFMADD231PS 0(SI), Y0, Y1
	VMOVUPS Y1, 0(DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP axpyloop
axpydone:
	VZEROUPPER
	RET

// func scoresAVX2(q, k *float32, stride, npos, hd int, out *float32)
// out[t] = q · k[t*stride : t*stride+hd] for t < npos; hd a multiple of 8.
// Eight or four positions at a time, each with its own accumulator: one
// position's products form a chain of dependent FMAs, so several chains
// keep the FMA units busy. Each position's arithmetic (the FMA order, then high half
// plus low half and two horizontal adds) is that of the one-position loop
// below, so results do not depend on npos.
TEXT ·scoresAVX2(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ npos+24(FP), CX
	MOVQ hd+32(FP), R9
	MOVQ out+40(FP), DX
	LEAQ (R8)(R8*2), R11
sc8pos:
	CMPQ CX, $8
	JLT sc4pos
	MOVQ SI, AX                       // q, then the eight keys, from d
	MOVQ DI, BX
	LEAQ (DI)(R8*4), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ R9, R10
sc8dim:
	CMPQ R10, $0
	JLE sc8sum
	VMOVUPS (AX), Y8
	VFMADD231PS (BX), Y8, Y0
	VFMADD231PS (BX)(R8*1), Y8, Y1
	VFMADD231PS (BX)(R8*2), Y8, Y2
	VFMADD231PS (BX)(R11*1), Y8, Y3
	VFMADD231PS (R12), Y8, Y4
	VFMADD231PS (R12)(R8*1), Y8, Y5
	VFMADD231PS (R12)(R8*2), Y8, Y6
	VFMADD231PS (R12)(R11*1), Y8, Y7
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, R12
	SUBQ $8, R10
	JMP sc8dim
sc8sum:
	VEXTRACTF128 $1, Y0, X8
	VADDPS X0, X8, X0
	VEXTRACTF128 $1, Y1, X8
	VADDPS X1, X8, X1
	VEXTRACTF128 $1, Y2, X8
	VADDPS X2, X8, X2
	VEXTRACTF128 $1, Y3, X8
	VADDPS X3, X8, X3
	VEXTRACTF128 $1, Y4, X8
	VADDPS X4, X8, X4
	VEXTRACTF128 $1, Y5, X8
	VADDPS X5, X8, X5
	VEXTRACTF128 $1, Y6, X8
	VADDPS X6, X8, X6
	VEXTRACTF128 $1, Y7, X8
	VADDPS X7, X8, X7
	VHADDPS X1, X0, X0
	VHADDPS X3, X2, X2
	VHADDPS X2, X0, X0
	VHADDPS X5, X4, X4
	VHADDPS X7, X6, X6
	VHADDPS X6, X4, X4
	VMOVUPS X0, 0(DX)
	VMOVUPS X4, 16(DX)
	ADDQ $32, DX
	LEAQ (DI)(R8*8), DI
	SUBQ $8, CX
	JMP sc8pos
sc4pos:
	CMPQ CX, $4
	JLT scpos
	LEAQ (DI)(R8*1), BX
	LEAQ (BX)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ R10, R10
sc4dim:
	CMPQ R10, R9
	JGE sc4sum
	VMOVUPS (SI)(R10*4), Y4
	VFMADD231PS (DI)(R10*4), Y4, Y0
	VFMADD231PS (BX)(R10*4), Y4, Y1
	VFMADD231PS (R12)(R10*4), Y4, Y2
	VFMADD231PS (R13)(R10*4), Y4, Y3
	ADDQ $8, R10
	JMP sc4dim
sc4sum:
	VEXTRACTF128 $1, Y0, X4
	VADDPS X0, X4, X0
	VEXTRACTF128 $1, Y1, X4
	VADDPS X1, X4, X1
	VEXTRACTF128 $1, Y2, X4
	VADDPS X2, X4, X2
	VEXTRACTF128 $1, Y3, X4
	VADDPS X3, X4, X3
	VHADDPS X1, X0, X0
	VHADDPS X3, X2, X2
	VHADDPS X2, X0, X0
	VMOVUPS X0, 0(DX)
	ADDQ $16, DX
	LEAQ (R13)(R8*1), DI
	SUBQ $4, CX
	JMP sc4pos
scpos:
	CMPQ CX, $0
	JLE scdone
	VXORPS Y0, Y0, Y0
	XORQ R10, R10
scdim:
	CMPQ R10, R9
	JGE schsum
	VMOVUPS (SI)(R10*4), Y1
	VFMADD231PS (DI)(R10*4), Y1, Y0
	ADDQ $8, R10
	JMP scdim
schsum:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X0, X1, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	MOVSS X0, 0(DX)
	ADDQ $4, DX
	ADDQ R8, DI
	DECQ CX
	JMP scpos
scdone:
	VZEROUPPER
	RET

// func wsumAVX2(w, v *float32, stride, npos, hd int, out *float32)
// out[j] = sum over t < npos of w[t] * v[t*stride + j], for j < hd (a
// multiple of 8). Columns of 8 outputs go eight, six, four, two or one
// at a time: each output is a chain of FMAs over the positions, so several
// columns side by side keep the FMA units busy; each output's arithmetic
// is unchanged.
TEXT ·wsumAVX2(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ npos+24(FP), CX
	MOVQ hd+32(FP), R9
	MOVQ out+40(FP), DX
	XORQ R10, R10
ws8:
	LEAQ 64(R10), AX
	CMPQ AX, R9
	JGT ws6
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	LEAQ (DI)(R10*4), R11
	XORQ R12, R12
ws8pos:
	CMPQ R12, CX
	JGE ws8store
	VBROADCASTSS (SI)(R12*4), Y8
	VFMADD231PS 0(R11), Y8, Y0
	VFMADD231PS 32(R11), Y8, Y1
	VFMADD231PS 64(R11), Y8, Y2
	VFMADD231PS 96(R11), Y8, Y3
	VFMADD231PS 128(R11), Y8, Y4
	VFMADD231PS 160(R11), Y8, Y5
	VFMADD231PS 192(R11), Y8, Y6
	VFMADD231PS 224(R11), Y8, Y7
	ADDQ R8, R11
	INCQ R12
	JMP ws8pos
ws8store:
	VMOVUPS Y0, 0(DX)(R10*4)
	VMOVUPS Y1, 32(DX)(R10*4)
	VMOVUPS Y2, 64(DX)(R10*4)
	VMOVUPS Y3, 96(DX)(R10*4)
	VMOVUPS Y4, 128(DX)(R10*4)
	VMOVUPS Y5, 160(DX)(R10*4)
	VMOVUPS Y6, 192(DX)(R10*4)
	VMOVUPS Y7, 224(DX)(R10*4)
	ADDQ $64, R10
	JMP ws8
ws6:
	LEAQ 48(R10), AX
	CMPQ AX, R9
	JGT ws4
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	LEAQ (DI)(R10*4), R11
	XORQ R12, R12
ws6pos:
	CMPQ R12, CX
	JGE ws6store
	VBROADCASTSS (SI)(R12*4), Y8
	VFMADD231PS 0(R11), Y8, Y0
	VFMADD231PS 32(R11), Y8, Y1
	VFMADD231PS 64(R11), Y8, Y2
	VFMADD231PS 96(R11), Y8, Y3
	VFMADD231PS 128(R11), Y8, Y4
	VFMADD231PS 160(R11), Y8, Y5
	ADDQ R8, R11
	INCQ R12
	JMP ws6pos
ws6store:
	VMOVUPS Y0, 0(DX)(R10*4)
	VMOVUPS Y1, 32(DX)(R10*4)
	VMOVUPS Y2, 64(DX)(R10*4)
	VMOVUPS Y3, 96(DX)(R10*4)
	VMOVUPS Y4, 128(DX)(R10*4)
	VMOVUPS Y5, 160(DX)(R10*4)
	ADDQ $48, R10
ws4:
	LEAQ 32(R10), AX
	CMPQ AX, R9
	JGT ws2
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	LEAQ (DI)(R10*4), R11
	XORQ R12, R12
ws4pos:
	CMPQ R12, CX
	JGE ws4store
	VBROADCASTSS (SI)(R12*4), Y8
	VFMADD231PS 0(R11), Y8, Y0
	VFMADD231PS 32(R11), Y8, Y1
	VFMADD231PS 64(R11), Y8, Y2
	VFMADD231PS 96(R11), Y8, Y3
	ADDQ R8, R11
	INCQ R12
	JMP ws4pos
ws4store:
	VMOVUPS Y0, 0(DX)(R10*4)
	VMOVUPS Y1, 32(DX)(R10*4)
	VMOVUPS Y2, 64(DX)(R10*4)
	VMOVUPS Y3, 96(DX)(R10*4)
	ADDQ $32, R10
ws2:
	LEAQ 16(R10), AX
	CMPQ AX, R9
	JGT ws1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	LEAQ (DI)(R10*4), R11
	XORQ R12, R12
ws2pos:
	CMPQ R12, CX
	JGE ws2store
	VBROADCASTSS (SI)(R12*4), Y8
	VFMADD231PS 0(R11), Y8, Y0
	VFMADD231PS 32(R11), Y8, Y1
	ADDQ R8, R11
	INCQ R12
	JMP ws2pos
ws2store:
	VMOVUPS Y0, 0(DX)(R10*4)
	VMOVUPS Y1, 32(DX)(R10*4)
	ADDQ $16, R10
ws1:
	CMPQ R10, R9
	JGE wsdone
	VXORPS Y0, Y0, Y0
	LEAQ (DI)(R10*4), R11
	XORQ R12, R12
ws1pos:
	CMPQ R12, CX
	JGE ws1store
	VBROADCASTSS (SI)(R12*4), Y1
	VFMADD231PS (R11), Y1, Y0
	ADDQ R8, R11
	INCQ R12
	JMP ws1pos
ws1store:
	VMOVUPS Y0, (DX)(R10*4)
	ADDQ $8, R10
	JMP ws1
wsdone:
	VZEROUPPER
	RET

DATA permq8<>+0(SB)/4, $0
DATA permq8<>+4(SB)/4, $4
DATA permq8<>+8(SB)/4, $1
DATA permq8<>+12(SB)/4, $5
DATA permq8<>+16(SB)/4, $2
DATA permq8<>+20(SB)/4, $6
DATA permq8<>+24(SB)/4, $3
DATA permq8<>+28(SB)/4, $7
GLOBL permq8<>(SB), RODATA|NOPTR, $32

// func quantizeQ8AVX2(x *float32, qs *int8, d *float32, nb int)
// Quantizes nb blocks of 32 floats as ggml's AVX2 quantize_row_q8_0:
// d = amax/127 rounded through f16, q = round-to-even(x * 127/amax).
TEXT ·quantizeQ8AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ qs+8(FP), DI
	MOVQ d+16(FP), R8
	MOVQ nb+24(FP), CX
	MOVL $0x7fffffff, AX
	VMOVD AX, X11
	VBROADCASTSS X11, Y11
	MOVL $0x42fe0000, AX // 127.0
	VMOVD AX, X8
	VXORPS X12, X12, X12
	VMOVDQU permq8<>(SB), Y7
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
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD Y0, Y7, Y0
	VMOVDQU Y0, 0(DI)
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, R8
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

// The x8 kernels multiply nrows weight rows by a group of eight
// activation rows stored interleaved by block: for block b, row k's
// quants are at xq + (b*8+k)*32, its scale at xd + (b*8+k)*4 and (Q4_0)
// eight times the sum of its quants at xs + (b*8+k)*4. Each weight block
// is loaded and decoded once for all eight rows; the rows' exact integer
// block sums are folded into one vector (X8REDUCE), so that conversion,
// scaling and accumulation run once per block for all eight rows, with
// the one-row kernels' arithmetic (lane k is row k's running sum). Result
// k of weight row i goes to out + (k*stride + i)*4.

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

// X8SCALE: Y0 (eight int32 block sums) converted, times the weight
// block's f16 scale (at R9) times the eight activation scales (at R8),
// added to Y12.
#define X8SCALE \
	VCVTDQ2PS Y0, Y0; \
	VPBROADCASTW 0(R9), X1; \
	VCVTPH2PS X1, Y1; \
	VMULPS (R8), Y1, Y1; \
	VMULPS Y1, Y0, Y0; \
	VADDPS Y0, Y12, Y12

// Q8ROW: x*sign(w) against |w| (Y13), pairs summed to int32 by VPMADDWD
// with ones (Y15).
#define Q8ROW(off, t, d) \
	VMOVDQU off(DI), t; \
	VPSIGNB Y14, t, t; \
	VPMADDUBSW t, Y13, t; \
	VPMADDWD Y15, t, d

// Q4ROW: unsigned nibbles (Y14) against signed activations, as sixteen
// int16 sums of pairs; the offset of 8 comes off after the reduction as
// 8*sum(x).
#define Q4ROW(off, d) \
	VPMADDUBSW off(DI), Y14, d

// Q4REDUCE folds Y0..Y7 (sixteen int16 each) into Y0, lane k holding the
// int32 sum of Yk's lanes. A Q4_0 pair sum is at most 2*15*127 = 3810, so
// sums of eight still fit in int16 (30480): the rows are folded as in
// X8REDUCE but on int16 lanes, with no VPMADDWD per row, and the two
// 128-bit halves are widened and added last. Clobbers Y1, Y2, Y4, Y6, Y8.
#define Q4REDUCE \
	VPUNPCKLWD Y1, Y0, Y8; \
	VPUNPCKHWD Y1, Y0, Y0; \
	VPADDW Y8, Y0, Y0; \
	VPUNPCKLWD Y3, Y2, Y8; \
	VPUNPCKHWD Y3, Y2, Y2; \
	VPADDW Y8, Y2, Y2; \
	VPUNPCKLWD Y5, Y4, Y8; \
	VPUNPCKHWD Y5, Y4, Y4; \
	VPADDW Y8, Y4, Y4; \
	VPUNPCKLWD Y7, Y6, Y8; \
	VPUNPCKHWD Y7, Y6, Y6; \
	VPADDW Y8, Y6, Y6; \
	VPUNPCKLDQ Y2, Y0, Y8; \
	VPUNPCKHDQ Y2, Y0, Y0; \
	VPADDW Y8, Y0, Y0; \
	VPUNPCKLDQ Y6, Y4, Y8; \
	VPUNPCKHDQ Y6, Y4, Y4; \
	VPADDW Y8, Y4, Y4; \
	VPUNPCKLQDQ Y4, Y0, Y8; \
	VPUNPCKHQDQ Y4, Y0, Y0; \
	VPADDW Y8, Y0, Y0; \
	VEXTRACTI128 $1, Y0, X1; \
	VPMOVSXWD X0, Y0; \
	VPMOVSXWD X1, Y1; \
	VPADDD Y1, Y0, Y0

// func matQ8x8AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32, stride int)
TEXT ·matQ8x8AVX2(SB), NOSPLIT, $0-72
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
	VXORPS Y12, Y12, Y12
q8x8blk:
	VMOVDQU 2(R9), Y14
	VPSIGNB Y14, Y14, Y13
	Q8ROW(0, Y8, Y0)
	Q8ROW(32, Y9, Y1)
	Q8ROW(64, Y10, Y2)
	Q8ROW(96, Y11, Y3)
	Q8ROW(128, Y8, Y4)
	Q8ROW(160, Y9, Y5)
	Q8ROW(192, Y10, Y6)
	Q8ROW(224, Y11, Y7)
	X8REDUCE
	X8SCALE
	ADDQ $34, R9
	ADDQ $256, DI
	ADDQ $32, R8
	DECQ CX
	JNZ q8x8blk
	X8STORE
	ADDQ R12, SI
	DECQ R13
	JMP q8x8row
q8x8done:
	VZEROUPPER
	RET

// func matQ4x8AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32, stride int)
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
	VMOVDQU nib0f<>(SB), Y13
q4x8row:
	CMPQ R13, $0
	JLE q4x8done
	MOVQ SI, R9
	MOVQ xq+24(FP), DI
	MOVQ xd+32(FP), R8
	MOVQ xs+40(FP), BX
	MOVQ nb+48(FP), CX
	VXORPS Y12, Y12, Y12
q4x8blk:
	VMOVDQU 2(R9), X14
	VPSRLW $4, X14, X8
	VINSERTI128 $1, X8, Y14, Y14
	VPAND Y13, Y14, Y14
	Q4ROW(0, Y0)
	Q4ROW(32, Y1)
	Q4ROW(64, Y2)
	Q4ROW(96, Y3)
	Q4ROW(128, Y4)
	Q4ROW(160, Y5)
	Q4ROW(192, Y6)
	Q4ROW(224, Y7)
	Q4REDUCE
	VPSUBD (BX), Y0, Y0
	X8SCALE
	ADDQ $18, R9
	ADDQ $256, DI
	ADDQ $32, R8
	ADDQ $32, BX
	DECQ CX
	JNZ q4x8blk
	X8STORE
	ADDQ R12, SI
	DECQ R13
	JMP q4x8row
q4x8done:
	VZEROUPPER
	RET

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
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS v+16(FP), Y0
	XORQ DX, DX
feloop:
	CMPQ DX, CX
	JGE fenone
	VCMPPS $0, (SI)(DX*4), Y0, Y1
	VMOVMSKPS Y1, AX
	TESTL AX, AX
	JNZ fefound
	ADDQ $8, DX
	JMP feloop
fefound:
	BSFL AX, AX
	ADDQ AX, DX
	MOVQ DX, ret+24(FP)
	VZEROUPPER
	RET
fenone:
	MOVQ CX, ret+24(FP)
	VZEROUPPER
	RET

// func sumExpNegAVX2(x *float32, n int, mx float32) float64
// The float64 sum of expNeg(x[i] - mx) for i < n (n a multiple of 8),
// each term computed exactly as expNeg does (separate multiplies and adds,
// no FMA), eight at a time.
TEXT ·sumExpNegAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS mx+16(FP), Y15
	VBROADCASTSS exlog2e<>(SB), Y14
	VBROADCASTSS exmagic<>(SB), Y13
	VBROADCASTSS exln2hi<>(SB), Y12
	VBROADCASTSS exln2lo<>(SB), Y11
	VBROADCASTSS exlo<>(SB), Y10
	VBROADCASTSS exone<>(SB), Y9
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	MOVL $127, AX
	VMOVD AX, X6
	VPBROADCASTD X6, Y6
seloop:
	CMPQ CX, $0
	JLE sedone
	VMOVUPS 0(SI), Y0
	VSUBPS Y15, Y0, Y0     // t = x - mx
	VCMPPS $1, Y10, Y0, Y5 // t < lo: the term is 0
	VMULPS Y14, Y0, Y1
	VADDPS Y13, Y1, Y1
	VSUBPS Y13, Y1, Y1     // n = (t*log2e + magic) - magic
	VMULPS Y12, Y1, Y2
	VSUBPS Y2, Y0, Y0
	VMULPS Y11, Y1, Y2
	VSUBPS Y2, Y0, Y0      // r = t - n*ln2hi - n*ln2lo
	VBROADCASTSS exc6<>(SB), Y2
	VMULPS Y0, Y2, Y2
	VBROADCASTSS exc5<>(SB), Y3
	VADDPS Y3, Y2, Y2
	VMULPS Y0, Y2, Y2
	VBROADCASTSS exc4<>(SB), Y3
	VADDPS Y3, Y2, Y2
	VMULPS Y0, Y2, Y2
	VBROADCASTSS exc3<>(SB), Y3
	VADDPS Y3, Y2, Y2
	VMULPS Y0, Y2, Y2
	VBROADCASTSS exc2<>(SB), Y3
	VADDPS Y3, Y2, Y2
	VMULPS Y0, Y2, Y2
	VBROADCASTSS exc1<>(SB), Y3
	VADDPS Y3, Y2, Y2
	VMULPS Y0, Y2, Y2
	VMULPS Y0, Y2, Y2
	VADDPS Y0, Y2, Y2
	VADDPS Y9, Y2, Y2      // p
	VCVTTPS2DQ Y1, Y1
	VPADDD Y6, Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y2, Y2      // p * 2^n
	VANDNPS Y2, Y5, Y2
	VCVTPS2PD X2, Y3
	VEXTRACTF128 $1, Y2, X2
	VCVTPS2PD X2, Y2
	VADDPD Y3, Y7, Y7
	VADDPD Y2, Y8, Y8
	ADDQ $32, SI
	SUBQ $8, CX
	JMP seloop
sedone:
	VADDPD Y8, Y7, Y7
	VEXTRACTF128 $1, Y7, X0
	VADDPD X7, X0, X0
	VHADDPD X0, X0, X0
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

F32CONST(exhi, 0x42b17217)
F32CONST(exinf, 0x7f800000)
F32CONST(exsign, 0x80000000)

// func siluMulAVX2(gate, up *float32, n int)
// gate[i] = silu(gate[i]) * up[i] for i < n (a multiple of 8), with
// silu(x) = x / (1 + expf(-x)) and expf computed exactly as expf.go does:
// n = floor(x*log2e + 0.5), the same reduction and polynomial, 2^n applied
// in two steps when n is 128, +Inf above 88.72283 and 0 below -87.33654
// (NaN stays NaN).
TEXT ·siluMulAVX2(SB), NOSPLIT, $0-24
	MOVQ gate+0(FP), DI
	MOVQ up+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS exlog2e<>(SB), Y15
	VBROADCASTSS exc1<>(SB), Y14      // 0.5
	VBROADCASTSS exln2hi<>(SB), Y13
	VBROADCASTSS exln2lo<>(SB), Y12
	VBROADCASTSS exone<>(SB), Y11
	VBROADCASTSS exsign<>(SB), Y10
	MOVL $127, AX
	VMOVD AX, X9
	VPBROADCASTD X9, Y9
slloop:
	CMPQ CX, $0
	JLE sldone
	VMOVUPS 0(DI), Y8                 // g
	VXORPS Y10, Y8, Y0                // x = -g
	VMULPS Y15, Y0, Y1
	VADDPS Y14, Y1, Y1
	VROUNDPS $1, Y1, Y1               // n = floor(x*log2e + 0.5)
	VMULPS Y13, Y1, Y2
	VSUBPS Y2, Y0, Y3
	VMULPS Y12, Y1, Y2
	VSUBPS Y2, Y3, Y3                 // r
	VBROADCASTSS exc6<>(SB), Y2
	VMULPS Y3, Y2, Y2
	VBROADCASTSS exc5<>(SB), Y4
	VADDPS Y4, Y2, Y2
	VMULPS Y3, Y2, Y2
	VBROADCASTSS exc4<>(SB), Y4
	VADDPS Y4, Y2, Y2
	VMULPS Y3, Y2, Y2
	VBROADCASTSS exc3<>(SB), Y4
	VADDPS Y4, Y2, Y2
	VMULPS Y3, Y2, Y2
	VBROADCASTSS exc2<>(SB), Y4
	VADDPS Y4, Y2, Y2
	VMULPS Y3, Y2, Y2
	VADDPS Y14, Y2, Y2                // + c1 (0.5, the same bits)
	VMULPS Y3, Y2, Y2
	VMULPS Y3, Y2, Y2
	VADDPS Y3, Y2, Y2
	VADDPS Y11, Y2, Y2                // p
	VCVTTPS2DQ Y1, Y1                 // int32(n)
	VPCMPGTD Y9, Y1, Y4               // n > 127: all ones
	VANDPS Y2, Y4, Y5
	VADDPS Y5, Y2, Y2                 // p*2 where n > 127
	VPADDD Y4, Y1, Y1                 // n-1 there
	VPADDD Y9, Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y2, Y2                 // e = p * 2^n
	VBROADCASTSS exhi<>(SB), Y4
	VCMPPS $0x1e, Y4, Y0, Y5          // x > 88.72283 (ordered): +Inf
	VBROADCASTSS exinf<>(SB), Y4
	VBLENDVPS Y5, Y4, Y2, Y2
	VBROADCASTSS exlo<>(SB), Y4
	VCMPPS $0x11, Y4, Y0, Y5          // x < -87.33654 (ordered): 0
	VANDNPS Y2, Y5, Y2
	VADDPS Y11, Y2, Y2
	VDIVPS Y2, Y8, Y8                 // g / (1 + e)
	VMULPS 0(SI), Y8, Y8
	VMOVUPS Y8, 0(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JMP slloop
sldone:
	VZEROUPPER
	RET

// The x1 kernels are the one-row kernels above with the loop over nrows
// weight rows (rowBytes apart) in assembly, out[i] for row i: at batch 1
// a matrix-vector product calls no Go per row.

// func matQ8x1AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32)
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
	MOVQ R14, SI
	MOVQ xq+24(FP), DI
	MOVQ xd+32(FP), R8
	MOVQ nb+48(FP), CX
	VXORPS X11, X11, X11
mq8loop8:
	CMPQ CX, $8
	JLT mq8loop1
	Q8BLK(0, Y0)
	Q8BLK(1, Y1)
	Q8BLK(2, Y2)
	Q8BLK(3, Y3)
	Q8BLK(4, Y4)
	Q8BLK(5, Y5)
	Q8BLK(6, Y6)
	Q8BLK(7, Y7)
	X8REDUCE
	VCVTDQ2PS Y0, Y0
	SCALE8(34)
	VMULPS Y1, Y0, Y0
	ADD8
	ADDQ $272, SI
	ADDQ $256, DI
	ADDQ $32, R8
	SUBQ $8, CX
	JMP mq8loop8
mq8loop1:
	CMPQ CX, $0
	JLE mq8done
	Q8BLK(0, Y0)
	HSUMI
	FINISH1
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, R8
	DECQ CX
	JMP mq8loop1
mq8done:
	VMOVSS X11, (DX)
	ADDQ $4, DX
	ADDQ R12, R14
	DECQ R13
	JMP q8x1row
q8x1done:
	VZEROUPPER
	RET

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
	VMULPS Y1, Y0, Y0
	ADD8
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
