import CKernels
import ReckonKernels

// Kernels for incremental (KV-cache) inference, used by ReckonEvaluation's decoder. They live
// here because this module is compiled with the engine's CPU flags (AVX2 + FMA); decoding
// works on a few rows per call, where a packing GEMM library spends more time copying the
// weights than multiplying.

extension Model {
    /// The rotary table the model's attention uses (nil for learned positions).
    public var rotaryTable: RoPETable? { rope }
}

/// What a KV cache stores: `Float`, or `Float16` for half the memory traffic.
public protocol CacheScalar: BinaryFloatingPoint {
    /// Eight consecutive elements at `p`, widened to `Float`.
    static func load8(_ p: UnsafePointer<Self>) -> SIMD8<Float>
    var float: Float { get }
}

extension Float: CacheScalar {
    @inline(__always) public static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) public var float: Float { self }
}

extension Float16: CacheScalar {
    /// One `vcvtph2ps` on F16C CPUs (every AVX2 machine).
    @inline(__always) public static func load8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
        SIMD8<Float>(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float16>.self))
    }
    @inline(__always) public var float: Float { Float(self) }
}

@inline(__always) private func load8<S: CacheScalar>(_ p: UnsafePointer<S>) -> SIMD8<Float> { S.load8(p) }

@inline(__always) private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Causal attention of one query row against `count` cached positions, all heads.
///
/// Each head's keys and values are contiguous, so a row streams them front to back.
///
///     q: (C) this row's query
///     keys: (H, capacity / 8, hd, 8) one slot's keys in blocks of 8 positions, transposed
///           within a block, so that 8 positions' scores accumulate in one register over the
///           head's dimensions (lanes past `count` are read but their scores are unused)
///     values: (H, capacity, hd) one slot's values;  scores: (count rounded up to 8) scratch
///     out: (C) = concat_h softmax(q_h · K_hᵀ / √hd) · V_h
public func attendCachedRow(out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                            values: UnsafePointer<Float>, capacity T: Int, count n: Int, channels C: Int, heads H: Int,
                            scores: UnsafeMutablePointer<Float>) {
    attendCachedRow(out, q, keys, values, T, n, C, H, scores)
}

/// The same with keys and values stored as 16-bit floats (`Float16`), converted to `Float` as
/// they are loaded: half the bytes per cached position, which is what a long chain's decode
/// steps are bound by. Scores, softmax and sums stay in `Float`.
public func attendCachedRow(out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, keys: UnsafePointer<Float16>,
                            values: UnsafePointer<Float16>, capacity T: Int, count n: Int, channels C: Int, heads H: Int,
                            scores: UnsafeMutablePointer<Float>) {
    attendCachedRow(out, q, keys, values, T, n, C, H, scores)
}

