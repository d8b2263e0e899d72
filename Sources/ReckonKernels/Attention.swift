import CKernels
import Foundation

// Causal multi-head self-attention for one sequence, all heads, on the calling thread.
// Q, K, V are read in place from the fused qkv activation through GEMM leading dimensions,
// so no per-head copies are made. Callers parallelise across sequences.
//
// The (H, T, T) attention probabilities are never stored: the forward keeps each row's
// log-sum-exp, and the backward rebuilds a block of probabilities from it (FlashAttention's
// recomputation, arXiv 2205.14135). Memory per sequence falls from H·T² floats to H·T, which
// at T = 1536 is what lets long chains train at all, and the blocks stay in L2.

/// Query rows are processed in blocks of this many; block b only meets keys 0 ..< end of b,
/// so the GEMMs skip most of the masked upper triangle (62% of the full T×T work at T = 256).
public let attentionBlockSize = 64

/// Floats of scratch `attentionForward` and `attentionBackward` need for `T` tokens.
public func attentionScratchCount(tokens T: Int, blockSize: Int = attentionBlockSize) -> Int {
    2 * min(blockSize, T) * T
}

/// Forward.
///
///     qkv: (T, 3C) = [q | k | v], head h uses columns h·hd ..< (h+1)·hd of each part
///     out: (T, C)  heads concatenated
///     lse: (H, T)  log Σ_{j ≤ i} exp(s_ij) of row i's scaled scores s = q·kᵀ/√hd, which is all
///                  the backward needs to rebuild the probabilities
///     scratch: attentionScratchCount(tokens: T) floats
public func attentionForward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                             scratch: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
                             tokens T: Int, channels C: Int, heads H: Int, blockSize: Int = attentionBlockSize) {
    let hd = C / H
    let scale = 1 / Float(hd).squareRoot()
    for h in 0..<H {
        let q = qkv + h * hd, k = qkv + C + h * hd, v = qkv + 2 * C + h * hd
        var r0 = 0
        while r0 < T {
            let r1 = min(T, r0 + blockSize), rows = r1 - r0
            // p: (rows, r1) = scale · q[r0..<r1] · k[0..<r1]ᵀ, then a causal softmax row by row
            let p = scratch
            sgemm(transA: false, transB: true, m: rows, n: r1, k: hd, alpha: scale,
                  a: q + r0 * 3 * C, lda: 3 * C, b: k, ldb: 3 * C, beta: 0, c: p, ldc: r1)
            for i in r0..<r1 { lse[h * T + i] = causalSoftmaxRow(p + (i - r0) * r1, valid: i + 1, width: r1) }
            // out_h[r0..<r1] = p · v[0..<r1]
            sgemm(transA: false, transB: false, m: rows, n: hd, k: r1, alpha: 1,
                  a: p, lda: r1, b: v, ldb: 3 * C, beta: 0, c: out + r0 * C + h * hd, ldc: C)
            r0 = r1
        }
    }
}

