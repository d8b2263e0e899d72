import BigInt

/// An integer of any size: a machine `Int128` while the value fits, a `BigInt` beyond.
///
/// Almost every number the generator touches fits in 128 bits (38 digits); keeping those off the heap
/// is what makes corpus generation fast. Results are exact in every case: an operation
/// that would overflow is redone with `BigInt`.
///
/// Invariant: `.big` holds only values outside `Int128`'s range, so equal values have
/// equal storage and the synthesised `Hashable` is correct.
public struct ExactInteger: Hashable, Sendable {
    @usableFromInline enum Storage: Hashable, Sendable {
        case small(Int128)
        /// Boxed: copying the enum then costs at most one retain, where an inline `BigInt`
        /// (nested enums and arrays) made every copy of every number a deep outlined copy.
        case big(BigBox)
    }

    @usableFromInline final class BigBox: Hashable, @unchecked Sendable {
        @usableFromInline let value: BigInt
        @usableFromInline init(_ value: BigInt) { self.value = value }
        @usableFromInline static func == (a: BigBox, b: BigBox) -> Bool { a.value == b.value }
        @usableFromInline func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }

    @usableFromInline var storage: Storage

    @inlinable public init(_ value: Int128) { storage = .small(value) }
    @inlinable public init(_ value: Int64) { storage = .small(Int128(value)) }
    @inlinable public init(_ value: Int) { storage = .small(Int128(value)) }

    @inlinable public init(_ value: BigInt) {
        if let small = Self.int128(value) { storage = .small(small) } else { storage = .big(BigBox(value)) }
    }

    /// Parses ASCII decimal digits (no sign). Returns nil if `digits` is empty or not all digits.
    public init?<C: Collection>(digits: C) where C.Element == UInt8 {
        guard !digits.isEmpty else { return nil }
        if digits.count <= 38 {
            var value: Int128 = 0
            for d in digits {
                guard d >= 48 && d <= 57 else { return nil }
                value = value &* 10 &+ Int128(d &- 48)
            }
            self.init(value)
        } else {
            guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let big = BigInt(String(decoding: digits, as: UTF8.self)) else { return nil }
            self.init(big)
        }
    }

    public static let zero = ExactInteger(0 as Int64)
    public static let one = ExactInteger(1 as Int64)

    /// The value as a `BigInt` (allocates only for large values).
    @inlinable public var bigValue: BigInt {
        switch storage {
        case .small(let x): return Self.bigInt(x)
        case .big(let x): return x.value
        }
    }

    @inlinable public var isZero: Bool {
        if case .small(let x) = storage { return x == 0 }
        return false
    }

    /// -1, 0 or 1.
    @inlinable public var signum: Int {
        switch storage {
        case .small(let x): return x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .big(let x): return x.value.signum() > 0 ? 1 : -1
        }
    }

    @inlinable public var magnitude: ExactInteger { signum < 0 ? -self : self }

    @inlinable public static prefix func - (x: ExactInteger) -> ExactInteger {
        if case .small(let a) = x.storage {
            let (r, o) = Int128(0).subtractingReportingOverflow(a)
            if !o { return ExactInteger(r) }
        }
        return ExactInteger(-x.bigValue)
    }

    @inlinable public static func + (x: ExactInteger, y: ExactInteger) -> ExactInteger {
        if case .small(let a) = x.storage, case .small(let b) = y.storage {
            let (r, o) = a.addingReportingOverflow(b)
            if !o { return ExactInteger(r) }
        }
        return ExactInteger(x.bigValue + y.bigValue)
    }

    @inlinable public static func - (x: ExactInteger, y: ExactInteger) -> ExactInteger {
        if case .small(let a) = x.storage, case .small(let b) = y.storage {
            let (r, o) = a.subtractingReportingOverflow(b)
            if !o { return ExactInteger(r) }
        }
        return ExactInteger(x.bigValue - y.bigValue)
    }

    @inlinable public static func * (x: ExactInteger, y: ExactInteger) -> ExactInteger {
        if case .small(let a) = x.storage, case .small(let b) = y.storage {
            let (r, o) = a.multipliedReportingOverflow(by: b)
            if !o { return ExactInteger(r) }
        }
        return ExactInteger(x.bigValue * y.bigValue)
    }

