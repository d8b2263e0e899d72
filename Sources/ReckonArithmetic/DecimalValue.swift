/// An exact terminating decimal `significand · 10^-scale`.
///
/// Every number written in a step chain is one of these. Normal form: `scale ≥ 0`, and
/// when `scale > 0` the significand does not end in a zero digit; zero has scale 0.
/// Two equal values therefore have equal representations and print identically.
public struct DecimalValue: Hashable, Sendable {
    public let significand: ExactInteger
    public let scale: Int

    /// Creates `significand · 10^-scale`, normalising trailing zeros away.
    public init(significand: ExactInteger, scale: Int) {
        precondition(scale >= 0)
        var s = significand, k = scale
        if s.isZero { k = 0 }
        while k > 0 && s.isMultipleOfTen {
            s = s.quotientAndRemainder(dividingBy: 10).quotient
            k -= 1
        }
        self.significand = s
        self.scale = k
    }

    public init(_ integer: ExactInteger) { self.init(significand: integer, scale: 0) }
    public init(_ integer: Int) { self.init(significand: ExactInteger(integer), scale: 0) }

    public static let zero = DecimalValue(0)
    public var isZero: Bool { significand.isZero }
    public var signum: Int { significand.signum }
    public var isInteger: Bool { scale == 0 }
    public var magnitude: DecimalValue { DecimalValue(significand: significand.magnitude, scale: scale) }

    /// The exact value as a fraction.
    public var rational: Rational { Rational(significand, .powerOfTen(scale)) }

    /// Number of digits before the point for |x| ≥ 1, otherwise minus the zeros after the point
    /// (see `Rational.decimalExponent`). 1 for zero.
    public var decimalExponent: Int {
        if significand.isZero { return 1 }
        return significand.decimalDigitCount - scale
    }

    /// Count of significant digits (digits of the significand); 1 for zero.
    public var significantDigitCount: Int { significand.decimalDigitCount }

    public static prefix func - (x: DecimalValue) -> DecimalValue {
        DecimalValue(significand: -x.significand, scale: x.scale)
    }

    public static func + (x: DecimalValue, y: DecimalValue) -> DecimalValue {
        if x.scale == y.scale { return DecimalValue(significand: x.significand + y.significand, scale: x.scale) }
        if x.scale < y.scale {
            return DecimalValue(significand: x.significand.shiftedLeft(decimalDigits: y.scale - x.scale) + y.significand, scale: y.scale)
        }
        return DecimalValue(significand: x.significand + y.significand.shiftedLeft(decimalDigits: x.scale - y.scale), scale: x.scale)
    }

    public static func - (x: DecimalValue, y: DecimalValue) -> DecimalValue { x + (-y) }

    public static func * (x: DecimalValue, y: DecimalValue) -> DecimalValue {
        DecimalValue(significand: x.significand * y.significand, scale: x.scale + y.scale)
    }

    /// x · 10^k (k ≥ 0): the point moved k places right.
    public func shiftedLeft(decimalDigits k: Int) -> DecimalValue {
        k <= scale ? DecimalValue(significand: significand, scale: scale - k)
                   : DecimalValue(significand: significand.shiftedLeft(decimalDigits: k - scale), scale: 0)
    }

    /// x · 10^-k (k ≥ 0): how a percent literal becomes its value.
    public func shiftedRight(decimalDigits k: Int) -> DecimalValue {
        DecimalValue(significand: significand, scale: scale + k)
    }

    /// `self` rounded to `t` digits after the point, halves away from zero.
    public func rounded(fractionDigits t: Int) -> DecimalValue {
        if scale <= t { return self }
        let drop = scale - t
        if drop <= 38, case .small = significand.storage {
            let p = ExactInteger.powerOfTen(drop)
            let (q, r) = significand.magnitude.quotientAndRemainder(dividingBy: p)
            let up = r + r >= p
            let m = up ? q + 1 : q
            return DecimalValue(significand: significand.signum < 0 ? -m : m, scale: t)
        }
        return DecimalValue(rounding: rational, fractionDigits: t)
    }

