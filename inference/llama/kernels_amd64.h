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