    /// Truncating division, as Swift's `/` on integers. `divisor` must not be zero.
    @inlinable public func quotientAndRemainder(dividingBy divisor: ExactInteger) -> (quotient: ExactInteger, remainder: ExactInteger) {
        precondition(!divisor.isZero, "division by zero")
        if case .small(let a) = storage, case .small(let b) = divisor.storage, !(a == .min && b == -1) {
            // 128-bit division is emulated in software: use 64 bits when both fit.
            if let a64 = Int64(exactly: a), let b64 = Int64(exactly: b), !(a64 == .min && b64 == -1) {
                let (q, r) = a64.quotientAndRemainder(dividingBy: b64)
                return (ExactInteger(q), ExactInteger(r))
            }
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            return (ExactInteger(q), ExactInteger(r))
        }
        let (q, r) = bigValue.quotientAndRemainder(dividingBy: divisor.bigValue)
        return (ExactInteger(q), ExactInteger(r))
    }

    /// Whether the value is a multiple of 10, without a 128-bit division.
    @inlinable public var isMultipleOfTen: Bool {
        switch storage {
        case .small(let x):
            let m = x.magnitude
            // m = hi·2^64 + lo and 2^64 ≡ 6 (mod 10).
            let hi = UInt64(truncatingIfNeeded: m >> 64), lo = UInt64(truncatingIfNeeded: m)
            return (6 &* (hi % 10) &+ lo % 10) % 10 == 0
        case .big(let x):
            return x.value % 10 == 0
        }
    }

    /// The greatest common divisor of the magnitudes (non-negative).
    public static func gcd(_ x: ExactInteger, _ y: ExactInteger) -> ExactInteger {
        if case .small(let a) = x.storage, case .small(let b) = y.storage, a != .min, b != .min {
            var p = a.magnitude, q = b.magnitude
            // Euclid on 64 bits as soon as both fit: 128-bit division is emulated in software.
            while q != 0 {
                if p <= UInt64.max && q <= UInt64.max {
                    var u = UInt64(p), v = UInt64(q)
                    while v != 0 { (u, v) = (v, u % v) }
                    return ExactInteger(Int128(u))
                }
                (p, q) = (q, p % q)
            }
            return ExactInteger(Int128(p))
        }
        return ExactInteger(BigInt(x.bigValue.magnitude.greatestCommonDivisor(with: y.bigValue.magnitude)))
    }

    /// 10^0 … 10^38. A literal, so the table is laid out at compile time (no lazy initialisation
    /// on the hot path).
    @usableFromInline static let smallPowersOfTen: [Int128] = [
        1, 10, 100, 1000,
        10000, 100000, 1000000, 10000000,
        100000000, 1000000000, 10000000000, 100000000000,
        1000000000000, 10000000000000, 100000000000000, 1000000000000000,
        10000000000000000, 100000000000000000, 1000000000000000000, 10000000000000000000,
        100000000000000000000, 1000000000000000000000, 10000000000000000000000, 100000000000000000000000,
        1000000000000000000000000, 10000000000000000000000000, 100000000000000000000000000, 1000000000000000000000000000,
        10000000000000000000000000000, 100000000000000000000000000000, 1000000000000000000000000000000, 10000000000000000000000000000000,
        100000000000000000000000000000000, 1000000000000000000000000000000000, 10000000000000000000000000000000000, 100000000000000000000000000000000000,
        1000000000000000000000000000000000000, 10000000000000000000000000000000000000, 100000000000000000000000000000000000000]

    /// 10^k for k ≥ 0.
    @inlinable public static func powerOfTen(_ k: Int) -> ExactInteger {
        precondition(k >= 0)
        if k <= 38 { return ExactInteger(smallPowersOfTen[k]) }
        return ExactInteger(BigInt(10).power(k))
    }

    /// self · 10^k for k ≥ 0.
    @inlinable public func shiftedLeft(decimalDigits k: Int) -> ExactInteger {
        k == 0 ? self : self * .powerOfTen(k)
    }

    /// self^k for k ≥ 0.
    public func power(_ k: Int) -> ExactInteger {
        precondition(k >= 0)
        var result = ExactInteger.one, base = self, e = k
        while e > 0 {
            if e & 1 == 1 { result = result * base }
            e >>= 1
            if e > 0 { base = base * base }
        }
        return result
    }

