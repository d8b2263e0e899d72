// Unaligned SIMD loads and stores over raw float pointers.

@inline(__always) @usableFromInline
func loadV16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
@inline(__always) @usableFromInline
func loadV16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
@inline(__always) @usableFromInline
func storeV16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}
@inline(__always) @usableFromInline
func loadV8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
@inline(__always) @usableFromInline
func storeV8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

extension SIMD16 where Scalar == Float {
    /// Sum of lanes in a fixed pairwise order (deterministic).
    @inline(__always) @usableFromInline
    var laneSum: Float {
        let a = lowHalf + highHalf
        let b = a.lowHalf + a.highHalf
        let c = b.lowHalf + b.highHalf
        return c[0] + c[1]
    }
}

/// Σ x[i] with 16 parallel partial sums (deterministic order for a given n).
@inline(__always) @usableFromInline
func vsum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n { acc += loadV16(x + i); i += 16 }
    var s = acc.laneSum
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Σ x[i]·y[i] with 16 parallel partial sums.
@inline(__always) @usableFromInline
func vdot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n { acc += loadV16(x + i) * loadV16(y + i); i += 16 }
    var s = acc.laneSum
    while i < n { s += x[i] * y[i]; i += 1 }
    return s
}
