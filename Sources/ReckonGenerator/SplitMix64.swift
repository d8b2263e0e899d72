/// SplitMix64: a small, fast, well-mixed generator whose stream is fixed forever.
///
/// Reckon does not use the standard library's `random(in:)` helpers, whose algorithms may
/// change between Swift versions: corpora must be byte-identical for a given seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The generator for example `index` of a run with `seed`: independent of any other index,
    /// so examples can be produced in any order on any number of threads.
    public init(seed: UInt64, stream index: UInt64) {
        state = SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1))
    }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    @inlinable public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in `0..<n` (n > 0), by multiply-shift.
    @inlinable public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: (next().multipliedFullWidth(by: UInt64(n))).high)
    }

    /// Uniform integer in `range`.
    @inlinable public mutating func uniform(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// Uniform in [0, 1).
    @inlinable public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// True with probability `p`.
    @inlinable public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

    /// Index drawn in proportion to `weights` (non-negative, not all zero).
    @inlinable public mutating func pick(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        let u = unit() * total
        var cumulative = 0.0
        for i in 0..<weights.count {
            cumulative += weights[i]
            if u < cumulative { return i }
        }
        return weights.lastIndex(where: { $0 > 0 }) ?? 0
    }
}
