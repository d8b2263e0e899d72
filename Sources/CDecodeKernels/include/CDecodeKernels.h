#ifndef RECKON_C_DECODE_KERNELS_H
#define RECKON_C_DECODE_KERNELS_H

/// 1 when this CPU runs AVX-512F code (checked once, at run time: the project's machines differ).
int reckon_has_avx512(void);

/// `packedMatmul`'s AVX-512 kernel: out[r, c] = bias[c] + sum_k inp[r, k] * W[c, k] for rows r in
/// [0, rows) and outputs c in [cBegin, cEnd), W strip-packed as by `packStrips` (strips of 16
/// outputs, each (K, 16) contiguous). cBegin must be a multiple of 16; bias may be NULL.
/// out: (rows, N), inp: (rows, K). Call only when reckon_has_avx512() is 1.
void reckon_packed_matmul_avx512(float *out, const float *inp, const float *packed, const float *bias,
                                 long rows, long K, long N, long cBegin, long cEnd);

#endif
