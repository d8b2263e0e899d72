// Helpers shared by the AVX2 kernels (private to CKernels).
#ifndef RECKON_AVX2_COMMON_H
#define RECKON_AVX2_COMMON_H
#include <immintrin.h>
#include "polynomials.h"

/// A helper inlined into AVX2 code: compiled for AVX2 + FMA whatever the target's flags.
#define AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) static inline

// exp(hi + lo) for hi + lo in [-87, 0], lo a small correction to hi: avx512_common.h's expSum
// at 8 lanes, with 2^n built in the exponent bits (n ≥ −126, so the scale is a normal float).
AVX2_INLINE __m256 expSum8(__m256 hi, __m256 lo) {
    __m256 n = _mm256_round_ps(_mm256_mul_ps(_mm256_add_ps(hi, lo), _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), hi);
    r = _mm256_add_ps(_mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r), lo);
    __m256 p = _mm256_set1_ps(expPolynomial[0]);
    for (int i = 1; i < 6; i++) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(expPolynomial[i]));
    __m256 y = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1)));
    __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(scale));
}

#endif
