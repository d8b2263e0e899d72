import Foundation
import Testing
import ReckonKernels

// Every layer's backward against central finite differences of a double-precision reference
// forward. Each check contracts the layer's output with fixed random weights w (loss = Σ w·out,
// so dout = w) and compares ∂loss/∂input from the Float backward with the Double numerical
// gradient. Tolerance: |analytic − numeric| ≤ 1e-3·max(1, |numeric|) — float32 backward error
// is ~1e-6 relative; a wrong formula is off by O(1).

struct LCG {
    var s: UInt64
    mutating func next() -> Double {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Double(s >> 11) * 0x1p-53 * 2 - 1
    }
    mutating func floats(_ n: Int, scale: Double = 1) -> [Float] { (0..<n).map { _ in Float(next() * scale) } }
}

/// Numerical gradient of f at x (double precision, central differences).
func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var x = x
    var g = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let o = x[i]
        x[i] = o + h; let fp = f(x)
        x[i] = o - h; let fm = f(x)
        x[i] = o
        g[i] = (fp - fm) / (2 * h)
    }
    return g
}

func expectClose(_ a: [Float], _ b: [Double], tol: Double = 1e-3, _ what: String) {
    #expect(a.count == b.count)
    var worst = 0.0
    for i in 0..<min(a.count, b.count) {
        let e = abs(Double(a[i]) - b[i]) / max(1, abs(b[i]))
        worst = e.isNaN ? .infinity : max(worst, e)   // max() would drop a NaN
    }
    #expect(worst <= tol, "\(what): worst scaled error \(worst) > \(tol)")
}

func dotD(_ w: [Float], _ y: [Double]) -> Double { zip(w, y).reduce(0) { $0 + Double($1.0) * $1.1 } }

// MARK: Double references

func layerNormRef(_ x: [Double], _ w: [Double], _ b: [Double], rows: Int, C: Int) -> [Double] {
    var out = [Double](repeating: 0, count: x.count)
    for r in 0..<rows {
        let row = Array(x[r * C ..< (r + 1) * C])
        let m = row.reduce(0, +) / Double(C)
        let v = row.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(C)
        let s = 1 / (v + 1e-5).squareRoot()
        for i in 0..<C { out[r * C + i] = (row[i] - m) * s * w[i] + b[i] }
    }
    return out
}

func matmulRef(_ x: [Double], _ w: [Double], _ b: [Double]?, rows: Int, inF: Int, outF: Int) -> [Double] {
    var out = [Double](repeating: 0, count: rows * outF)
    for r in 0..<rows { for o in 0..<outF {
        var s = b?[o] ?? 0
        for i in 0..<inF { s += x[r * inF + i] * w[o * inF + i] }
        out[r * outF + o] = s
    } }
    return out
}

func geluRef(_ x: Double) -> Double { 0.5 * x * erfc(-x / 2.0.squareRoot()) }

/// Row i of head h's scaled causal scores, s_ij = q_i·k_j/√hd for j ≤ i, in double precision.
func attentionScoresRef(_ qkv: [Double], T: Int, C: Int, H: Int, head h: Int, row i: Int) -> [Double] {
    let hd = C / H
    return (0...i).map { j in
        var s = 0.0
        for d in 0..<hd { s += qkv[i * 3 * C + h * hd + d] * qkv[j * 3 * C + C + h * hd + d] }
        return s / Double(hd).squareRoot()
    }
}

func attentionRef(_ qkv: [Double], T: Int, C: Int, H: Int) -> [Double] {
    let hd = C / H
    var out = [Double](repeating: 0, count: T * C)
    for h in 0..<H { for i in 0..<T {
        let scores = attentionScoresRef(qkv, T: T, C: C, H: H, head: h, row: i)
        let mx = scores.max()!
        let e = scores.map { exp($0 - mx) }
        let z = e.reduce(0, +)
        for d in 0..<hd {
            var acc = 0.0
            for j in 0...i { acc += e[j] / z * qkv[j * 3 * C + 2 * C + h * hd + d] }
            out[i * C + h * hd + d] = acc
        }
    } }
    return out
}

