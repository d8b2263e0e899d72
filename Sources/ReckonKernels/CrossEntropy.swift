import Foundation

/// Fused softmax + cross-entropy forward and backward over rows of logits.
///
///     logits: (rows, V)   targets: (rows), a negative target means "no loss here" (prompt, padding)
///     dlogits: (rows, V) overwritten with gradScale·(softmax − onehot), zero on ignored rows
///     losses: (rows) optional per-row loss (0 on ignored rows)
/// Returns Σ loss over counted rows in Double (the caller divides by the global count).
@discardableResult
public func crossEntropyForwardBackward(dlogits: UnsafeMutablePointer<Float>?, losses: UnsafeMutablePointer<Float>?,
                                        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                        rows: Int, vocab V: Int, gradScale: Float) -> Double {
    var total = 0.0
    for r in 0..<rows {
        let x = logits + r * V
        let tgt = Int(targets[r])
        guard tgt >= 0 else {
            dlogits.map { ($0 + r * V).update(repeating: 0, count: V) }
            losses?[r] = 0
            continue
        }
        var mx = -Float.infinity
        for j in 0..<V where x[j] > mx { mx = x[j] }
        var s: Float = 0
        if let dl = dlogits {
            let d = dl + r * V
            for j in 0..<V { let e = expf(x[j] - mx); d[j] = e; s += e }
            let inv = gradScale / s
            for j in 0..<V { d[j] *= inv }
            d[tgt] -= gradScale
        } else {
            for j in 0..<V { s += expf(x[j] - mx) }
        }
        let loss = logf(s) + mx - x[tgt]
        losses?[r] = loss
        total += Double(loss)
    }
    return total
}
