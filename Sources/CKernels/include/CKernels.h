#ifndef RECKON_C_KERNELS_H
#define RECKON_C_KERNELS_H

/// 1 when this CPU runs AVX-512F code (checked once, at run time: the project's machines differ).
int reckon_has_avx512(void);

/// `packedMatmul`'s AVX-512 kernel: out[r, c] = bias[c] + sum_k inp[r, k] * W[c, k] for rows r in
/// [0, rows) and outputs c in [cBegin, cEnd), W strip-packed as by `packStrips` (strips of 16
/// outputs, each (K, 16) contiguous). cBegin must be a multiple of 16; bias may be NULL.
/// out: (rows, N), inp: (rows, K). Call only when reckon_has_avx512() is 1.
void reckon_packed_matmul_avx512(float *out, const float *inp, const float *packed, const float *bias,
                                 long rows, long K, long N, long cBegin, long cEnd);

/// A matrix product, single-threaded: C = alpha·A·B + bias, or C += alpha·A·B when `accumulate`
/// (then bias must be NULL). C is (M, N) with row stride ldc; A is (M, K): a[i * lda + k], or
/// a[k * lda + i] when aTransposed; B is (K, N): b[k * ldb + n], or b[n * ldb + k] when
/// bTransposed; bias is N floats or NULL. Each output sums its k in order: the same bits on every
/// run. Call only when reckon_has_avx512() is 1.
void reckon_gemm_avx512(float *c, long ldc, const float *a, long lda, int aTransposed,
                        const float *b, long ldb, int bTransposed, const float *bias, float alpha,
                        long M, long N, long K, int accumulate);

/// GELU forward, exact erf form: out[i] = x·Φ(x) for x = inp[i], i in [0, n); out may alias inp.
/// Relative error below 1e-6 for |x| ≤ 10. Call only when reckon_has_avx512() is 1.
void reckon_gelu_forward_avx512(float *out, const float *inp, long n);

/// GELU backward: dinp[i] = dout[i]·(Φ(x) + x·φ(x)) for x = inp[i], with Φ(x) recovered as out[i]/x
/// (out the forward result). dinp may alias dout. Call only when reckon_has_avx512() is 1.
void reckon_gelu_backward_avx512(float *dinp, const float *inp, const float *out, const float *dout, long n);

/// The two GELU kernels above for AVX2 + FMA CPUs, same contracts. Call only when the CPU has
/// AVX2 and FMA (every project machine: the engine targets are built for them).
void reckon_gelu_forward_avx2(float *out, const float *inp, long n);
void reckon_gelu_backward_avx2(float *dinp, const float *inp, const float *out, const float *dout, long n);

/// Attention's causal softmax of one row: row[j] = exp(row[j] − m) / Σ for j < n (m the row's
/// maximum), row[j] = 0 for n ≤ j < width; returns the log-sum-exp, m + log Σ. n ≥ 1.
/// Call only when reckon_has_avx512() is 1.
float reckon_causal_softmax_row_avx512(float *row, long n, long width);

/// x[i] = exp(x[i] − shift) for i < n, in place, for x[i] ≤ shift (a row's log-sum-exp); returns
/// Σ x[i]·y[i] over the new x. Call only when reckon_has_avx512() is 1.
float reckon_exp_shifted_dot_avx512(float *x, float shift, const float *y, long n);

/// Asks the CPU to start loading [p, p + bytes) into cache (a hint: no effect on results).
void reckon_prefetch(const void *p, long bytes);

/// Asks the CPU to load the cache line holding p into L1 (a hint: no effect on results). Inline,
/// so a Swift loop pays one instruction for it, not a call.
static inline void reckon_prefetch_line(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
