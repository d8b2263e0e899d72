// Single-thread speed of the hot kernels: the AVX2 kernel and, on AVX-512 CPUs, the AVX-512 one
// (`CKernels`; GELU is in C for both). Minimum over 30 runs of each.
//
//   swift run -c release KernelBench [gelu] [linear] [packed] [attention] [cached]   (default: all)
//
// Linear: the linear layers' products of one training worker (tiny: 16 × 128 rows at C = 128; the
// shipped model: 8 × 1,536 rows at C = 256), OpenBLAS against the AVX-512 kernel, in GFLOP/s.
// GELU: the MLP activations of one tiny-training worker (16 × 128 rows × 512), in ns per element.
// packedMatmul: one decode step of the small model (6 layers × 256, 16 rows): each layer's four
// products over its own weights (19 MB, more than L2 holds), in GFLOP/s.
// Attention: one training worker's causal attention, forward and backward, beside its linear
// layers' products, in ms.
// Cached attention: one decode step's attention for 32 sequences of the shipped model's shape
// (12 layers × 256, 8 heads, a 3,072-position cache) at several chain lengths, in ms and in GB/s
// of keys and values read.
import Foundation
import ReckonKernels
import ReckonModel

func seconds(_ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<30 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return best
}

var state: UInt64 = 1
func uniform() -> Float {   // in [-2.5, 2.5]
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Float(Int64(bitPattern: state >> 11) % 20001) / 4000 - 2.5
}
let kernels = cpuHasAVX512 ? [false, true] : [false]
func name(_ avx512: Bool) -> String { avx512 ? "AVX-512        " : "AVX2           " }

/// Runs a section when no section is named on the command line, or when it is named.
func section(_ name: String, _ body: () -> Void) {
    let chosen = CommandLine.arguments.dropFirst()
    if chosen.isEmpty || chosen.contains(name) { body() }
}

section("gelu") {
    let n = 16 * 128 * 512
    let x = (0..<n).map { _ in uniform() }, dy = [Float](repeating: 1, count: n)
    var y = [Float](repeating: 0, count: n), dx = y
    print("GELU, \(n) elements                      forward     backward")
    for avx512 in kernels {
        let f = seconds { geluForward(out: &y, inp: x, count: n, avx512: avx512) }
        let b = seconds { geluBackward(dinp: &dx, inp: x, out: y, dout: dy, count: n, avx512: avx512) }
        print("  \(name(avx512))                   \(String(format: "%5.2f ns   %5.2f ns", f / Double(n) * 1e9, b / Double(n) * 1e9))")
    }
}

section("linear") {
    BLASThreads.set(1)   // one worker, as in training
    print("linear layers, one worker, GFLOP/s               forward   backward (dinp + dweight)")
    for (shape, rows, C) in [("tiny, 2,048 rows, C = 128", 2048, 128), ("shipped, 12,288 rows, C = 256", 12288, 256)] {
        let shapes = [(C, 3 * C), (C, C), (C, 4 * C), (4 * C, C)]   // (inF, outF): qkv, proj, fc1, fc2
        let a = (0..<(rows * 4 * C)).map { _ in uniform() }, w = (0..<(4 * C * C)).map { _ in uniform() / 100 }
        var o = [Float](repeating: 0, count: rows * 4 * C), dw = [Float](repeating: 0, count: 4 * C * C)
        let flops = Double(shapes.reduce(0) { $0 + 2 * rows * $1.0 * $1.1 })
        for avx512 in kernels {
            let f = seconds { for (K, N) in shapes {
                matmulForward(out: &o, inp: a, weight: w, bias: w, rows: rows, inFeatures: K, outFeatures: N, avx512: avx512)
            } }
            let b = seconds { for (K, N) in shapes {
                matmulBackward(dinp: &o, dweight: &dw, dbias: nil, dout: a, inp: a, weight: w, rows: rows,
                               inFeatures: K, outFeatures: N, avx512: avx512)
            } }
            print("  " + "\(shape), \(avx512 ? "AVX-512 kernel" : "OpenBLAS")".padding(toLength: 46, withPad: " ", startingAt: 0) +
                  String(format: "%7.1f   %7.1f", flops / f / 1e9, 2 * flops / b / 1e9))
        }
    }
}

