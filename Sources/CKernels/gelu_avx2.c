// Exact (erf) GELU with 256-bit registers: gelu_avx512.c's formulas at 8 lanes, for AVX2 CPUs.
#include <string.h>
#include "CKernels.h"
#include "avx2_common.h"

AVX2_INLINE __m256 clampGELU8(__m256 x) {
    return _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-13)), _mm256_set1_ps(13));
}

// -x²/2 as hi + lo, exact (FMA recovers the rounding error of x·x).
AVX2_INLINE void minusHalfSquare8(__m256 x, __m256 *hi, __m256 *lo) {
    __m256 sq = _mm256_mul_ps(x, x);
    *hi = _mm256_mul_ps(sq, _mm256_set1_ps(-0.5f));
    *lo = _mm256_mul_ps(_mm256_fmsub_ps(x, x, sq), _mm256_set1_ps(-0.5f));
}

// Φ(x) = ½·erfc(−x/√2) for clamped x, as in gelu_avx512.c.
AVX2_INLINE __m256 normalCDF8(__m256 x) {
    __m256 z = _mm256_mul_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(0.70710678118654752f));
    __m256 d = _mm256_fmadd_ps(z, _mm256_set1_ps(0.5f), _mm256_set1_ps(1));
    __m256 t = _mm256_rcp_ps(d);
    t = _mm256_mul_ps(t, _mm256_fnmadd_ps(d, t, _mm256_set1_ps(2)));   // Newton: 12 → ~23 bits
    __m256 p = _mm256_set1_ps(erfcPolynomial[0]);
    for (int i = 1; i < 10; i++) p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(erfcPolynomial[i]));
    __m256 hi, lo;
    minusHalfSquare8(x, &hi, &lo);
    __m256 half = _mm256_mul_ps(_mm256_mul_ps(t, expSum8(hi, _mm256_add_ps(lo, p))), _mm256_set1_ps(0.5f));
    __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    return _mm256_blendv_ps(half, _mm256_sub_ps(_mm256_set1_ps(1), half), positive);
}

// One element group of each pass: gelu(x), and dout·gelu'(x) with Φ(x) recovered as out/x (½ at 0).
AVX2_INLINE __m256 geluForward8(__m256 x) { return _mm256_mul_ps(x, normalCDF8(clampGELU8(x))); }

AVX2_INLINE __m256 geluBackward8(__m256 x, __m256 out, __m256 dout) {
    __m256 zero = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ);
    __m256 cdf = _mm256_blendv_ps(_mm256_div_ps(out, x), _mm256_set1_ps(0.5f), zero);
    __m256 xc = clampGELU8(x), hi, lo;
    minusHalfSquare8(xc, &hi, &lo);
    __m256 pdf = _mm256_mul_ps(expSum8(hi, lo), _mm256_set1_ps(0.39894228040143268f));
    return _mm256_mul_ps(dout, _mm256_fmadd_ps(xc, pdf, cdf));
}

// The last n mod 8 elements go through the same code from a zero-padded copy: one formula for
// every element, and no masked store (microcoded on AMD's Zen cores).
__attribute__((target("avx2,fma")))
void reckon_gelu_forward_avx2(float *out, const float *inp, long n) {
    long full = n & ~7L, left = n - full;
    for (long i = 0; i < full; i += 8) _mm256_storeu_ps(out + i, geluForward8(_mm256_loadu_ps(inp + i)));
    if (left == 0) return;
    float x[8] = {0};
    memcpy(x, inp + full, left * sizeof(float));
    _mm256_storeu_ps(x, geluForward8(_mm256_loadu_ps(x)));
    memcpy(out + full, x, left * sizeof(float));
}

__attribute__((target("avx2,fma")))
void reckon_gelu_backward_avx2(float *dinp, const float *inp, const float *out, const float *dout, long n) {
    long full = n & ~7L, left = n - full;
    for (long i = 0; i < full; i += 8)
        _mm256_storeu_ps(dinp + i, geluBackward8(_mm256_loadu_ps(inp + i), _mm256_loadu_ps(out + i), _mm256_loadu_ps(dout + i)));
    if (left == 0) return;
    float x[8] = {0}, y[8] = {0}, d[8] = {0};
    memcpy(x, inp + full, left * sizeof(float));
    memcpy(y, out + full, left * sizeof(float));
    memcpy(d, dout + full, left * sizeof(float));
    _mm256_storeu_ps(d, geluBackward8(_mm256_loadu_ps(x), _mm256_loadu_ps(y), _mm256_loadu_ps(d)));
    memcpy(dinp + full, d, left * sizeof(float));
}
