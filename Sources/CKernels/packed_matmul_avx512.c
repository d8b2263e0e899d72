// The few-row decode product with 512-bit registers. The Swift kernel (AVX2, 6 rows × 16
// outputs) needs a broadcast per row and two loads per k; here one zmm holds a strip's 16
// outputs and each FMA takes its row's input as an embedded broadcast, so 16 rows cost 17
// instructions per k instead of ~50. Compiled for AVX-512 per function, chosen at run time.
#include "CKernels.h"
#include "avx512_common.h"

// For K > KCHUNK a row block's inputs are first copied transposed, one k per cache line (xt[k][i]):
// read in place, 16 rows whose stride is a multiple of 4 KiB (K = 1024, an MLP's second product)
// all fall in one L1 set and evict each other on every k, which ran that product at half the
// speed of the others. k is then taken in chunks of KCHUNK, so the copy (16 KiB) stays in L1.
// For K <= KCHUNK the rows are read in place (the copy would cost more than it saves).
enum { KCHUNK = 256 };

// Each k reads one cache line of weights, and a decode step's weights (19 MB for the small model,
// 38 for the shipped one) come from L3 or memory faster than the hardware prefetcher brings them:
// a whole step ran at 73 GFLOP/s on a 116 GFLOP/s core while each product alone, its weights
// warm, ran at 115. Asking for the line 48 k ahead (3 KiB) gives 108 (KernelBench packed).
enum { PREFETCH_K = 48 };

// RB rows × one strip of 16 outputs over k in [0, KC): input (i, k) is x[i * ldx + k], or
// x[k * RB + i] when `transposed`. The accumulators start from `init` (the bias) or, for later
// chunks, from what the previous chunk stored. RB and `transposed` are constants at every call,
// so the accumulators stay in registers and the addressing is resolved at compile time.
AVX512_INLINE void block(float *out, const float *x, long ldx, int transposed, const float *w, __m512 init,
                         int accumulate, __mmask16 mask, int RB, long KC, long N) {
    __m512 acc[16];
    for (int i = 0; i < RB; i++) acc[i] = accumulate ? _mm512_maskz_loadu_ps(mask, out + i * N) : init;
    for (long k = 0; k < KC; k++) {
        __m512 v = _mm512_loadu_ps(w + k * 16);
        _mm_prefetch((const char *)(w + (k + PREFETCH_K) * 16), _MM_HINT_T0);
        for (int i = 0; i < RB; i++)
            acc[i] = _mm512_fmadd_ps(v, _mm512_set1_ps(transposed ? x[k * RB + i] : x[i * ldx + k]), acc[i]);
    }
    for (int i = 0; i < RB; i++) _mm512_mask_storeu_ps(out + i * N, mask, acc[i]);
}

// One row: four partial sums over k mod 4, so the FMAs are not one dependent chain.
AVX512_INLINE void row(float *out, const float *x, const float *w, __m512 init, int accumulate,
                       __mmask16 mask, long KC) {
    __m512 a0 = accumulate ? _mm512_maskz_loadu_ps(mask, out) : init;
    __m512 a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    long k = 0;
    for (; k + 4 <= KC; k += 4) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k * 16), _mm512_set1_ps(x[k]), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + (k + 1) * 16), _mm512_set1_ps(x[k + 1]), a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + (k + 2) * 16), _mm512_set1_ps(x[k + 2]), a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + (k + 3) * 16), _mm512_set1_ps(x[k + 3]), a3);
    }
    for (; k < KC; k++) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k * 16), _mm512_set1_ps(x[k]), a0);
    _mm512_mask_storeu_ps(out, mask, _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

// Rows [0, RB) (RB a constant at each call) × outputs [cBegin, cEnd) × k in [k0, k0 + KC):
// x is the block's first input row; xt is scratch for the transposed copy, or NULL to read in place
// (always for a single row, whose inputs are contiguous).
AVX512_INLINE void rowBlock(float *out, const float *x, const float *packed, const float *bias, float *xt,
                            int RB, long k0, long KC, long K, long N, long cBegin, long cEnd) {
    if (xt)
        for (long k = 0; k < KC; k++)
            for (int i = 0; i < RB; i++) xt[k * RB + i] = x[i * K + k0 + k];
    for (long c = cBegin; c < cEnd; c += 16) {
        __mmask16 mask = lanesFor(cEnd - c);
        __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        const float *w = packed + (c / 16) * K * 16 + k0 * 16;
        if (RB == 1) row(out + c, x + k0, w, b, k0 > 0, mask, KC);
        else if (xt) block(out + c, xt, 0, 1, w, b, k0 > 0, mask, RB, KC, N);
        else block(out + c, x + k0, K, 0, w, b, k0 > 0, mask, RB, KC, N);
    }
}

__attribute__((target("avx512f")))
void reckon_packed_matmul_avx512(float *out, const float *inp, const float *packed, const float *bias,
                                 long rows, long K, long N, long cBegin, long cEnd) {
    float scratch[KCHUNK * 16];
    float *xt = K > KCHUNK ? scratch : 0;
    for (long k0 = 0; k0 < K; k0 += KCHUNK) {
        long kc = K - k0 < KCHUNK ? K - k0 : KCHUNK;
        long r = 0;
        for (; r + 16 <= rows; r += 16) rowBlock(out + r * N, inp + r * K, packed, bias, xt, 16, k0, kc, K, N, cBegin, cEnd);
        for (; r + 8 <= rows; r += 8) rowBlock(out + r * N, inp + r * K, packed, bias, xt, 8, k0, kc, K, N, cBegin, cEnd);
        for (; r + 4 <= rows; r += 4) rowBlock(out + r * N, inp + r * K, packed, bias, xt, 4, k0, kc, K, N, cBegin, cEnd);
        for (; r < rows; r++) rowBlock(out + r * N, inp + r * K, packed, bias, 0, 1, k0, kc, K, N, cBegin, cEnd);
    }
}
