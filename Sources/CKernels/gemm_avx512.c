// Matrix products with 512-bit registers, for every product Reckon makes on AVX-512 CPUs. On
// AVX-512 CPUs that the project's OpenBLAS (0.3.21) does not know, such as AMD's Zen 5, it runs its
// Haswell (AVX2) kernels, at half the speed the CPU has; and its own AVX-512 kernels are not
// trusted there (such machines set OPENBLAS_CORETYPE=Haswell, because old builds compute wrong
// results or crash on them). This kernel is ours and is tested against double on every run of the
// tests; on Zen 5 it runs at twice OpenBLAS's speed (Benchmarks/TRAINING.md, session 40).
//
// Blocking, from the outside in: k in chunks of KC; B's chunk (KC × N) packed once into panels of
// 32 columns, each (kc, 32) contiguous and zero-padded, so a panel streams from L1 whatever B's
// layout; rows in blocks of MC, so a block's A chunk (MC × KC) stays in L2 while every panel meets
// it; and a tile of up to 12 rows × 32 columns: 24 accumulators, two panel loads per k, and one
// broadcast of A per row and k, read in place (A is never packed: a tile reads 12 short streams).
// Every output sums its k in order, one chunk after another: the same bits on every run.
#include <pthread.h>
#include <stdlib.h>
#include "CKernels.h"
#include "avx512_common.h"

enum { KC = 256, MC = 384, NR = 32, MR = 12 };

// Packing scratch, one per thread (training calls this from several Dispatch workers at once),
// grown when a call needs more and freed with its thread.
static pthread_key_t scratchKey;
static pthread_once_t scratchOnce = PTHREAD_ONCE_INIT;
typedef struct { float *data; long capacity; } Scratch;
static void freeScratch(void *p) { Scratch *s = p; free(s->data); free(s); }
static void makeScratchKey(void) { pthread_key_create(&scratchKey, freeScratch); }

static float *scratchFloats(long count) {
    pthread_once(&scratchOnce, makeScratchKey);
    Scratch *s = pthread_getspecific(scratchKey);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) abort();
        pthread_setspecific(scratchKey, s);
    }
    if (s->capacity < count) {
        free(s->data);
        s->data = 0;
        if (posix_memalign((void **)&s->data, 64, (size_t)count * sizeof(float)) != 0) abort();
        s->capacity = count;
    }
    return s->data;
}

// alpha · B's rows [0, kc) (B(k, n) = b[k * ldb + n], or b[n * ldb + k] when bTransposed), packed
// panel by panel: panel p at bp + p * kc * NR, element (k, j) at k * NR + j; columns past N are
// zero. Scaling B as it is packed makes C (+)= alpha·A·B cost nothing extra.
__attribute__((target("avx512f")))
static void packB(float *bp, const float *b, long ldb, int bTransposed, float alpha, long kc, long N) {
    __m512 scale = _mm512_set1_ps(alpha);
    for (long n0 = 0; n0 < N; n0 += NR) {
        float *panel = bp + (n0 / NR) * kc * NR;
        long w = N - n0 < NR ? N - n0 : NR;
        if (!bTransposed) {      // B's rows contiguous: two masked loads per k
            __mmask16 m0 = lanesFor(w), m1 = lanesFor(w > 16 ? w - 16 : 0);
            for (long k = 0; k < kc; k++) {
                const float *src = b + k * ldb + n0;
                _mm512_store_ps(panel + k * NR, _mm512_mul_ps(scale, _mm512_maskz_loadu_ps(m0, src)));
                _mm512_store_ps(panel + k * NR + 16, _mm512_mul_ps(scale, _mm512_maskz_loadu_ps(m1, src + 16)));
            }
        } else {                 // B = Wᵀ: W's rows are B's columns, each read in order
            for (long j = 0; j < w; j++) {
                const float *src = b + (n0 + j) * ldb;
                for (long k = 0; k < kc; k++) panel[k * NR + j] = alpha * src[k];
            }
            for (long j = w; j < NR; j++)
                for (long k = 0; k < kc; k++) panel[k * NR + j] = 0;
        }
    }
}

