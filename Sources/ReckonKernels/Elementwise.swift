import Foundation

/// out = a + b, elementwise over n floats. out may alias a or b.
public func add(out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) {
    var i = 0
    while i + 16 <= n { storeV16(loadV16(a + i) + loadV16(b + i), out + i); i += 16 }
    while i < n { out[i] = a[i] + b[i]; i += 1 }
}

/// y += x, elementwise over n floats.
public func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) {
    add(out: y, UnsafePointer(y), x, count: n)
}

/// x *= s, elementwise over n floats.
public func scaleInPlace(_ x: UnsafeMutablePointer<Float>, by s: Float, count n: Int) {
    let sv = SIMD16<Float>(repeating: s)
    var i = 0
    while i + 16 <= n { storeV16(loadV16(x + i) * sv, x + i); i += 16 }
    while i < n { x[i] *= s; i += 1 }
}

/// Σ x[i]² accumulated in Double over 4096-float blocks (deterministic, and exact enough
/// for gradient norms of millions of elements).
public func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    var total = 0.0
    var start = 0
    while start < n {
        let len = Swift.min(4096, n - start)
        total += Double(vdot(x + start, x + start, len))
        start += len
    }
    return total
}

/// Σ x[i] with SIMD partial sums (deterministic for a given n).
public func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float { vsum(x, n) }

/// Σ x[i]·y[i] with SIMD partial sums (deterministic for a given n).
public func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float { vdot(x, y, n) }