@Suite("Backward passes vs double-precision finite differences")
struct GradientCheckTests {
    @Test func layerNorm() {
        let rows = 3, C = 37   // odd width exercises the scalar tails
        var g = LCG(s: 1)
        let x = g.floats(rows * C, scale: 2), w = g.floats(C), b = g.floats(C), dout = g.floats(rows * C)
        var out = [Float](repeating: 0, count: rows * C), mean = [Float](repeating: 0, count: rows), rstd = mean
        layerNormForward(out: &out, mean: &mean, rstd: &rstd, inp: x, weight: w, bias: b, rows: rows, channels: C)
        let xd = x.map(Double.init), wd = w.map(Double.init), bd = b.map(Double.init)
        expectClose(out, layerNormRef(xd, wd, bd, rows: rows, C: C), tol: 1e-5, "layernorm forward")
        var dx = [Float](repeating: 0, count: rows * C), dw = [Float](repeating: 0, count: C), db = dw
        layerNormBackward(dinp: &dx, dweight: &dw, dbias: &db, dout: dout, inp: x, weight: w, mean: mean, rstd: rstd, rows: rows, channels: C)
        expectClose(dx, numericGradient(xd) { dotD(dout, layerNormRef($0, wd, bd, rows: rows, C: C)) }, "layernorm dx")
        expectClose(dw, numericGradient(wd) { dotD(dout, layerNormRef(xd, $0, bd, rows: rows, C: C)) }, "layernorm dweight")
        expectClose(db, numericGradient(bd) { dotD(dout, layerNormRef(xd, wd, $0, rows: rows, C: C)) }, "layernorm dbias")
    }

    @Test func matmul() {
        let rows = 5, inF = 19, outF = 11
        var g = LCG(s: 2)
        let x = g.floats(rows * inF), w = g.floats(outF * inF), b = g.floats(outF), dout = g.floats(rows * outF)
        var out = [Float](repeating: 0, count: rows * outF)
        matmulForward(out: &out, inp: x, weight: w, bias: b, rows: rows, inFeatures: inF, outFeatures: outF)
        let xd = x.map(Double.init), wd = w.map(Double.init), bd = b.map(Double.init)
        expectClose(out, matmulRef(xd, wd, bd, rows: rows, inF: inF, outF: outF), tol: 1e-5, "matmul forward")
        var dx = [Float](repeating: 7, count: rows * inF)   // overwritten, not accumulated
        var dw = [Float](repeating: 0, count: outF * inF), db = [Float](repeating: 0, count: outF)
        matmulBackward(dinp: &dx, dweight: &dw, dbias: &db, dout: dout, inp: x, weight: w, rows: rows, inFeatures: inF, outFeatures: outF)
        expectClose(dx, numericGradient(xd) { dotD(dout, matmulRef($0, wd, bd, rows: rows, inF: inF, outF: outF)) }, "matmul dx")
        expectClose(dw, numericGradient(wd) { dotD(dout, matmulRef(xd, $0, bd, rows: rows, inF: inF, outF: outF)) }, "matmul dweight")
        expectClose(db, numericGradient(bd) { dotD(dout, matmulRef(xd, wd, $0, rows: rows, inF: inF, outF: outF)) }, "matmul dbias")
    }

    @Test(arguments: kernelChoices) func gelu(avx512: Bool) {
        let n = 301
        var g = LCG(s: 3)
        var x = g.floats(n, scale: 6)
        x[0] = 0; x[1] = -12; x[2] = 1e-30    // Φ recovered from out/x at and near x = 0
        let dout = g.floats(n)
        var y = [Float](repeating: 0, count: n), dx = y
        geluForward(out: &y, inp: x, count: n, avx512: avx512)
        geluBackward(dinp: &dx, inp: x, out: y, dout: dout, count: n, avx512: avx512)
        let xd = x.map(Double.init)
        expectClose(dx, numericGradient(xd) { dotD(dout, $0.map(geluRef)) }, tol: 1e-5, "gelu dx")
    }

