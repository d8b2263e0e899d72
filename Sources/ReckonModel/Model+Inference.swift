import ReckonKernels

// Kernels for incremental (KV-cache) inference, used by ReckonEvaluation's decoder. They live
// here because this module is compiled with the engine's CPU flags (AVX2 + FMA); decoding
// works on a few rows per call, where a packing GEMM library spends more time copying the
// weights than multiplying.

extension Model {
    /// The rotary table the model's attention uses (nil for learned positions).
    public var rotaryTable: RoPETable? { rope }
}

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Linear layer for a few rows, without packing: each output is a dot product of a weight row
/// with an input row, computed for 2 outputs × 4 rows at a time so every weight load feeds
/// four FMAs. Only output features `outputs` are written (callers split them across threads).
///
///     out: (rows, outF) = inp: (rows, inF) · weight: (outF, inF)ᵀ + bias
public func fewRowMatmul(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, rows R: Int, inFeatures K: Int, outFeatures N: Int,
                         outputs: Range<Int>) {
    let K8 = K & ~7
    @inline(__always) func tail(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>) -> Float {
        var s: Float = 0
        var k = K8
        while k < K { s += w[k] * x[k]; k += 1 }
        return s
    }
    var o = outputs.lowerBound
    while o < outputs.upperBound {
        let two = o + 1 < outputs.upperBound
        let w0 = weight + o * K, w1 = weight + (two ? o + 1 : o) * K
        let b0 = bias?[o] ?? 0, b1 = two ? (bias?[o + 1] ?? 0) : 0
        var r = 0
        while r + 4 <= R {
            let x0 = inp + r * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K
            var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
            var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
            var k = 0
            while k < K8 {
                let u = load8(w0 + k), v = load8(w1 + k)
                let y0 = load8(x0 + k), y1 = load8(x1 + k), y2 = load8(x2 + k), y3 = load8(x3 + k)
                a00.addProduct(u, y0); a01.addProduct(u, y1); a02.addProduct(u, y2); a03.addProduct(u, y3)
                a10.addProduct(v, y0); a11.addProduct(v, y1); a12.addProduct(v, y2); a13.addProduct(v, y3)
                k += 8
            }
            out[r * N + o] = b0 + a00.sum() + tail(w0, x0)
            out[(r + 1) * N + o] = b0 + a01.sum() + tail(w0, x1)
            out[(r + 2) * N + o] = b0 + a02.sum() + tail(w0, x2)
            out[(r + 3) * N + o] = b0 + a03.sum() + tail(w0, x3)
            if two {
                out[r * N + o + 1] = b1 + a10.sum() + tail(w1, x0)
                out[(r + 1) * N + o + 1] = b1 + a11.sum() + tail(w1, x1)
                out[(r + 2) * N + o + 1] = b1 + a12.sum() + tail(w1, x2)
                out[(r + 3) * N + o + 1] = b1 + a13.sum() + tail(w1, x3)
            }
            r += 4
        }
        while r < R {
            let x0 = inp + r * K
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
            var k = 0
            while k < K8 {
                let y = load8(x0 + k)
                a0.addProduct(load8(w0 + k), y); a1.addProduct(load8(w1 + k), y)
                k += 8
            }
            out[r * N + o] = b0 + a0.sum() + tail(w0, x0)
            if two { out[r * N + o + 1] = b1 + a1.sum() + tail(w1, x0) }
            r += 1
        }
        o += two ? 2 : 1
    }
}

