import Foundation

// Causal multi-head self-attention for one sequence, all heads, on the calling thread.
// Q, K, V are read in place from the fused qkv activation through GEMM leading dimensions,
// so no per-head copies are made. Callers parallelise across sequences.

/// Query rows are processed in blocks of this many; block b only meets keys 0 ..< end of b,
/// so the GEMMs skip most of the masked upper triangle (62% of the full T×T work at T = 256).
public let attentionBlockSize = 64

/// Forward.
///
///     qkv: (T, 3C) = [q | k | v], head h uses columns h·hd ..< (h+1)·hd of each part
///     out: (T, C)  heads concatenated
///     probs: (H, T, T) softmax rows; row i holds valid values in 0...i and zeros up to the end
///            of its query block (entries further right are never written or read)
public func attentionForward(out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                             qkv: UnsafePointer<Float>, tokens T: Int, channels C: Int, heads H: Int,
                             blockSize: Int = attentionBlockSize) {
    let hd = C / H
    let scale = 1 / Float(hd).squareRoot()
    for h in 0..<H {
        let q = qkv + h * hd, k = qkv + C + h * hd, v = qkv + 2 * C + h * hd
        let p = probs + h * T * T
        var r0 = 0
        while r0 < T {
            let r1 = min(T, r0 + blockSize), rows = r1 - r0
            // p[r0..<r1, 0..<r1] = scale · q[r0..<r1] · k[0..<r1]ᵀ
            sgemm(transA: false, transB: true, m: rows, n: r1, k: hd, alpha: scale,
                  a: q + r0 * 3 * C, lda: 3 * C, b: k, ldb: 3 * C, beta: 0, c: p + r0 * T, ldc: T)
            for i in r0..<r1 { causalSoftmaxRow(p + i * T, valid: i + 1, width: r1) }
            // out_h[r0..<r1] = p[r0..<r1, 0..<r1] · v[0..<r1]
            sgemm(transA: false, transB: false, m: rows, n: hd, k: r1, alpha: 1,
                  a: p + r0 * T, lda: T, b: v, ldb: 3 * C, beta: 0, c: out + r0 * C + h * hd, ldc: C)
            r0 = r1
        }
    }
}

/// Backward.
///
///     dout: (T, C) gradient of the attention output;  dqkv: (T, 3C) overwritten
///     scratch: (T, T) workspace;  blockSize must match the forward pass
public func attentionBackward(dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                              dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                              tokens T: Int, channels C: Int, heads H: Int, blockSize: Int = attentionBlockSize) {
    let hd = C / H
    let scale = 1 / Float(hd).squareRoot()
    for h in 0..<H {
        let q = qkv + h * hd, k = qkv + C + h * hd, v = qkv + 2 * C + h * hd
        let p = probs + h * T * T
        let dy = dout + h * hd
        let ds = scratch
        // Row blocks: dp = dy · vᵀ, then softmax backward in place,
        // ds_ij = p_ij·(dp_ij − Σ_j p_ij·dp_ij); zero for j > i within the block's key range.
        var r0 = 0
        while r0 < T {
            let r1 = min(T, r0 + blockSize)
            sgemm(transA: false, transB: true, m: r1 - r0, n: r1, k: hd, alpha: 1,
                  a: dy + r0 * C, lda: C, b: v, ldb: 3 * C, beta: 0, c: ds + r0 * T, ldc: T)
            for i in r0..<r1 {
                let pr = p + i * T, dr = ds + i * T
                let n = i + 1
                let d = vdot(pr, dr, n)
                let dv = SIMD16<Float>(repeating: d)
                var j = 0
                while j + 16 <= n { storeV16(loadV16(pr + j) * (loadV16(dr + j) - dv), dr + j); j += 16 }
                while j < n { dr[j] = pr[j] * (dr[j] - d); j += 1 }
                if n < r1 { (dr + n).update(repeating: 0, count: r1 - n) }
            }
            // dq[r0..<r1] = scale · ds[r0..<r1, 0..<r1] · k[0..<r1]
            sgemm(transA: false, transB: false, m: r1 - r0, n: hd, k: r1, alpha: scale,
                  a: ds + r0 * T, lda: T, b: k, ldb: 3 * C, beta: 0, c: dqkv + r0 * 3 * C + h * hd, ldc: 3 * C)
            r0 = r1
        }
        // Key blocks: key j is attended by queries i ≥ j, i.e. rows from its block start on.
        var c0 = 0
        while c0 < T {
            let c1 = min(T, c0 + blockSize)
            // dv[c0..<c1] = p[c0..<T, c0..<c1]ᵀ · dy[c0..<T]
            sgemm(transA: true, transB: false, m: c1 - c0, n: hd, k: T - c0, alpha: 1,
                  a: p + c0 * T + c0, lda: T, b: dy + c0 * C, ldb: C, beta: 0, c: dqkv + c0 * 3 * C + 2 * C + h * hd, ldc: 3 * C)
            // dk[c0..<c1] = scale · ds[c0..<T, c0..<c1]ᵀ · q[c0..<T]
            sgemm(transA: true, transB: false, m: c1 - c0, n: hd, k: T - c0, alpha: scale,
                  a: ds + c0 * T + c0, lda: T, b: q + c0 * 3 * C, ldb: 3 * C, beta: 0, c: dqkv + c0 * 3 * C + C + h * hd, ldc: 3 * C)
            c0 = c1
        }
    }
}

/// Softmax over row[0..<valid] in place; row[valid..<width] set to 0 (masked positions).
@inline(__always)
public func causalSoftmaxRow(_ row: UnsafeMutablePointer<Float>, valid n: Int, width: Int) {
    var mx = -Float.infinity
    for j in 0..<n where row[j] > mx { mx = row[j] }
    var j = 0
    let mv = SIMD8<Float>(repeating: mx)
    var acc = SIMD8<Float>(repeating: 0)
    while j + 8 <= n {
        let e = vexp(loadV8(row + j) - mv)
        storeV8(e, row + j); acc += e
        j += 8
    }
    var s = acc.sum()
    while j < n { let e = expf(row[j] - mx); row[j] = e; s += e; j += 1 }
    scaleInPlace(row, by: 1 / s, count: n)
    if n < width { (row + n).update(repeating: 0, count: width - n) }
}

/// Softmax over each row of x: (rows, n), in place (no mask).
public func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width n: Int) {
    for r in 0..<rows { causalSoftmaxRow(x + r * n, valid: n, width: n) }
}
