import Foundation

// Vectorised transcendental functions on SIMD8<Float> (one AVX register).

/// exp(x) for 8 lanes, Cephes-style: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial for e^r,
/// 2^n built in the exponent bits. Relative error ≈ 2 ulp for x in [-87, 88]; inputs are
/// clamped to that range (so exp(-∞) gives ~1e-38, not 0 — callers that need exact zeros mask).
@inline(__always) @usableFromInline
func vexp(_ xIn: SIMD8<Float>) -> SIMD8<Float> {
    // Clamp through masks: the generic `clamped` is not vectorised and costs 4× the whole exp.
    let lower = SIMD8<Float>(repeating: -87.3), upper = SIMD8<Float>(repeating: 88.3)
    var x = xIn.replacing(with: lower, where: xIn .< lower)
    x.replace(with: upper, where: x .> upper)
    // Round-to-nearest via the 1.5·2^23 trick: the integer lands in the low mantissa bits.
    let magic = SIMD8<Float>(repeating: 12582912.0)
    let t = x * 1.44269504088896341 + magic
    let n = t - magic
    var r = x - n * 0.693359375          // exact: n·C1 has few bits and x ≈ n·ln2
    r = r + n * 2.12194440e-4
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = SIMD8(repeating: 1.3981999507e-3).addingProduct(p, r)
    p = SIMD8(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = SIMD8(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = SIMD8(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = SIMD8(repeating: 5.0000001201e-1).addingProduct(p, r)
    let y = (r + 1).addingProduct(p, r * r)
    let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((ni &+ 127) &<< 23, to: SIMD8<Float>.self)
    return y * scale
}

/// x[i] = exp(x[i]) in place, vectorised.
public func expInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { storeV8(vexp(loadV8(x + i)), x + i); i += 8 }
    while i < n { x[i] = expf(x[i]); i += 1 }
}