// RB rows × one panel: C[i, 0..<32] (masked to the panel's width) over k in [0, kc).
// A(i, k) = a[i * lda + k], or a[k * lda + i] when `aTransposed`. RB and aTransposed are constants
// at every call and the row loops unroll fully, so the 24 accumulators live in registers (left to
// the optimiser, they stayed in memory and the product ran at a third of this speed).
AVX512_INLINE void tile(float *c, long ldc, const float *a, long lda, int aTransposed, const float *panel,
                        long kc, int RB, __mmask16 m0, __mmask16 m1, int load, __m512 init0, __m512 init1) {
    __m512 acc0[MR], acc1[MR];
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < RB; i++) {
        acc0[i] = load ? _mm512_maskz_loadu_ps(m0, c + i * ldc) : init0;
        acc1[i] = load ? _mm512_maskz_loadu_ps(m1, c + i * ldc + 16) : init1;
    }
    for (long k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(panel + k * NR), b1 = _mm512_load_ps(panel + k * NR + 16);
        _Pragma("clang loop unroll(full)")
        for (int i = 0; i < RB; i++) {
            __m512 x = _mm512_set1_ps(aTransposed ? a[k * lda + i] : a[i * lda + k]);
            acc0[i] = _mm512_fmadd_ps(b0, x, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(b1, x, acc1[i]);
        }
    }
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < RB; i++) {
        _mm512_mask_storeu_ps(c + i * ldc, m0, acc0[i]);
        _mm512_mask_storeu_ps(c + i * ldc + 16, m1, acc1[i]);
    }
}

#define TILE_CASE(R, T) case R: tile(c, ldc, a, lda, T, panel, kc, R, m0, m1, load, init0, init1); break;
#define TILE_SWITCH(T) switch (rows) { TILE_CASE(1, T) TILE_CASE(2, T) TILE_CASE(3, T) TILE_CASE(4, T) \
    TILE_CASE(5, T) TILE_CASE(6, T) TILE_CASE(7, T) TILE_CASE(8, T) TILE_CASE(9, T) TILE_CASE(10, T) \
    TILE_CASE(11, T) TILE_CASE(12, T) }

__attribute__((target("avx512f")))
static void tileRows(float *c, long ldc, const float *a, long lda, int aTransposed, const float *panel, long kc,
                     int rows, __mmask16 m0, __mmask16 m1, int load, __m512 init0, __m512 init1) {
    if (aTransposed) { TILE_SWITCH(1) } else { TILE_SWITCH(0) }
}

__attribute__((target("avx512f")))
void reckon_gemm_avx512(float *c, long ldc, const float *a, long lda, int aTransposed,
                        const float *b, long ldb, int bTransposed, const float *bias, float alpha,
                        long M, long N, long K, int accumulate) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {                // an empty sum: C = bias, or zero, or unchanged
        if (!accumulate)
            for (long i = 0; i < M; i++)
                for (long n = 0; n < N; n++) c[i * ldc + n] = bias ? bias[n] : 0;
        return;
    }
    long panels = (N + NR - 1) / NR;
    float *bp = scratchFloats(panels * NR * (K < KC ? K : KC));
    for (long k0 = 0; k0 < K; k0 += KC) {
        long kc = K - k0 < KC ? K - k0 : KC;
        packB(bp, b + (bTransposed ? k0 : k0 * ldb), ldb, bTransposed, alpha, kc, N);
        int load = accumulate || k0 > 0;
        const float *ak = a + (aTransposed ? k0 * lda : k0);
        for (long i0 = 0; i0 < M; i0 += MC) {
            long mc = M - i0 < MC ? M - i0 : MC;
            for (long p = 0; p < panels; p++) {
                long n0 = p * NR, w = N - n0 < NR ? N - n0 : NR;
                __mmask16 m0 = lanesFor(w), m1 = lanesFor(w > 16 ? w - 16 : 0);
                __m512 init0 = bias && !load ? _mm512_maskz_loadu_ps(m0, bias + n0) : _mm512_setzero_ps();
                __m512 init1 = bias && !load ? _mm512_maskz_loadu_ps(m1, bias + n0 + 16) : _mm512_setzero_ps();
                const float *panel = bp + p * kc * NR;
                for (long i = i0; i < i0 + mc; i += MR) {
                    int rows = (int)(i0 + mc - i < MR ? i0 + mc - i : MR);
                    const float *ai = ak + (aTransposed ? i : i * lda);
                    tileRows(c + i * ldc + n0, ldc, ai, lda, aTransposed, panel, kc, rows, m0, m1, load, init0, init1);
                }
            }
        }
    }
}
