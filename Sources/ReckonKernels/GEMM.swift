import CKernels
import COpenBLAS

// Row-major GEMM wrappers in llm.c's convention: a linear layer's weight is (OC, C),
// activations are (rows, C), so the forward product is inp · weightᵀ. On AVX-512 CPUs every
// product runs on CKernels' own 512-bit kernel (`gemm_avx512.c` says why), elsewhere on OpenBLAS.

/// Number of threads OpenBLAS uses for each call.
///
/// Set it to 1 whenever the caller parallelises with Dispatch: OpenBLAS's own pthreads
/// and Dispatch workers otherwise oversubscribe the cores and both slow down.
public enum BLASThreads {
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var current: Int { Int(openblas_get_num_threads()) }
}

/// C = alpha · op(A) · op(B) + beta · C, row-major, with `cblas_sgemm`'s arguments.
///
/// - Parameters: `m`, `n`, `k` are the dimensions of op(A) (m×k), op(B) (k×n), C (m×n);
///   `lda`, `ldb`, `ldc` are row strides in elements. `avx512` picks CKernels' kernel (AVX-512
///   CPUs only; it takes beta 0 or 1, the only ones Reckon uses) over OpenBLAS.
@inline(__always)
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, avx512: Bool = cpuHasAVX512) {
    if avx512 && (beta == 0 || beta == 1) {
        reckon_gemm_avx512(c, ldc, a, lda, transA ? 1 : 0, b, ldb, transB ? 1 : 0, nil, alpha, m, n, k, beta == 1 ? 1 : 0)
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Linear layer forward. `avx512` as in `sgemm`.
///
///     out: (rows, outF) = inp: (rows, inF) · weight: (outF, inF)ᵀ + bias: (outF)
public func matmulForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          rows: Int, inFeatures: Int, outFeatures: Int, avx512: Bool = cpuHasAVX512) {
    if avx512 {
        // The kernel starts its sums from the bias: no pass to seed C with it.
        reckon_gemm_avx512(out, outFeatures, inp, inFeatures, 0, weight, inFeatures, 1, bias, 1,
                           rows, outFeatures, inFeatures, 0)
        return
    }
    var beta: Float = 0
    if let bias {
        // Seed C with the bias rows and let the GEMM accumulate onto it: one pass instead of two.
        for r in 0..<rows { (out + r * outFeatures).update(from: bias, count: outFeatures) }
        beta = 1
    }
    sgemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures,
          alpha: 1, a: inp, lda: inFeatures, b: weight, ldb: inFeatures, beta: beta, c: out, ldc: outFeatures,
          avx512: false)
}

/// Linear layer backward.
///
///     dinp: (rows, inF)   = dout · weight        (overwritten, or added to if `accumulateInput`)
///     dweight: (outF, inF) += doutᵀ · inp
///     dbias: (outF)       += Σ_rows dout
/// `dinp` may be nil when the input needs no gradient. `avx512` as in `sgemm`.
public func matmulBackward(dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
                           dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                           inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           rows: Int, inFeatures: Int, outFeatures: Int, accumulateInput: Bool = false,
                           avx512: Bool = cpuHasAVX512) {
    if let dinp {
        sgemm(transA: false, transB: false, m: rows, n: inFeatures, k: outFeatures,
              alpha: 1, a: dout, lda: outFeatures, b: weight, ldb: inFeatures,
              beta: accumulateInput ? 1 : 0, c: dinp, ldc: inFeatures, avx512: avx512)
    }
    sgemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: rows,
          alpha: 1, a: dout, lda: outFeatures, b: inp, ldb: inFeatures, beta: 1, c: dweight, ldc: inFeatures,
          avx512: avx512)
    if let dbias { columnSumAccumulate(dbias, dout, rows: rows, cols: outFeatures) }
}

/// acc: (cols) += Σ_r x[r, :]   for x: (rows, cols). Fixed summation order (row by row).
public func columnSumAccumulate(_ acc: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, cols: Int) {
    // Inner loop over columns has no cross-lane reduction, so it vectorises as written.
    for r in 0..<rows {
        let row = x + r * cols
        var j = 0
        while j + 16 <= cols {
            let v = loadV16(acc + j) + loadV16(row + j)
            storeV16(v, acc + j)
            j += 16
        }
        while j < cols { acc[j] += row[j]; j += 1 }
    }
}
