// Kernels of the builtin engine's llama forward pass, compiled at run time
// by NVRTC (no headers: half conversions are inline PTX). Activations are
// f32; the inputs of GEMMs ("act_t") are stored in the weights' type,
// f16 or (with -DTAO_BF16) bf16; the KV cache is f16.

typedef unsigned short u16;

__device__ __forceinline__ float h2f(u16 h) {
    float f;
    asm("{cvt.f32.f16 %0, %1;}" : "=f"(f) : "h"(h));
    return f;
}
__device__ __forceinline__ u16 f2h(float f) {
    u16 h;
    asm("{cvt.rn.f16.f32 %0, %1;}" : "=h"(h) : "f"(f));
    return h;
}
#ifdef TAO_BF16
__device__ __forceinline__ float a2f(u16 h) { return __uint_as_float(((unsigned)h) << 16); }
__device__ __forceinline__ u16 f2a(float f) {
    u16 h;
    asm("{cvt.rn.bf16.f32 %0, %1;}" : "=h"(h) : "f"(f));
    return h;
}
#else
__device__ __forceinline__ float a2f(u16 h) { return h2f(h); }
__device__ __forceinline__ u16 f2a(float f) { return f2h(f); }
#endif

// Per row of a forward pass: its sequence's KV cache (f16, laid out
// [layer][k|v][cap][kvdim]) and the row's position.
struct RowMeta {
    unsigned long long base;
    int cap;
    int pos;
};

__device__ float block_sum(float v, float* sh) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
    int w = threadIdx.x >> 5, l = threadIdx.x & 31;
    __syncthreads();
    if (l == 0) sh[w] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    if (w == 0) {
        v = l < nw ? sh[l] : 0.f;
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
        if (l == 0) sh[0] = v;
    }
    __syncthreads();
    float r = sh[0];
    __syncthreads();
    return r;
}

__device__ float block_max(float v, float* sh) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
    int w = threadIdx.x >> 5, l = threadIdx.x & 31;
    __syncthreads();
    if (l == 0) sh[w] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    if (w == 0) {
        v = l < nw ? sh[l] : -3.0e38f;
        for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
        if (l == 0) sh[0] = v;
    }
    __syncthreads();
    float r = sh[0];
    __syncthreads();
    return r;
}

// embed: x[r] = emb[tok[r]] (emb in the weights' type). One block per row.
extern "C" __global__ void embed(const u16* emb, const int* tok, float* x, int dim) {
    int r = blockIdx.x;
    const u16* e = emb + (long long)tok[r] * dim;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) x[(long long)r * dim + i] = a2f(e[i]);
}

// rmsnorm: out[r] = x[src] / rms(x[src]) * w, src = rows ? rows[r] : r.
// One block per output row.
extern "C" __global__ void rmsnorm(const float* x, const float* w, u16* out, const int* rows, int dim, float eps) {
    __shared__ float sh[32];
    int r = blockIdx.x;
    int src = rows ? rows[r] : r;
    const float* xr = x + (long long)src * dim;
    float ss = 0.f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        float v = xr[i];
        ss += v * v;
    }
    ss = block_sum(ss, sh);
    float scale = rsqrtf(ss / dim + eps);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) out[(long long)r * dim + i] = f2a(xr[i] * scale * w[i]);
}

// rope_cache rotates the q and k heads of each row of qkv (f32, rows of
// dim + 2*kvdim: q, k, v) in place by the row's position, as llama.cpp's
// NORM mode (adjacent pairs, theta = pos * scale^j by repeated float
// multiplication, as its rope cache; sincosf, not the fast intrinsics,
// whose error grows with theta), and stores k and v in the row's KV
// cache at its position. One block per row.
extern "C" __global__ void rope_cache(float* qkv, const RowMeta* meta, int layer, int heads, int kvheads, int hd,
                                      int ropeDim, float scale) {
    int r = blockIdx.x;
    RowMeta m = meta[r];
    int dim = heads * hd, kvd = kvheads * hd, ld = dim + 2 * kvd;
    float* q = qkv + (long long)r * ld;
    float* k = q + dim;
    const float* v = k + kvd;
    u16* kc = (u16*)m.base + ((long long)(2 * layer) * m.cap + m.pos) * kvd;
    u16* vc = (u16*)m.base + ((long long)(2 * layer + 1) * m.cap + m.pos) * kvd;
    int hp = hd / 2, half = ropeDim / 2;
    int npairs = (heads + kvheads) * hp;
    for (int i = threadIdx.x; i < npairs; i += blockDim.x) {
        int h = i / hp, j = i % hp;
        float* x = h < heads ? q + h * hd : k + (h - heads) * hd;
        float x0 = x[2 * j], x1 = x[2 * j + 1];
        if (j < half) {
            float theta = (float)m.pos;
            for (int t = 0; t < j; t++) theta *= scale;
            float s, c;
            sincosf(theta, &s, &c);
            float y0 = x0 * c - x1 * s, y1 = x0 * s + x1 * c;
            x0 = y0;
            x1 = y1;
            x[2 * j] = x0;
            x[2 * j + 1] = x1;
        }
        if (h >= heads) {
            int o = (h - heads) * hd + 2 * j;
            kc[o] = f2h(x0);
            kc[o + 1] = f2h(x1);
        }
    }
    for (int i = threadIdx.x; i < kvd; i += blockDim.x) vc[i] = f2h(v[i]);
}

