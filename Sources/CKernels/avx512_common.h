// Helpers shared by the AVX-512 kernels (private to CKernels).
#ifndef RECKON_AVX512_COMMON_H
#define RECKON_AVX512_COMMON_H
#include <immintrin.h>

/// A helper inlined into AVX-512 code: compiled for AVX-512F whatever the target's flags.
#define AVX512_INLINE __attribute__((target("avx512f"), always_inline)) static inline

/// Lanes of a 16-float vector that hold data when `left` elements remain (all 16 from 16 on).
AVX512_INLINE __mmask16 lanesFor(long left) {
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

#endif