/// Backward.
///
///     dout: (T, C) gradient of the attention output;  dqkv: (T, 3C) overwritten
///     qkv, lse: as given to and left by the forward;  scratch: attentionScratchCount(tokens: T)
///     blockSize must match the forward pass
public func attentionBackward(dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                              dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>, lse: UnsafePointer<Float>,
                              tokens T: Int, channels C: Int, heads H: Int, blockSize: Int = attentionBlockSize) {
    let hd = C / H
    let scale = 1 / Float(hd).squareRoot()
    for h in 0..<H {
        let q = qkv + h * hd, k = qkv + C + h * hd, v = qkv + 2 * C + h * hd, dy = dout + h * hd
        let dq = dqkv + h * hd, dk = dqkv + C + h * hd, dv = dqkv + 2 * C + h * hd
        // Query blocks last to first: the last meets every key, so it sets dk and dv (β = 0) and
        // the earlier ones add to them, with no pass to zero them first.
        let blocks = (T + blockSize - 1) / blockSize
        for block in stride(from: blocks - 1, through: 0, by: -1) {
            let r0 = block * blockSize, r1 = min(T, r0 + blockSize), rows = r1 - r0
            let first: Float = block == blocks - 1 ? 0 : 1
            let p = scratch, ds = scratch + rows * r1    // both (rows, r1)
            // Rebuild p = exp(scale · q kᵀ − lse) and take dp = dy · vᵀ into ds.
            sgemm(transA: false, transB: true, m: rows, n: r1, k: hd, alpha: scale,
                  a: q + r0 * 3 * C, lda: 3 * C, b: k, ldb: 3 * C, beta: 0, c: p, ldc: r1)
            sgemm(transA: false, transB: true, m: rows, n: r1, k: hd, alpha: 1,
                  a: dy + r0 * C, lda: C, b: v, ldb: 3 * C, beta: 0, c: ds, ldc: r1)
            // Softmax backward in place: ds_ij = p_ij·(dp_ij − Σ_j p_ij·dp_ij); both zero for j > i.
            for i in r0..<r1 {
                let pr = p + (i - r0) * r1, dr = ds + (i - r0) * r1, n = i + 1
                let d = expShiftedDot(pr, by: lse[h * T + i], dr, count: n)
                let dv16 = SIMD16<Float>(repeating: d)
                var j = 0
                while j + 16 <= n { storeV16(loadV16(pr + j) * (loadV16(dr + j) - dv16), dr + j); j += 16 }
                while j < n { dr[j] = pr[j] * (dr[j] - d); j += 1 }
                if n < r1 {
                    (pr + n).update(repeating: 0, count: r1 - n)
                    (dr + n).update(repeating: 0, count: r1 - n)
                }
            }
            // dq[r0..<r1] = scale · ds · k[0..<r1]
            sgemm(transA: false, transB: false, m: rows, n: hd, k: r1, alpha: scale,
                  a: ds, lda: r1, b: k, ldb: 3 * C, beta: 0, c: dq + r0 * 3 * C, ldc: 3 * C)
            // dk[0..<r1] += scale · dsᵀ · q[r0..<r1];  dv[0..<r1] += pᵀ · dy[r0..<r1]
            sgemm(transA: true, transB: false, m: r1, n: hd, k: rows, alpha: scale,
                  a: ds, lda: r1, b: q + r0 * 3 * C, ldb: 3 * C, beta: first, c: dk, ldc: 3 * C)
            sgemm(transA: true, transB: false, m: r1, n: hd, k: rows, alpha: 1,
                  a: p, lda: r1, b: dy + r0 * C, ldb: C, beta: first, c: dv, ldc: 3 * C)
        }
    }
}

/// Softmax over row[0..<valid] in place; row[valid..<width] set to 0 (masked positions).
/// Returns the row's log-sum-exp, log Σ_{j < valid} exp(row[j]). valid ≥ 1.
/// `avx512` picks the C kernel (default: when the CPU has it).
@inline(__always) @discardableResult
public func causalSoftmaxRow(_ row: UnsafeMutablePointer<Float>, valid n: Int, width: Int,
                             avx512: Bool = cpuHasAVX512) -> Float {
    if avx512 { return reckon_causal_softmax_row_avx512(row, n, width) }
    // A scalar loop on purpose: a SIMD8 pointwiseMax made the whole forward 60% slower.
    var mx = -Float.infinity
    for j in 0..<n where row[j] > mx { mx = row[j] }
    var j = 0
    let m8 = SIMD8<Float>(repeating: mx)
    var acc = SIMD8<Float>(repeating: 0)
    while j + 8 <= n {
        let e = vexp(loadV8(row + j) - m8)
        storeV8(e, row + j); acc += e
        j += 8
    }
    var s = acc.sum()
    while j < n { let e = expf(row[j] - mx); row[j] = e; s += e; j += 1 }
    scaleInPlace(row, by: 1 / s, count: n)
    if n < width { (row + n).update(repeating: 0, count: width - n) }
    return mx + logf(s)
}

/// x[i] = exp(x[i] − shift) for i < n, in place; returns Σ x[i]·y[i] over the new x.
/// `avx512` picks the C kernel (default: when the CPU has it).
@inline(__always)
public func expShiftedDot(_ x: UnsafeMutablePointer<Float>, by shift: Float, _ y: UnsafePointer<Float>, count n: Int,
                          avx512: Bool = cpuHasAVX512) -> Float {
    if avx512 { return reckon_exp_shifted_dot_avx512(x, shift, y, n) }
    let s8 = SIMD8<Float>(repeating: shift)
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= n {
        let e = vexp(loadV8(x + i) - s8)
        storeV8(e, x + i); acc = acc.addingProduct(e, loadV8(y + i))
        i += 8
    }
    var d = acc.sum()
    while i < n { let e = expf(x[i] - shift); x[i] = e; d += e * y[i]; i += 1 }
    return d
}

/// Softmax over each row of x: (rows, n), in place (no mask).
public func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width n: Int) {
    for r in 0..<rows { causalSoftmaxRow(x + r * n, valid: n, width: n) }
}
