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
// n must be a multiple of 32.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
f32loop:
	CMPQ CX, $0
	JLE f32done
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

// func dotQ8AVX2(w *byte, xq *int8, xd *float32, nb int) float32
// w: nb Q8_0 blocks (34 bytes: f16 scale, 32 int8); xq: nb*32 int8
// activations; xd: nb activation scales.
TEXT ·dotQ8AVX2(SB), NOSPLIT, $0-36
	MOVQ w+0(FP), SI
	MOVQ xq+8(FP), DI
	MOVQ xd+16(FP), R8
	MOVQ nb+24(FP), CX
	VXORPS Y7, Y7, Y7
	VPCMPEQW Y5, Y5, Y5
	VPSRLW $15, Y5, Y5 // 16-bit ones
q8loop:
	CMPQ CX, $0
	JLE q8done
	VMOVDQU 2(SI), Y0  // weights
	VMOVDQU 0(DI), Y1  // activations
	VPSIGNB Y0, Y0, Y2 // |w|
	VPSIGNB Y0, Y1, Y3 // x * sign(w)
	VPMADDUBSW Y3, Y2, Y4
	VPMADDWD Y5, Y4, Y4
	VCVTDQ2PS Y4, Y4
	MOVWLZX 0(SI), AX
	VMOVD AX, X6
	VCVTPH2PS X6, X6
	VMULSS 0(R8), X6, X6
	VBROADCASTSS X6, Y6
	VFMADD231PS Y6, Y4, Y7
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, R8
	DECQ CX
	JMP q8loop
q8done:
	VEXTRACTF128 $1, Y7, X0
	VADDPS X7, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+32(FP)
	RET

// func dotQ4AVX2(w *byte, xq *int8, xd *float32, nb int) float32
// w: nb Q4_0 blocks (18 bytes: f16 scale, 16 bytes of nibbles; low
// nibbles are elements 0-15, high nibbles 16-31, offset by 8).
TEXT ·dotQ4AVX2(SB), NOSPLIT, $0-36
	MOVQ w+0(FP), SI
	MOVQ xq+8(FP), DI
	MOVQ xd+16(FP), R8
	MOVQ nb+24(FP), CX
	VXORPS Y7, Y7, Y7
	VPCMPEQW Y5, Y5, Y5
	VPSRLW $15, Y5, Y5
	MOVL $0x0F0F0F0F, AX
	VMOVD AX, X8
	VPBROADCASTD X8, Y8
	MOVL $0x08080808, AX
	VMOVD AX, X9
	VPBROADCASTD X9, Y9
q4loop:
	CMPQ CX, $0
	JLE q4done
	VMOVDQU 2(SI), X0
	VPSRLW $4, X0, X1
	VINSERTI128 $1, X1, Y0, Y0
	VPAND Y8, Y0, Y0
	VPSUBB Y9, Y0, Y0
	VMOVDQU 0(DI), Y1
	VPSIGNB Y0, Y0, Y2
	VPSIGNB Y0, Y1, Y3
	VPMADDUBSW Y3, Y2, Y4
	VPMADDWD Y5, Y4, Y4
	VCVTDQ2PS Y4, Y4
	MOVWLZX 0(SI), AX
	VMOVD AX, X6
	VCVTPH2PS X6, X6
	VMULSS 0(R8), X6, X6
	VBROADCASTSS X6, Y6
	VFMADD231PS Y6, Y4, Y7
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, R8
	DECQ CX
	JMP q4loop
q4done:
	VEXTRACTF128 $1, Y7, X0
	VADDPS X7, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+32(FP)
	RET
