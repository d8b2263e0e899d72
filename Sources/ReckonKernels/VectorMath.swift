import Foundation

// Vectorised transcendental functions on SIMD8<Float> (one AVX register).

/// exp(x) for 8 lanes, Cephes-style: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial for e^r,
/// 2^n built in the exponent bits. Relative error ≈ 2 ulp for x in [-87, 88]; inputs are
/// clamped to that range (so exp(-∞) gives ~1e-38, not 0 — callers that need exact zeros mask).
@inline(__always) @usableFromInline
func vexp(_ x: SIMD8<Float>) -> SIMD8<Float> { vexp(hi: x, lo: SIMD8(repeating: 0)) }

/// exp(hi + lo) where lo is a small correction to hi. Large arguments (e.g. −x²/2 near −50)
/// carry an absolute rounding error of ulp(hi) ≈ 4e-6 that becomes the result's relative
/// error; passing the exact low part keeps exp accurate to ~1e-7 relative.
@inline(__always) @usableFromInline
func vexp(hi hiIn: SIMD8<Float>, lo: SIMD8<Float>) -> SIMD8<Float> {
    // Clamp through masks: the generic `clamped` is not vectorised and costs 4× the whole exp.
    // The range check is on hi + lo: clamping hi alone let a large lo push the exponent out of
    // range (GELU(±30) came out +inf).
    let lower = SIMD8<Float>(repeating: -87.3), upper = SIMD8<Float>(repeating: 88.3)
    let sum = hiIn + lo
    let below = sum .< lower, above = sum .> upper
    var hi = hiIn.replacing(with: lower, where: below)
    hi.replace(with: upper, where: above)
    let lo = lo.replacing(with: 0, where: below .| above)
    // Round-to-nearest via the 1.5·2^23 trick: the integer lands in the low mantissa bits.
    let magic = SIMD8<Float>(repeating: 12582912.0)
    let t = (hi + lo) * 1.44269504088896341 + magic
    let n = t - magic
    var r = hi - n * 0.693359375          // exact: n·C1 has few bits and hi ≈ n·ln2
    r = r + n * 2.12194440e-4 + lo
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

/// x²/2 as an exact hi + lo pair (FMA recovers the rounding error of x·x; halving is exact).
@inline(__always) @usableFromInline
func vhalfSquare(_ x: SIMD8<Float>) -> (hi: SIMD8<Float>, lo: SIMD8<Float>) {
    let sq = x * x
    let err = (-sq).addingProduct(x, x)
    return (sq * 0.5, err * 0.5)
}

/// Standard normal CDF Φ(x) = ½·erfc(−x/√2) and, optionally, the density φ(x), for 8 lanes.
///
/// erfc uses the Numerical Recipes Chebyshev fit (fractional error < 1.2e-7 for all z ≥ 0),
/// so Φ is accurate in *relative* terms on the negative tail too, where GELU's value is tiny.
@inline(__always) @usableFromInline
func vnormalCDF(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let z = abs(x) * 0.70710678118654752
    let t = 1 / (z * 0.5 + 1)
    var p = SIMD8<Float>(repeating: 0.17087277)
    p = SIMD8(repeating: -0.82215223).addingProduct(p, t)
    p = SIMD8(repeating: 1.48851587).addingProduct(p, t)
    p = SIMD8(repeating: -1.13520398).addingProduct(p, t)
    p = SIMD8(repeating: 0.27886807).addingProduct(p, t)
    p = SIMD8(repeating: -0.18628806).addingProduct(p, t)
    p = SIMD8(repeating: 0.09678418).addingProduct(p, t)
    p = SIMD8(repeating: 0.37409196).addingProduct(p, t)
    p = SIMD8(repeating: 1.00002368).addingProduct(p, t)
    p = SIMD8(repeating: -1.26551223).addingProduct(p, t)
    let (z2hi, z2lo) = vhalfSquare(x)                // z² = x²/2, exactly
    let halfErfc = t * vexp(hi: -z2hi, lo: p - z2lo) * 0.5       // Φ(−|x|)
    return halfErfc.replacing(with: 1 - halfErfc, where: x .>= 0)
}

@inline(__always) @usableFromInline
func abs(_ v: SIMD8<Float>) -> SIMD8<Float> {
    unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
}

/// Scalar reference of Φ with the same formula (used for tails of arrays).
@inline(__always) @usableFromInline
func normalCDFScalar(_ x: Float) -> Float {
    let z = Swift.abs(x) * 0.70710678118654752
    let t = 1 / (z * 0.5 + 1)
    var p: Float = 0.17087277
    p = Float(-0.82215223).addingProduct(p, t)
    p = Float(1.48851587).addingProduct(p, t)
    p = Float(-1.13520398).addingProduct(p, t)
    p = Float(0.27886807).addingProduct(p, t)
    p = Float(-0.18628806).addingProduct(p, t)
    p = Float(0.09678418).addingProduct(p, t)
    p = Float(0.37409196).addingProduct(p, t)
    p = Float(1.00002368).addingProduct(p, t)
    p = Float(-1.26551223).addingProduct(p, t)
    let h = Float(Double(t) * Foundation.exp(Double(p) - Double(x) * Double(x) * 0.5) * 0.5)
    return x >= 0 ? 1 - h : h
}

/// x[i] = exp(x[i]) in place, vectorised.
public func expInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { storeV8(vexp(loadV8(x + i)), x + i); i += 8 }
    while i < n { x[i] = expf(x[i]); i += 1 }
}