// v4 is 16 bytes: 8 halves, loaded in one instruction.
struct alignas(16) v4 {
    unsigned x, y, z, w;
};

__device__ __forceinline__ void unpack_h(v4 v, float* f) {
    unsigned w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        f[2 * i] = h2f((u16)(w[i] & 0xffff));
        f[2 * i + 1] = h2f((u16)(w[i] >> 16));
    }
}

__device__ __forceinline__ void unpack_a(v4 v, float* f) {
    unsigned w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        f[2 * i] = a2f((u16)(w[i] & 0xffff));
        f[2 * i + 1] = a2f((u16)(w[i] >> 16));
    }
}

// attention: causal grouped-query attention of each row's query heads
// over its sequence's cache, positions [0, pos]. Grid (heads, rows), 128
// threads. A group of G lanes (hd/8 of them active, 8 dimensions each,
// one 16-byte load) handles one position at a time, so loads coalesce;
// the dynamic shared memory holds the query, pos+1 scores and the
// groups' partial sums of V. hd must be a multiple of 8, at most 256.
// out is in the weights' type (input of the output projection).
extern "C" __global__ void attention(const float* qkv, const RowMeta* meta, u16* out, int layer, int heads, int kvheads,
                                     int hd, float scale) {
    extern __shared__ float sm[];
    __shared__ float red[32];
    int h = blockIdx.x, r = blockIdx.y;
    RowMeta m = meta[r];
    int dim = heads * hd, kvd = kvheads * hd, ld = dim + 2 * kvd;
    int kvh = h / (heads / kvheads);
    const float* q = qkv + (long long)r * ld + h * hd;
    int n = m.pos + 1;
    int lanes = hd / 8, G = 1;
    while (G < lanes) G <<= 1;
    int ngroups = blockDim.x / G;
    int g = threadIdx.x / G, li = threadIdx.x % G;
    bool active = li < lanes;
    float* qs = sm;
    float* sc = sm + hd;
    float* part = sc + n;
    for (int i = threadIdx.x; i < hd; i += blockDim.x) qs[i] = q[i];
    __syncthreads();
    const u16* kc = (const u16*)m.base + (long long)(2 * layer) * m.cap * kvd + kvh * hd;
    const u16* vc = (const u16*)m.base + (long long)(2 * layer + 1) * m.cap * kvd + kvh * hd;
    float qv[8];
#pragma unroll
    for (int i = 0; i < 8; i++) qv[i] = active ? qs[li * 8 + i] : 0.f;
    float mx = -3.0e38f;
    // Every thread runs the same number of iterations: the shuffles need
    // the whole warp.
    for (int t0 = 0; t0 < n; t0 += ngroups) {
        int t = t0 + g;
        float s = 0.f;
        if (active && t < n) {
            float f[8];
            unpack_h(*(const v4*)(kc + (long long)t * kvd + li * 8), f);
#pragma unroll
            for (int i = 0; i < 8; i++) s += qv[i] * f[i];
        }
        for (int o = G / 2; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffff, s, o);
        if (li == 0 && t < n) {
            s *= scale;
            sc[t] = s;
            mx = fmaxf(mx, s);
        }
    }
    mx = block_max(mx, red);
    float sum = 0.f;
    for (int t = threadIdx.x; t < n; t += blockDim.x) {
        float e = expf(sc[t] - mx);
        sc[t] = e;
        sum += e;
    }
    sum = block_sum(sum, red);
    float inv = 1.f / sum;
    float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    if (active) {
        for (int t = g; t < n; t += ngroups) {
            float f[8];
            unpack_h(*(const v4*)(vc + (long long)t * kvd + li * 8), f);
            float p = sc[t];
#pragma unroll
            for (int i = 0; i < 8; i++) acc[i] += p * f[i];
        }
#pragma unroll
        for (int i = 0; i < 8; i++) part[g * hd + li * 8 + i] = acc[i];
    }
    __syncthreads();
    for (int d = threadIdx.x; d < hd; d += blockDim.x) {
        float a = 0.f;
        for (int j = 0; j < ngroups; j++) a += part[j * hd + d];
        out[(long long)r * dim + h * hd + d] = f2a(a * inv);
    }
}