// One body for both: specialised here, in a module built for AVX2 + FMA, behind the two entry
// points (a public generic would be compiled into its callers, without those flags).
@inline(__always)
private func attendCachedRow<S: CacheScalar>(_ out: UnsafeMutablePointer<Float>, _ q: UnsafePointer<Float>, _ keys: UnsafePointer<S>,
                                            _ values: UnsafePointer<S>, _ T: Int, _ n: Int, _ C: Int, _ H: Int,
                                            _ scores: UnsafeMutablePointer<Float>) {
    precondition(T % 8 == 0 && n <= T)
    let hd = C / H
    let scale = 1 / Float(hd).squareRoot()
    for h in 0..<H {
        let qh = q + h * hd, kh = keys + h * hd * T, vh = values + h * hd * T
        // A head's stretch of the cache is a few KiB, too short for the hardware prefetcher to
        // catch on its own: ask for the next head's while this one is computed.
        if h + 1 < H {
            reckon_prefetch(kh + hd * T, (n + 7) / 8 * 8 * hd * MemoryLayout<S>.size)
            reckon_prefetch(vh + hd * T, n * hd * MemoryLayout<S>.size)
        }
        // scores[j] = scale · q_h · k_j, 8 positions per register, no stores inside the i loop.
        // Four blocks of 8 at a time: four independent FMA chains instead of one (an FMA's
        // latency is four times its issue interval). Lanes past n are scratch, never read.
        var j = 0
        while j + 24 < n {
            let k = kh + j * hd   // block j/8; the next three follow it
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            for i in 0..<hd {
                let qi = SIMD8<Float>(repeating: qh[i]), ki = k + i * 8
                a0.addProduct(qi, load8(ki)); a1.addProduct(qi, load8(ki + 8 * hd))
                a2.addProduct(qi, load8(ki + 16 * hd)); a3.addProduct(qi, load8(ki + 24 * hd))
            }
            store8(a0 * scale, scores + j); store8(a1 * scale, scores + j + 8)
            store8(a2 * scale, scores + j + 16); store8(a3 * scale, scores + j + 24)
            j += 32
        }
        while j < n {
            let k = kh + j * hd
            var even = SIMD8<Float>(), odd = SIMD8<Float>()
            var i = 0
            while i + 2 <= hd {
                even.addProduct(SIMD8(repeating: qh[i]), load8(k + i * 8))
                odd.addProduct(SIMD8(repeating: qh[i + 1]), load8(k + i * 8 + 8))
                i += 2
            }
            if i < hd { even.addProduct(SIMD8(repeating: qh[i]), load8(k + i * 8)) }
            store8((even + odd) * scale, scores + j)
            j += 8
        }
        causalSoftmaxRow(scores, valid: n, width: n)
        // out_h = Σ_j p_j · v_j, 32 output dimensions held in registers at a time, even and odd
        // positions in separate accumulators (eight chains in flight).
        let o = out + h * hd
        var d = 0
        while d + 32 <= hd {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
            var j = 0
            while j + 2 <= n {
                let p = SIMD8<Float>(repeating: scores[j]), v = vh + j * hd + d
                a0.addProduct(p, load8(v)); a1.addProduct(p, load8(v + 8))
                a2.addProduct(p, load8(v + 16)); a3.addProduct(p, load8(v + 24))
                let p1 = SIMD8<Float>(repeating: scores[j + 1]), v1 = v + hd
                b0.addProduct(p1, load8(v1)); b1.addProduct(p1, load8(v1 + 8))
                b2.addProduct(p1, load8(v1 + 16)); b3.addProduct(p1, load8(v1 + 24))
                j += 2
            }
            if j < n {
                let p = SIMD8<Float>(repeating: scores[j]), v = vh + j * hd + d
                a0.addProduct(p, load8(v)); a1.addProduct(p, load8(v + 8))
                a2.addProduct(p, load8(v + 16)); a3.addProduct(p, load8(v + 24))
            }
            store8(a0 + b0, o + d); store8(a1 + b1, o + d + 8); store8(a2 + b2, o + d + 16); store8(a3 + b3, o + d + 24)
            d += 32
        }
        while d < hd {
            var s: Float = 0
            for j in 0..<n { s += scores[j] * vh[j * hd + d].float }
            o[d] = s
            d += 1
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

/// Floats `packStrips` needs for a (outF, inF) weight: outF rounded up to 16, times inF.
public func packedCount(inFeatures K: Int, outFeatures N: Int) -> Int { (N + 15) / 16 * 16 * K }

/// Repacks a linear layer's weight (outF, inF) for `packedMatmul`: strips of 16 outputs, each
/// stored as (inF, 16) contiguous, so the kernel streams every strip front to back (a plain
/// transpose would make it jump a whole row per step, defeating the hardware prefetcher).
/// The last strip is zero-padded to 16 outputs.
public func packStrips(_ weight: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>, inFeatures K: Int, outFeatures N: Int) {
    let strips = (N + 15) / 16
    for s in 0..<strips {
        let strip = packed + s * K * 16
        for k in 0..<K {
            for j in 0..<16 {
                let o = s * 16 + j
                strip[k * 16 + j] = o < N ? weight[o * K + k] : 0
            }
        }
    }
}

/// Linear layer for a few rows over strip-packed weights (`packStrips`). On AVX-512 CPUs (unless
/// `avx512` is false) a C kernel keeps 16 rows × 16 outputs in 512-bit registers; otherwise a
/// register block of 6 (then 4) rows × 16 outputs accumulates over k, one weight load feeding six
/// FMAs, no horizontal sums; single rows split k into even and odd halves to keep four FMA chains
/// in flight. Only outputs `outputs` are written; its lower bound must be a multiple of 16.
///
///     out: (rows, outF) = inp: (rows, inF) · Wᵀ + bias,   W: (outF, inF) as packed
public func packedMatmul(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                         bias: UnsafePointer<Float>?, rows R: Int, inFeatures K: Int, outFeatures N: Int,
                         outputs: Range<Int>, avx512: Bool = cpuHasAVX512) {
    precondition(outputs.lowerBound % 16 == 0)
    if avx512 {
        reckon_packed_matmul_avx512(out, inp, packed, bias, R, K, N, outputs.lowerBound, outputs.upperBound)
        return
    }
    // Weights are read once per step from L3 or memory, faster than the hardware prefetcher
    // fetches them: ask for the line 48 k (3 KiB) ahead, as the AVX-512 kernel does.
    let prefetchDistance = 48
    var c = outputs.lowerBound
    while c < outputs.upperBound {
        let width = min(16, outputs.upperBound - c)
        var b = SIMD16<Float>()
        if let bias { for j in 0..<width { b[j] = bias[c + j] } }
        let w = packed + (c / 16) * K * 16
        @inline(__always) func put(_ v: SIMD16<Float>, _ r: Int) {
            if width == 16 { store16(v, out + r * N + c) } else { for j in 0..<width { out[r * N + c + j] = v[j] } }
        }
        var r = 0
        while r + 6 <= R {
            // 6 rows × 16 outputs: 12 accumulator registers, one weight load feeds six FMAs.
            let x0 = inp + r * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K, x4 = x3 + K, x5 = x4 + K
            var a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b
            for k in 0..<K {
                let v = load16(w + k * 16)
                reckon_prefetch_line(w + (k + prefetchDistance) * 16)
                a0.addProduct(v, SIMD16(repeating: x0[k]))
                a1.addProduct(v, SIMD16(repeating: x1[k]))
                a2.addProduct(v, SIMD16(repeating: x2[k]))
                a3.addProduct(v, SIMD16(repeating: x3[k]))
                a4.addProduct(v, SIMD16(repeating: x4[k]))
                a5.addProduct(v, SIMD16(repeating: x5[k]))
            }
            put(a0, r); put(a1, r + 1); put(a2, r + 2); put(a3, r + 3); put(a4, r + 4); put(a5, r + 5)
            r += 6
        }
        while r + 4 <= R {
            let x0 = inp + r * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K
            var a0 = b, a1 = b, a2 = b, a3 = b
            for k in 0..<K {
                let v = load16(w + k * 16)
                a0.addProduct(v, SIMD16(repeating: x0[k]))
                a1.addProduct(v, SIMD16(repeating: x1[k]))
                a2.addProduct(v, SIMD16(repeating: x2[k]))
                a3.addProduct(v, SIMD16(repeating: x3[k]))
            }
            put(a0, r); put(a1, r + 1); put(a2, r + 2); put(a3, r + 3)
            r += 4
        }
        while r < R {
            let x0 = inp + r * K
            var even = b, odd = SIMD16<Float>()
            var k = 0
            while k + 2 <= K {
                even.addProduct(load16(w + k * 16), SIMD16(repeating: x0[k]))
                odd.addProduct(load16(w + (k + 1) * 16), SIMD16(repeating: x0[k + 1]))
                k += 2
            }
            if k < K { even.addProduct(load16(w + k * 16), SIMD16(repeating: x0[k])) }
            put(even + odd, r)
            r += 1
        }
        c += 16
    }
}
