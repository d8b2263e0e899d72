import Foundation
import Testing
import ReckonKernels

/// Kernels to test (GELU, softmax): the AVX2 one always (`avx512: false`), the AVX-512 one
/// where the CPU has it.
let kernelChoices: [Bool] = cpuHasAVX512 ? [false, true] : [false]

@Suite("Kernel accuracy")
struct KernelAccuracyTests {
    /// The vectorised erf-GELU matches 0.5·x·erfc(−x/√2) in double to 1e-6 relative on [−10, 10]
    /// (values under 1e-30 compared absolutely), in both the SIMD body and the tail.
    @Test(arguments: kernelChoices) func geluMatchesExactErf(avx512: Bool) {
        let n = 20_003
        let x = (0..<n).map { Float(-10 + 20 * Double($0) / Double(n - 1)) }
        var y = [Float](repeating: 0, count: n)
        geluForward(out: &y, inp: x, count: n, avx512: avx512)
        var worst = 0.0
        for i in 0..<n {
            let xd = Double(x[i]), ref = 0.5 * xd * erfc(-xd / 2.0.squareRoot())
            let err = abs(Double(y[i]) - ref) / max(abs(ref), 1e-30)
            worst = max(worst, err)
        }
        #expect(worst < 1e-6, "GELU worst relative error \(worst)")
    }