// gemv: y[t][r] = (y[t][r] if acc) + W[r]·x[t] for t < T <= 8: the
// matrix products of small batches, where reading W once at full
// bandwidth is all that matters (in principle: on an H200 cuBLAS was
// faster, so it is off by default). W is n rows of k (k a multiple of 8), x
// T rows of k, both of the weights' type; y f32 with row stride ldy. One
// warp per row of W, 16-byte loads.
extern "C" __global__ void gemv(const u16* W, const u16* x, float* y, int n, int k, int T, int ldy, int acc) {
    int lane = threadIdx.x & 31;
    int r = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (r >= n) return;
    const u16* w = W + (long long)r * k;
    float s[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
#pragma unroll 4
    for (int i = lane * 8; i < k; i += 256) {
        float wf[8];
        unpack_a(*(const v4*)(w + i), wf);
#pragma unroll
        for (int t = 0; t < 8; t++) {
            if (t < T) {
                float xf[8];
                unpack_a(*(const v4*)(x + (long long)t * k + i), xf);
#pragma unroll
                for (int j = 0; j < 8; j++) s[t] += wf[j] * xf[j];
            }
        }
    }
#pragma unroll
    for (int t = 0; t < 8; t++) {
        if (t < T) {
            float v = s[t];
            for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
            if (lane == 0) {
                float* d = y + (long long)t * ldy + r;
                *d = acc ? *d + v : v;
            }
        }
    }
}

// silu_mul: out[r][c] = silu(gu[r][c]) * gu[r][ffn + c], gu rows of 2*ffn
// (gate then up).
extern "C" __global__ void silu_mul(const float* gu, u16* out, int ffn, int total) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) return;
    long long r = i / ffn, c = i % ffn;
    float g = gu[r * 2 * ffn + c], u = gu[r * 2 * ffn + ffn + c];
    out[i] = f2a(g / (1.f + expf(-g)) * u);
}

// argmax: out[r] = the index of the largest of row r's n values (the first
// on ties). One block per row.
extern "C" __global__ void argmax(const float* x, int n, int* out) {
    __shared__ float bv[1024];
    __shared__ int bi[1024];
    const float* xr = x + (long long)blockIdx.x * n;
    float best = -3.4e38f;
    int idx = 0x7fffffff;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float v = xr[i];
        if (v > best) {
            best = v;
            idx = i;
        }
    }
    bv[threadIdx.x] = best;
    bi[threadIdx.x] = idx;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            float v = bv[threadIdx.x + s];
            int j = bi[threadIdx.x + s];
            if (v > bv[threadIdx.x] || (v == bv[threadIdx.x] && j < bi[threadIdx.x])) {
                bv[threadIdx.x] = v;
                bi[threadIdx.x] = j;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = bi[0];
}

// to_half converts n f32 values to the weights' type (tests and uploads).
extern "C" __global__ void to_act(const float* x, u16* out, long long n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = f2a(x[i]);
}

// greedy: for each row of n logits, the index of the largest (the first on
// ties) and its log-softmax, -log(sum(exp(x - max))). One block of 1024
// per row; out holds (int id, float logprob) pairs.
extern "C" __global__ void greedy(const float* x, int n, int* out) {
    __shared__ float bv[1024];
    __shared__ int bi[1024];
    __shared__ float red[32];
    const float* xr = x + (long long)blockIdx.x * n;
    float best = -3.4e38f;
    int idx = 0x7fffffff;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float v = xr[i];
        if (v > best) {
            best = v;
            idx = i;
        }
    }
    bv[threadIdx.x] = best;
    bi[threadIdx.x] = idx;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            float v = bv[threadIdx.x + s];
            int j = bi[threadIdx.x + s];
            if (v > bv[threadIdx.x] || (v == bv[threadIdx.x] && j < bi[threadIdx.x])) {
                bv[threadIdx.x] = v;
                bi[threadIdx.x] = j;
            }
        }
        __syncthreads();
    }
    float mx = bv[0];
    float sum = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) sum += expf(xr[i] - mx);
    sum = block_sum(sum, red);
    if (threadIdx.x == 0) {
        out[2 * blockIdx.x] = bi[0];
        out[2 * blockIdx.x + 1] = __float_as_int(-logf(sum));
    }
}
