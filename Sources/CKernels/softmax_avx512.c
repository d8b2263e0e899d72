// Attention's row softmax with 512-bit registers. Swift's kernels (Attention.swift) take the
// row maximum with a scalar loop (a SIMD8 `pointwiseMax` compiled to slower code) and exp 8
// lanes at a time; here `vmaxps` and 16-lane exps with masked tails. At the shipped model's
// shape the softmax was 40% of attention's forward.
#include <math.h>
#include "CKernels.h"
#include "avx512_common.h"

// exp(x) for x ≤ 0, clamped to expSum's range: below −87.3 the result is under FLT_MIN anyway.
AVX512_INLINE __m512 expNonPositive(__m512 x) {
    return expSum(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_setzero_ps());
}

__attribute__((target("avx512f")))
float reckon_causal_softmax_row_avx512(float *row, long n, long width) {
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (long j = 0; j < n; j += 16)
        mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), lanesFor(n - j), row + j));
    float m = _mm512_reduce_max_ps(mx);
    __m512 mv = _mm512_set1_ps(m), sum = _mm512_setzero_ps();
    for (long j = 0; j < n; j += 16) {
        __mmask16 k = lanesFor(n - j);
        __m512 e = expNonPositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, row + j), mv));
        _mm512_mask_storeu_ps(row + j, k, e);
        sum = _mm512_mask_add_ps(sum, k, sum, e);
    }
    float s = _mm512_reduce_add_ps(sum);
    __m512 inv = _mm512_set1_ps(1 / s);
    for (long j = 0; j < n; j += 16) {
        __mmask16 k = lanesFor(n - j);
        _mm512_mask_storeu_ps(row + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, row + j), inv));
    }
    for (long j = n; j < width; j++) row[j] = 0;
    return m + logf(s);
}

__attribute__((target("avx512f")))
float reckon_exp_shifted_dot_avx512(float *x, float shift, const float *y, long n) {
    __m512 sv = _mm512_set1_ps(shift), acc = _mm512_setzero_ps();
    for (long i = 0; i < n; i += 16) {
        __mmask16 k = lanesFor(n - i);
        __m512 e = expNonPositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), sv));
        _mm512_mask_storeu_ps(x + i, k, e);
        acc = _mm512_mask3_fmadd_ps(e, _mm512_maskz_loadu_ps(k, y + i), acc, k);
    }
    return _mm512_reduce_add_ps(acc);
}