/// Causal attention of one query row against `count` cached positions, all heads.
///
///     q: (C) this row's query
///     keysT: (H, hd, stride) one slot's keys, transposed per head so that the scores of all
///            positions are one vectorised pass per query component (no horizontal sums)
///     values: (count, C) one slot's values;  scores: (count) scratch
///     out: (C) = concat_h softmax(q_h · K_hᵀ / √hd) · V_h
public func attendCachedRow(out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keysT: UnsafePointer<Float>,
                            keyStride T: Int, values: UnsafePointer<Float>, count n: Int, channels C: Int, heads H: Int,
                            scores: UnsafeMutablePointer<Float>) {
    let hd = C / H
    let scale = 1 / Float(hd).squareRoot()
    let hd8 = hd & ~7, n8 = n & ~7
    for h in 0..<H {
        let qh = q + h * hd, kh = keysT + h * hd * T
        scores.update(repeating: 0, count: n)
        for i in 0..<hd {
            let qi = qh[i], qv = SIMD8<Float>(repeating: qi), row = kh + i * T
            var j = 0
            while j < n8 { store8(load8(scores + j).addingProduct(qv, load8(row + j)), scores + j); j += 8 }
            while j < n { scores[j] += qi * row[j]; j += 1 }
        }
        for j in 0..<n { scores[j] *= scale }
        causalSoftmaxRow(scores, valid: n, width: n)
        let o = out + h * hd
        o.update(repeating: 0, count: hd)
        for j in 0..<n {
            let p = SIMD8<Float>(repeating: scores[j]), vj = values + j * C + h * hd
            var i = 0
            while i < hd8 { store8(load8(o + i).addingProduct(p, load8(vj + i)), o + i); i += 8 }
            while i < hd { o[i] += scores[j] * vj[i]; i += 1 }
        }
    }
}

/// Rotates the q and k parts of one qkv row (3C) to `position`: the rotation
/// `RoPETable.apply` gives row t = position.
public func rotateQueryKey(_ row: UnsafeMutablePointer<Float>, position t: Int, table: RoPETable, heads H: Int, channels C: Int) {
    let hd = table.headDim, half = hd / 2
    let cs = table.cos.pointer + t * half, sn = table.sin.pointer + t * half
    for part in 0..<2 {
        for h in 0..<H {
            let v = row + part * C + h * hd
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                v[i] = a * cs[i] - b * sn[i]
                v[i + half] = a * sn[i] + b * cs[i]
            }
        }
    }
}

@inline(__always) private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// Transposes a linear layer's weight (outF, inF) into `packed` (inF, outF), the layout
/// `packedMatmul` streams: row k holds input feature k's weight for every output.
public func packTransposed(_ weight: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>, inFeatures K: Int, outFeatures N: Int) {
    for o in 0..<N { for k in 0..<K { packed[k * N + o] = weight[o * K + k] } }
}

/// Linear layer for a few rows over a transposed weight: a register block of 4 rows × 16
/// outputs accumulates over k with one weight load feeding four FMAs and no horizontal sums.
/// Only outputs `outputs` are written; its lower bound must be a multiple of 16 (callers split
/// the outputs across threads in 16-aligned blocks).
///
///     out: (rows, outF) = inp: (rows, inF) · packed: (inF, outF) + bias
public func packedMatmul(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, rows R: Int, inFeatures K: Int, outFeatures N: Int,
                         outputs: Range<Int>) {
    var c = outputs.lowerBound
    while c + 16 <= outputs.upperBound {
        let b = bias.map { load16($0 + c) } ?? SIMD16<Float>()
        let w = packed + c
        var r = 0
        while r + 4 <= R {
            let x0 = inp + r * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K
            var a0 = b, a1 = b, a2 = b, a3 = b
            for k in 0..<K {
                let v = load16(w + k * N)
                a0.addProduct(v, SIMD16(repeating: x0[k]))
                a1.addProduct(v, SIMD16(repeating: x1[k]))
                a2.addProduct(v, SIMD16(repeating: x2[k]))
                a3.addProduct(v, SIMD16(repeating: x3[k]))
            }
            store16(a0, out + r * N + c); store16(a1, out + (r + 1) * N + c)
            store16(a2, out + (r + 2) * N + c); store16(a3, out + (r + 3) * N + c)
            r += 4
        }
        while r < R {
            let x0 = inp + r * K
            var a0 = b
            for k in 0..<K { a0.addProduct(load16(w + k * N), SIMD16(repeating: x0[k])) }
            store16(a0, out + r * N + c)
            r += 1
        }
        c += 16
    }
    // Fewer than 16 outputs left: plain dot products down the packed columns.
    while c < outputs.upperBound {
        for r in 0..<R {
            var s = bias?[c] ?? 0
            for k in 0..<K { s += inp[r * K + k] * packed[k * N + c] }
            out[r * N + c] = s
        }
        c += 1
    }
}