section("packed") {
    let rows = 16, layers = 6, C = 256, M = 1024
    let shapes = [(C, 3 * C), (C, C), (C, M), (M, C)]   // (inF, outF): qkv, proj, fc1, fc2
    let weights = (0..<layers).map { _ in
        shapes.map { K, N in
            let w = (0..<(N * K)).map { _ in uniform() / 100 }
            var packed = [Float](repeating: 0, count: packedCount(inFeatures: K, outFeatures: N))
            packStrips(w, into: &packed, inFeatures: K, outFeatures: N)
            return packed
        }
    }
    let inp = (0..<(rows * M)).map { _ in uniform() }
    var out = [Float](repeating: 0, count: rows * M)   // the widest output (fc1)
    print("packedMatmul, \(rows) rows, \(layers) layers     qkv    proj    fc1     fc2 (K = \(M))   whole step")
    for avx512 in kernels {
        var line = "  \(name(avx512))          "
        for (s, (K, N)) in shapes.enumerated() {
            let t = seconds { for l in 0..<layers { packedMatmul(out: &out, inp: inp, packed: weights[l][s], bias: nil, rows: rows, inFeatures: K, outFeatures: N, outputs: 0..<N, avx512: avx512) } }
            line += String(format: "%6.1f  ", 2.0 * Double(rows * K * N * layers) / t / 1e9)
        }
        let t = seconds {
            for l in 0..<layers {
                for (s, (K, N)) in shapes.enumerated() {
                    packedMatmul(out: &out, inp: inp, packed: weights[l][s], bias: nil, rows: rows, inFeatures: K, outFeatures: N, outputs: 0..<N, avx512: avx512)
                }
            }
        }
        let flops = shapes.reduce(0) { $0 + 2 * rows * $1.0 * $1.1 } * layers
        print(line + String(format: "      %6.1f GFLOP/s", Double(flops) / t / 1e9))
    }

    // Causal attention forward + backward against the linear layers' GEMMs, one training worker's
    // share of a step: tiny (16 sequences × 128 tokens, 4 layers, C = 128, 4 heads) and the shipped
    // model's long chains (2 sequences × 1536 tokens, 12 layers, C = 256, 8 heads), in ms.
}

section("attention") {
    BLASThreads.set(1)   // one worker, as in training
    print("attention vs linear layers, one worker            attention fwd   bwd     linear fwd+bwd")
    for (name, seqs, T, C, H, L) in [("tiny, 16 × 128 tokens", 16, 128, 128, 4, 4), ("long, 2 × 1536 tokens", 2, 1536, 256, 8, 12)] {
        let rows = seqs * T
        let qkv = (0..<(rows * 3 * C)).map { _ in uniform() }, dout = (0..<(rows * C)).map { _ in uniform() }
        var att = [Float](repeating: 0, count: rows * C), dqkv = [Float](repeating: 0, count: rows * 3 * C)
        var lse = [Float](repeating: 0, count: seqs * H * T), scratch = [Float](repeating: 0, count: attentionScratchCount(tokens: T))
        let tf = seconds {
            for _ in 0..<L { for s in 0..<seqs {
                qkv.withUnsafeBufferPointer { q in
                    attentionForward(out: &att[s * T * C], lse: &lse[s * H * T], scratch: &scratch, qkv: q.baseAddress! + s * T * 3 * C,
                                     tokens: T, channels: C, heads: H)
                }
            } }
        }
        let tb = seconds {
            for _ in 0..<L { for s in 0..<seqs {
                qkv.withUnsafeBufferPointer { q in dout.withUnsafeBufferPointer { d in lse.withUnsafeBufferPointer { l in
                    attentionBackward(dqkv: &dqkv[s * T * 3 * C], scratch: &scratch, dout: d.baseAddress! + s * T * C,
                                      qkv: q.baseAddress! + s * T * 3 * C, lse: l.baseAddress! + s * H * T, tokens: T, channels: C, heads: H)
                } } }
            } }
        }
        let shapes = [(C, 3 * C), (C, C), (C, 4 * C), (4 * C, C)]   // qkv, proj, fc1, fc2
        let a = (0..<(rows * 4 * C)).map { _ in uniform() }, w = (0..<(4 * C * C)).map { _ in uniform() / 100 }
        var o = [Float](repeating: 0, count: rows * 4 * C), dw = [Float](repeating: 0, count: 4 * C * C)
        let tl = seconds {
            for _ in 0..<L { for (K, N) in shapes {
                matmulForward(out: &o, inp: a, weight: w, bias: nil, rows: rows, inFeatures: K, outFeatures: N)
                matmulBackward(dinp: &o, dweight: &dw, dbias: nil, dout: a, inp: a, weight: w, rows: rows, inFeatures: K, outFeatures: N)
            } }
        }
        print("  \(name)                        " + String(format: "%7.1f  %7.1f   %7.1f", tf * 1e3, tb * 1e3, tl * 1e3))
    }
}

section("cached") {
    print("cached attention, one decode step, 32 rows × 12 layers    ms    GB/s of cache read")
    let slots = 32, L = 12, C = 256, H = 8, T = 3072
    let keys = FloatBuffer(count: L * slots * T * C), values = FloatBuffer(count: L * slots * T * C)
    for i in 0..<keys.count { keys[i] = uniform() / 10; values[i] = uniform() }
    let q = (0..<(slots * C)).map { _ in uniform() }
    var out = [Float](repeating: 0, count: slots * C), scores = [Float](repeating: 0, count: T)
    for n in [256, 1024, 2048] {
        let t = seconds {
            for l in 0..<L { for r in 0..<slots {
                let at = (l * slots + r) * T * C
                q.withUnsafeBufferPointer { q in out.withUnsafeMutableBufferPointer { o in scores.withUnsafeMutableBufferPointer { sc in
                    attendCachedRow(out: o.baseAddress! + r * C, q: q.baseAddress! + r * C, keys: keys.pointer + at, values: values.pointer + at,
                                    capacity: T, count: n, channels: C, heads: H, scores: sc.baseAddress!)
                } } }
            } }
        }
        let bytes = Double(L * slots * n * C * 2 * 4)
        print("  \(n) cached positions" + String(repeating: " ", count: 36 - String(n).count) + String(format: "%7.1f  %6.1f", t * 1e3, bytes / t / 1e9))
    }
}
