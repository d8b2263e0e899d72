/// xoshiro256** PRNG: small, fast, and with a state that serialises to four integers, so a
/// training run can save and restore it exactly.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable {
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds via SplitMix64, the generator authors' recommendation.
    public init(seed: UInt64) {
        var z = seed
        func next() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public init(state: [UInt64]) {
        precondition(state.count == 4)
        self.state = (state[0], state[1], state[2], state[3])
    }

    public var stateArray: [UInt64] { [state.0, state.1, state.2, state.3] }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0; state.3 ^= state.1; state.1 ^= state.2; state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// 0..<n in a random order (Fisher–Yates with this generator: the same on every platform
    /// and Swift version, unlike `shuffled(using:)`, whose algorithm is not specified).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, Int(next() % UInt64(i + 1))) }
        return p
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Standard normal via Box–Muller (one value per call; deterministic).
    public mutating func nextGaussian() -> Double {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53     // (0, 1]
        let u2 = Double(next() >> 11) * 0x1p-53
        return (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }

    public static func == (a: Xoshiro256, b: Xoshiro256) -> Bool { a.stateArray == b.stateArray }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