    /// Far tails: GELU(x) → x for large x and → 0 for very negative x, never inf or NaN
    /// (a clamp on exp's argument once let ±30 overflow). 16 values: the SIMD body and the tail.
    @Test(arguments: kernelChoices) func geluIsFiniteInTheFarTails(avx512: Bool) {
        let x: [Float] = [-1000, -200, -88, -50, -30, -20, -13, -12, 12, 13, 20, 30, 50, 88, 200, 1000, 30]
        var y = [Float](repeating: .nan, count: x.count)
        geluForward(out: &y, inp: x, count: x.count, avx512: avx512)
        for (xi, yi) in zip(x, y) {
            #expect(yi.isFinite, "GELU(\(xi)) = \(yi)")
            if xi > 0 { #expect(abs(yi - xi) <= 1e-6 * xi, "GELU(\(xi)) = \(yi)") }
            else { #expect(abs(yi) < 1e-20, "GELU(\(xi)) = \(yi)") }
        }
    }

    @Test func vectorExpMatchesLibm() {
        var x = (0..<1000).map { Float(-80 + 160 * Double($0) / 999) }
        let ref = x.map { Foundation.exp(Double($0)) }
        expInPlace(&x, x.count)
        for i in 0..<x.count { #expect(abs(Double(x[i]) - ref[i]) / ref[i] < 1e-6) }
    }

    @Test func softmaxRowsSumToOne() {
        var x: [Float] = (0..<50).map { Float($0 % 7) * 3 - 10 }
        softmaxRows(&x, rows: 5, width: 10)
        for r in 0..<5 {
            let s = x[r * 10 ..< r * 10 + 10].reduce(0, +)
            #expect(abs(s - 1) < 1e-6)
        }
    }

    /// Attention's row softmax against double: probabilities to 1e-6 absolute, the log-sum-exp
    /// to 1e-5, the masked tail exactly zero; lengths that end inside and on a 16-lane block.
    @Test(arguments: kernelChoices) func causalSoftmaxRowMatchesDouble(avx512: Bool) {
        var g = LCG(s: 3)
        for n in [1, 7, 16, 17, 100, 1000] {
            let width = n + 9
            let scores = g.floats(n).map { $0 * 30 }
            var row = scores + [Float](repeating: .nan, count: width - n)
            let lse = causalSoftmaxRow(&row, valid: n, width: width, avx512: avx512)
            let m = Double(scores.max()!), sum = scores.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
            #expect(abs(Double(lse) - (m + Foundation.log(sum))) < 1e-5, "n = \(n): lse \(lse)")
            for j in 0..<n {
                let ref = Foundation.exp(Double(scores[j]) - m) / sum
                #expect(abs(Double(row[j]) - ref) < 1e-6, "n = \(n), j = \(j): \(row[j]) against \(ref)")
            }
            #expect(row[n...].allSatisfy { $0 == 0 }, "n = \(n): masked tail not zero")
        }
    }

    /// The backward's exp(x − lse) and its dot with dp, against double.
    @Test(arguments: kernelChoices) func expShiftedDotMatchesDouble(avx512: Bool) {
        var g = LCG(s: 5)
        for n in [1, 15, 16, 33, 500] {
            let x = g.floats(n).map { $0 * 20 - 25 }, y = g.floats(n)
            var e = x
            let dot = expShiftedDot(&e, by: 2, y, count: n, avx512: avx512)
            var ref = 0.0
            for i in 0..<n {
                // From the same float x − 2 the kernel forms, so only exp's own error is measured.
                let ei = Foundation.exp(Double(x[i] - 2))
                ref += ei * Double(y[i])
                #expect(abs(Double(e[i]) - ei) <= 1e-6 * ei, "n = \(n), i = \(i)")
            }
            #expect(abs(Double(dot) - ref) <= 1e-5 * max(1, abs(ref)), "n = \(n): \(dot) against \(ref)")
        }
    }

    /// `sgemm` against double in all four transpose cases, with alpha ≠ 1 and beta 0 and 1, on
    /// shapes that end inside a tile, a panel and a k chunk. Bound: 1e-5 of Σ|terms| per output.
    @Test(arguments: kernelChoices) func sgemmMatchesDouble(avx512: Bool) {
        var g = LCG(s: 5)
        for (m, n, k) in [(64, 100, 32), (70, 33, 300), (3, 129, 7)] {
            for transA in [false, true] { for transB in [false, true] { for beta: Float in [0, 1] {
                let a = g.floats(m * k), b = g.floats(k * n), c0 = g.floats(m * n), alpha: Float = 0.37
                let lda = transA ? m : k, ldb = transB ? k : n
                var c = beta == 1 ? c0 : [Float](repeating: .nan, count: m * n)
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: &c, ldc: n, avx512: avx512)
                for i in 0..<m { for j in 0..<n {
                    var ref = beta == 1 ? Double(c0[i * n + j]) : 0, scale = abs(ref)
                    for p in 0..<k {
                        let t = Double(alpha) * Double(transA ? a[p * lda + i] : a[i * lda + p])
                            * Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                        ref += t; scale += abs(t)
                    }
                    #expect(abs(Double(c[i * n + j]) - ref) <= 1e-5 * scale,
                            "\(m)×\(n)×\(k) transA \(transA) transB \(transB) beta \(beta): \(c[i * n + j]) vs \(ref)")
                } }
            } } }
        }
    }

    /// The linear layers' products against double, on shapes that end inside a 12-row tile, a
    /// 32-column panel, a 256-long k chunk and a 384-row block: forward with and without bias,
    /// backward with dinp overwritten and accumulated, dweight and dbias accumulated onto what is
    /// there. Error bound: 1e-5 of Σ|terms| per output (float rounding of a sum of ≤ 600 terms).
    @Test(arguments: kernelChoices) func linearProductsMatchDouble(avx512: Bool) {
        var g = LCG(s: 11)
        for (rows, inF, outF) in [(1, 1, 1), (13, 37, 45), (400, 300, 70), (5, 600, 33), (24, 64, 96)] {
            let x = g.floats(rows * inF), w = g.floats(outF * inF), b = g.floats(outF), dy = g.floats(rows * outF)
            func close(_ got: Float, _ ref: Double, _ scale: Double, _ what: String) {
                #expect(abs(Double(got) - ref) <= 1e-5 * scale + 1e-30, "\(what) \(rows)×\(inF)→\(outF): \(got) vs \(ref)")
            }
            for bias in [true, false] {
                var y = [Float](repeating: .nan, count: rows * outF)
                b.withUnsafeBufferPointer { bp in
                    matmulForward(out: &y, inp: x, weight: w, bias: bias ? bp.baseAddress : nil, rows: rows,
                                  inFeatures: inF, outFeatures: outF, avx512: avx512)
                }
                for r in 0..<rows { for o in 0..<outF {
                    var ref = bias ? Double(b[o]) : 0, scale = bias ? abs(Double(b[o])) : 0
                    for k in 0..<inF { let t = Double(x[r * inF + k]) * Double(w[o * inF + k]); ref += t; scale += abs(t) }
                    close(y[r * outF + o], ref, scale, "out")
                } }
            }
            for accumulate in [false, true] {
                let dx0 = g.floats(rows * inF), dw0 = g.floats(outF * inF), db0 = g.floats(outF)
                var dx = accumulate ? dx0 : [Float](repeating: .nan, count: rows * inF), dw = dw0, db = db0
                matmulBackward(dinp: &dx, dweight: &dw, dbias: &db, dout: dy, inp: x, weight: w, rows: rows,
                               inFeatures: inF, outFeatures: outF, accumulateInput: accumulate, avx512: avx512)
                for r in 0..<rows { for k in 0..<inF {
                    var ref = accumulate ? Double(dx0[r * inF + k]) : 0, scale = abs(ref)
                    for o in 0..<outF { let t = Double(dy[r * outF + o]) * Double(w[o * inF + k]); ref += t; scale += abs(t) }
                    close(dx[r * inF + k], ref, scale, "dinp")
                } }
                for o in 0..<outF {
                    for k in 0..<inF {
                        var ref = Double(dw0[o * inF + k]), scale = abs(ref)
                        for r in 0..<rows { let t = Double(dy[r * outF + o]) * Double(x[r * inF + k]); ref += t; scale += abs(t) }
                        close(dw[o * inF + k], ref, scale, "dweight")
                    }
                    var ref = Double(db0[o]), scale = abs(ref)
                    for r in 0..<rows { ref += Double(dy[r * outF + o]); scale += abs(Double(dy[r * outF + o])) }
                    close(db[o], ref, scale, "dbias")
                }
            }
        }
    }

    /// One AdamW step against PyTorch's formula evaluated in double.
    @Test func adamwMatchesReference() {
        let n = 37
        var g = LCG(s: 9)
        var p = g.floats(n), m = g.floats(n, scale: 0.1), v = g.floats(n, scale: 0.01).map { abs($0) }
        let grad = g.floats(n)
        let (p0, m0, v0) = (p, m, v)
        let h = AdamWStep(learningRate: 1e-2, weightDecay: 0.1, step: 3, gradScale: 0.5)
        adamwUpdate(params: &p, grads: grad, m: &m, v: &v, count: n, h)
        for i in 0..<n {
            let gd = Double(grad[i]) * 0.5
            let mi = 0.9 * Double(m0[i]) + 0.1 * gd
            let vi = 0.95 * Double(v0[i]) + 0.05 * gd * gd
            let bc1 = 1 - pow(0.9, 3.0), bc2 = 1 - pow(0.95, 3.0)
            let pi = Double(p0[i]) * (1 - 1e-3) - (1e-2 / bc1) * mi / (vi.squareRoot() / bc2.squareRoot() + 1e-8)
            #expect(abs(Double(m[i]) - mi) < 1e-6)
            #expect(abs(Double(v[i]) - vi) < 1e-7)
            #expect(abs(Double(p[i]) - pi) < 1e-5)
        }
    }

    @Test func sumOfSquaresAndColumnSums() {
        let x: [Float] = (0..<10_000).map { Float($0 % 13) - 6 }
        let ref = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(sumOfSquares(x, count: x.count) == ref)   // small integers: exact
        var acc = [Float](repeating: 1, count: 20)
        columnSumAccumulate(&acc, Array(x[0..<100]), rows: 5, cols: 20)
        for j in 0..<20 {
            let s = (0..<5).reduce(Float(1)) { $0 + x[$1 * 20 + j] }
            #expect(acc[j] == s)
        }
    }

    /// Buffers start zeroed and aligned on both sides of the 4 MiB line, where large ones come
    /// from a lazily zeroed mapping instead of the heap; every element is writable and reads back.
    @Test(arguments: [1, 1000, (4 << 20) / 4 - 1, (4 << 20) / 4, 3_000_017])
    func buffersStartZeroedAndAligned(count: Int) {
        let b = FloatBuffer(count: count)
        let alignment = count * 4 >= 4 << 20 ? 2 << 20 : 64
        #expect(Int(bitPattern: b.pointer) % alignment == 0)
        #expect((0..<count).allSatisfy { b[$0] == 0 })
        for i in 0..<count { b[i] = Float(i % 977) }
        #expect((0..<count).allSatisfy { b[$0] == Float($0 % 977) })
        b.zero()
        #expect(b.array == [Float](repeating: 0, count: count))
    }
}