    /// Number of decimal digits of the magnitude; 1 for zero.
    public var decimalDigitCount: Int {
        switch storage {
        case .small(let x):
            let m = x.magnitude
            // ⌊bits·log10(2)⌋ is the digit count or one less: one comparison settles it.
            let bits = 128 - m.leadingZeroBitCount
            let guess = (bits * 1233) >> 12
            return max(1, guess + (m >= UInt128(Self.smallPowersOfTen[guess]) ? 1 : 0))
        case .big(let x):
            return String(x.value.magnitude).utf8.count
        }
    }

    /// Appends the decimal digits of the magnitude (no sign) to `out`.
    @inlinable public func appendMagnitudeDigits(to out: inout [UInt8]) {
        switch storage {
        case .small(let x):
            let m = x.magnitude
            if m <= UInt64.max { Self.appendDigits(UInt64(m), to: &out); return }
            // |Int128| < 1.8e38, so m / 10^19 fits in 64 bits: print it, then 19 zero-padded digits.
            let (high, low) = m.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
            Self.appendDigits(UInt64(high), to: &out)
            let start = out.count
            Self.appendDigits(UInt64(low), to: &out)
            let written = out.count - start
            if written < 19 { out.insert(contentsOf: repeatElement(UInt8(48), count: 19 - written), at: start) }
        case .big(let x):
            out.append(contentsOf: String(x.value.magnitude).utf8)
        }
    }
}

extension ExactInteger {
    /// `value` as an `Int128` if it fits. (Converted from the magnitude's words by hand: the
    /// generic `Int128(exactly:)` on `BigInt` gave wrong values for large operands.)
    @usableFromInline static func int128(_ value: BigInt) -> Int128? {
        let m = value.magnitude
        guard m.bitWidth <= 127 else { return nil }
        var u: UInt128 = 0
        for (i, w) in m.words.enumerated() where i < 2 { u |= UInt128(w) << (64 * i) }
        let x = Int128(u)
        return value.sign == .minus ? -x : x
    }

    @usableFromInline static func bigInt(_ x: Int128) -> BigInt {
        if let small = Int64(exactly: x) { return BigInt(small) }
        let m = x.magnitude
        let big = BigInt(BigUInt(UInt64(truncatingIfNeeded: m >> 64)) << 64 | BigUInt(UInt64(truncatingIfNeeded: m)))
        return x < 0 ? -big : big
    }

    /// "00" "01" … "99": two digits per division.
    @usableFromInline static let digitPairs: [UInt8] = Array("00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899".utf8)

    @usableFromInline static func appendDigits(_ value: UInt64, to out: inout [UInt8]) {
        var m = value
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes ≥ 20 digits
        withUnsafeMutableBytes(of: &buffer) { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var i = 24
            digitPairs.withUnsafeBufferPointer { pairs in
                while m >= 100 {
                    let r = Int(m % 100)
                    m /= 100
                    i -= 2
                    base[i] = pairs[2 * r]
                    base[i + 1] = pairs[2 * r + 1]
                }
                if m >= 10 {
                    i -= 2
                    base[i] = pairs[2 * Int(m)]
                    base[i + 1] = pairs[2 * Int(m) + 1]
                } else {
                    i -= 1
                    base[i] = UInt8(truncatingIfNeeded: m) &+ 48
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: 24 - i))
        }
    }
}

extension ExactInteger: Comparable {
    @inlinable public static func < (x: ExactInteger, y: ExactInteger) -> Bool {
        if case .small(let a) = x.storage, case .small(let b) = y.storage { return a < b }
        return x.bigValue < y.bigValue
    }
}

extension ExactInteger: CustomStringConvertible {
    public var description: String {
        switch storage {
        case .small(let x): return String(x)
        case .big(let x): return String(x.value)
        }
    }
}

extension ExactInteger: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self.init(Int128(value)) }
}

extension ExactInteger {
    /// 10^k as an `Int128`, for 0 ≤ k ≤ 38.
    @inlinable public static func smallPowerOfTen(_ k: Int) -> Int128 { smallPowersOfTen[k] }
}
