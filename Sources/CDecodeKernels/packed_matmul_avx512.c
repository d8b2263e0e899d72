// The few-row decode product with 512-bit registers. The Swift kernel (AVX2, 6 rows × 16
// outputs) needs a broadcast per row and two loads per k; here one zmm holds a strip's 16
// outputs and each FMA takes its row's input as an embedded broadcast, so 16 rows cost 17
// instructions per k instead of ~50. Compiled for AVX-512 per function, chosen at run time.
#include "CDecodeKernels.h"
#include <immintrin.h>

int reckon_has_avx512(void) { return __builtin_cpu_supports("avx512f") ? 1 : 0; }

// RB rows × one strip of 16 outputs; RB is a constant at every call, so the accumulators stay
// in registers.
__attribute__((target("avx512f"), always_inline))
static inline void block(float *out, const float *x, const float *w, __m512 b, __mmask16 mask,
                         int RB, long K, long N) {
    __m512 acc[16];
    for (int i = 0; i < RB; i++) acc[i] = b;
    for (long k = 0; k < K; k++) {
        __m512 v = _mm512_loadu_ps(w + k * 16);
        for (int i = 0; i < RB; i++) acc[i] = _mm512_fmadd_ps(v, _mm512_set1_ps(x[i * K + k]), acc[i]);
    }
    for (int i = 0; i < RB; i++) _mm512_mask_storeu_ps(out + i * N, mask, acc[i]);
}

// One row: four partial sums over k mod 4, so the FMAs are not one dependent chain.
__attribute__((target("avx512f"), always_inline))
static inline void row(float *out, const float *x, const float *w, __m512 b, __mmask16 mask, long K) {
    __m512 a0 = b, a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    long k = 0;
    for (; k + 4 <= K; k += 4) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k * 16), _mm512_set1_ps(x[k]), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + (k + 1) * 16), _mm512_set1_ps(x[k + 1]), a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + (k + 2) * 16), _mm512_set1_ps(x[k + 2]), a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + (k + 3) * 16), _mm512_set1_ps(x[k + 3]), a3);
    }
    for (; k < K; k++) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + k * 16), _mm512_set1_ps(x[k]), a0);
    _mm512_mask_storeu_ps(out, mask, _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

__attribute__((target("avx512f")))
void reckon_packed_matmul_avx512(float *out, const float *inp, const float *packed, const float *bias,
                                 long rows, long K, long N, long cBegin, long cEnd) {
    for (long c = cBegin; c < cEnd; c += 16) {
        long width = cEnd - c < 16 ? cEnd - c : 16;
        __mmask16 mask = (__mmask16)((1u << width) - 1);
        __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
        const float *w = packed + (c / 16) * K * 16;
        long r = 0;
        for (; r + 16 <= rows; r += 16) block(out + r * N + c, inp + r * K, w, b, mask, 16, K, N);
        for (; r + 8 <= rows; r += 8) block(out + r * N + c, inp + r * K, w, b, mask, 8, K, N);
        for (; r + 4 <= rows; r += 4) block(out + r * N + c, inp + r * K, w, b, mask, 4, K, N);
        for (; r < rows; r += 1) row(out + r * N + c, inp + r * K, w, b, mask, K);
    }
}
