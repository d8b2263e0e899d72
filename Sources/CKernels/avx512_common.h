// Helpers shared by the AVX-512 kernels (private to CKernels).
#ifndef RECKON_AVX512_COMMON_H
#define RECKON_AVX512_COMMON_H
#include <immintrin.h>
#include "polynomials.h"

/// A helper inlined into AVX-512 code: compiled for AVX-512F whatever the target's flags.
#define AVX512_INLINE __attribute__((target("avx512f"), always_inline)) static inline

/// Lanes of a 16-float vector that hold data when `left` elements remain (all 16 from 16 on).
AVX512_INLINE __mmask16 lanesFor(long left) {
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

// exp(hi + lo) for hi + lo in [-87, 0], lo a small correction to hi (Cephes: n = round(x/ln2),
// r = x - n·ln2 in two parts, degree-6 polynomial, result scaled by 2^n).
AVX512_INLINE __m512 expSum(__m512 hi, __m512 lo) {
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_add_ps(hi, lo), _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), hi);
    r = _mm512_add_ps(_mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r), lo);
    __m512 p = _mm512_set1_ps(expPolynomial[0]);
    for (int i = 1; i < 6; i++) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(expPolynomial[i]));
    __m512 y = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1)));
    return _mm512_scalef_ps(y, n);
}

#endif