    /// Block sizes 64 (one block), 2 and 3 (several blocks, a ragged last one) must agree; 21
    /// tokens in blocks of 8 reach the vectorised row loops.
    @Test(arguments: [(7, 64), (7, 2), (7, 3), (21, 8)])
    func attention(tokens T: Int, blockSize: Int) {
        let C = 12, H = 3
        var g = LCG(s: 4)
        let qkv = g.floats(T * 3 * C), dout = g.floats(T * C)
        var out = [Float](repeating: 0, count: T * C), lse = [Float](repeating: 0, count: H * T)
        var scratch = [Float](repeating: .nan, count: attentionScratchCount(tokens: T, blockSize: blockSize))
        attentionForward(out: &out, lse: &lse, scratch: &scratch, qkv: qkv, tokens: T, channels: C, heads: H, blockSize: blockSize)
        let qd = qkv.map(Double.init)
        expectClose(out, attentionRef(qd, T: T, C: C, H: H), tol: 1e-5, "attention forward")
        // The statistic the backward rebuilds the probabilities from.
        let lseRef = (0..<H).flatMap { h in (0..<T).map { i in
            log(attentionScoresRef(qd, T: T, C: C, H: H, head: h, row: i).reduce(0) { $0 + exp($1) })
        } }
        expectClose(lse, lseRef, tol: 1e-5, "attention log-sum-exp")
        var dqkv = [Float](repeating: .nan, count: T * 3 * C)
        scratch = [Float](repeating: .nan, count: scratch.count)   // the backward must not read the forward's leftovers
        attentionBackward(dqkv: &dqkv, scratch: &scratch, dout: dout, qkv: qkv, lse: lse, tokens: T, channels: C, heads: H, blockSize: blockSize)
        expectClose(dqkv, numericGradient(qd) { dotD(dout, attentionRef($0, T: T, C: C, H: H)) }, "attention dqkv")
    }

    @Test func crossEntropy() {
        let rows = 4, V = 9
        var g = LCG(s: 5)
        let logits = g.floats(rows * V, scale: 3)
        let targets: [Int32] = [3, -1, 0, 8]
        let scale: Float = 0.5
        var d = [Float](repeating: 0, count: rows * V), losses = [Float](repeating: 0, count: rows)
        let total = crossEntropyForwardBackward(dlogits: &d, losses: &losses, logits: logits, targets: targets, rows: rows, vocab: V, gradScale: scale)
        func ref(_ x: [Double]) -> Double {
            var s = 0.0
            for r in 0..<rows where targets[r] >= 0 {
                let row = Array(x[r * V ..< (r + 1) * V])
                let mx = row.max()!
                s += log(row.reduce(0) { $0 + exp($1 - mx) }) + mx - row[Int(targets[r])]
            }
            return s * Double(scale)
        }
        let ld = logits.map(Double.init)
        #expect(abs(total * Double(scale) - ref(ld)) < 1e-5)
        #expect(losses[1] == 0)
        expectClose(d, numericGradient(ld, ref), tol: 1e-5, "cross-entropy dlogits")
    }

    @Test func ropeIsOrthogonalAndInvertible() {
        // RoPE backward applies the inverse rotation; a rotation is linear with Jacobian R, so
        // the check is R⁻¹ = Rᵀ: ⟨R x, y⟩ = ⟨x, Rᵀ y⟩ and Rᵀ R x = x.
        let T = 6, C = 16, H = 2
        let table = RoPETable(headDim: C / H, maxTokens: T)
        var g = LCG(s: 6)
        let x = g.floats(T * 3 * C), y = g.floats(T * 3 * C)
        var rx = x, ry = y
        table.apply(&rx, tokens: T, channels: C, heads: H)
        table.apply(&ry, tokens: T, channels: C, heads: H, inverse: true)
        let lhs = zip(rx, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x, ry).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) < 1e-4)
        var back = rx
        table.apply(&back, tokens: T, channels: C, heads: H, inverse: true)
        for i in 0..<x.count { #expect(abs(back[i] - x[i]) < 1e-5) }
        // Position 0 is the identity; the v part is never touched.
        for i in 0..<(2 * C) { #expect(rx[i] == x[i]) }
        for t in 0..<T { for i in (2 * C)..<(3 * C) { #expect(rx[t * 3 * C + i] == x[t * 3 * C + i]) } }
    }
}