    /// The decimal nearest to `r` with `fractionDigits` digits after the point,
    /// halves rounded away from zero.
    public init(rounding r: Rational, fractionDigits t: Int) {
        precondition(t >= 0)
        let n = r.numerator.magnitude.shiftedLeft(decimalDigits: t)
        let (q, rem) = n.quotientAndRemainder(dividingBy: r.denominator)
        // rem/d ≥ 1/2  ⇔  2·rem ≥ d
        let rounded = rem + rem >= r.denominator ? q + 1 : q
        self.init(significand: r.signum < 0 ? -rounded : rounded, scale: t)
    }
}

extension DecimalValue {
    /// `a / b` rounded to the policy, computed by long division on machine words; nil when an
    /// intermediate would not fit in 128 bits (the caller then uses `Rational`). `b` ≠ 0.
    public static func quotient(_ a: DecimalValue, _ b: DecimalValue, policy: RoundingPolicy) -> DecimalValue? {
        guard case .small(let x) = a.significand.storage, case .small(let y) = b.significand.storage else { return nil }
        // a / b = (x·10^b.scale) / (y·10^a.scale) = n / d
        guard b.scale <= 38, a.scale <= 38 else { return nil }
        let (n, o1) = x.magnitude.multipliedReportingOverflow(by: UInt128(ExactInteger.smallPowerOfTen(b.scale)))
        let (d, o2) = y.magnitude.multipliedReportingOverflow(by: UInt128(ExactInteger.smallPowerOfTen(a.scale)))
        guard !o1, !o2, n <= UInt128(Int128.max), d <= UInt128(Int128.max) else { return nil }
        if n == 0 { return .zero }
        let dDigits = ExactInteger(Int128(d)).decimalDigitCount
        guard dDigits <= 36 else { return nil }
        // Decimal exponent of n/d: k or k+1 with k = digits(n) - digits(d).
        let k = ExactInteger(Int128(n)).decimalDigitCount - dDigits
        let e: Int
        // n ≥ d·10^k ⇔ ⌊n / 10^k⌋ ≥ d, which cannot overflow; for k < 0, n·10^-k < 10^digits(d).
        if k >= 0 { e = n / UInt128(ExactInteger.smallPowerOfTen(k)) >= d ? k + 1 : k }
        else { e = n * UInt128(ExactInteger.smallPowerOfTen(-k)) >= d ? k + 1 : k }
        let t = policy.fractionDigits(forExponent: e)
        // Integer part, then the t decimals in chunks that keep r·10^c below 10^37.
        var (q, r) = n.quotientAndRemainder(dividingBy: d)
        var left = t
        let chunk = 37 - dDigits
        while left > 0 {
            let c = min(left, chunk)
            let p = UInt128(ExactInteger.smallPowerOfTen(c))
            let (qc, rc) = (r * p).quotientAndRemainder(dividingBy: d)
            let (shifted, o) = q.multipliedReportingOverflow(by: p)
            guard !o, shifted <= UInt128(Int128.max) - qc else { return nil }
            q = shifted + qc
            r = rc
            left -= c
        }
        if r >= d - r { q += 1 } // half away from zero: r/d ≥ 1/2
        guard q <= UInt128(Int128.max) else { return nil }
        let negative = (x < 0) != (y < 0)
        return DecimalValue(significand: ExactInteger(negative ? -Int128(q) : Int128(q)), scale: t)
    }
}

extension DecimalValue: Comparable {
    public static func < (x: DecimalValue, y: DecimalValue) -> Bool { (x - y).signum < 0 }
}

extension DecimalValue {
    /// Appends the plain decimal text (`-0.0125`, `42`, never exponent notation).
    @inlinable public func write(to out: inout [UInt8]) {
        if significand.signum < 0 { out.append(UInt8(ascii: "-")) }
        let start = out.count
        significand.appendMagnitudeDigits(to: &out)
        if scale == 0 { return }
        let count = out.count - start
        if count <= scale {
            // 0.00ddd: the point and leading zeros go in front of the digits.
            out.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale - count + 2), at: start)
            out[start + 1] = UInt8(ascii: ".")
        } else {
            out.insert(UInt8(ascii: "."), at: out.count - scale)
        }
    }
}

extension DecimalValue: CustomStringConvertible {
    public var description: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
