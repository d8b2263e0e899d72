/// An exact rational number `numerator / denominator` in lowest terms, denominator > 0.
///
/// Used wherever the true value of an expression is needed (grading, verification):
/// it never rounds.
public struct Rational: Hashable, Sendable {
    public let numerator: ExactInteger
    public let denominator: ExactInteger

    /// Creates `n / d` reduced to lowest terms. `d` must not be zero.
    public init(_ n: ExactInteger, _ d: ExactInteger = .one) {
        precondition(!d.isZero, "zero denominator")
        var n = n, d = d
        if d.signum < 0 { n = -n; d = -d }
        if d != .one {
            let g = ExactInteger.gcd(n, d)
            if g != .one && !g.isZero {
                n = n.quotientAndRemainder(dividingBy: g).quotient
                d = d.quotientAndRemainder(dividingBy: g).quotient
            }
        }
        numerator = n
        denominator = d
    }

    public static let zero = Rational(.zero)
    public var isZero: Bool { numerator.isZero }
    public var signum: Int { numerator.signum }
    public var isInteger: Bool { denominator == .one }

    public static prefix func - (x: Rational) -> Rational { Rational(-x.numerator, x.denominator) }

    public static func + (x: Rational, y: Rational) -> Rational {
        if x.denominator == y.denominator { return Rational(x.numerator + y.numerator, x.denominator) }
        return Rational(x.numerator * y.denominator + y.numerator * x.denominator, x.denominator * y.denominator)
    }

    public static func - (x: Rational, y: Rational) -> Rational { x + (-y) }

    public static func * (x: Rational, y: Rational) -> Rational {
        Rational(x.numerator * y.numerator, x.denominator * y.denominator)
    }

    /// `y` must not be zero.
    public static func / (x: Rational, y: Rational) -> Rational {
        Rational(x.numerator * y.denominator, x.denominator * y.numerator)
    }

    /// x^k for any integer k; x must not be zero when k < 0.
    public func power(_ k: Int) -> Rational {
        k >= 0 ? Rational(numerator.power(k), denominator.power(k))
               : Rational(denominator.power(-k), numerator.power(-k))
    }

    /// Number of digits before the decimal point of |x| when |x| ≥ 1; otherwise minus the
    /// number of zeros between the point and the first significant digit (0.05 → -1, 0.5 → 0).
    /// Undefined for zero (returns 1).
    public var decimalExponent: Int {
        let n = numerator.magnitude, d = denominator
        if n.isZero { return 1 }
        if n >= d { return n.quotientAndRemainder(dividingBy: d).quotient.decimalDigitCount }
        // Smallest k ≥ 1 with n·10^k ≥ d; then |x| = 0.(k-1 zeros)…, exponent = 1 - k.
        var k = max(1, d.decimalDigitCount - n.decimalDigitCount)
        while n.shiftedLeft(decimalDigits: k) < d { k += 1 }
        while k > 1 && n.shiftedLeft(decimalDigits: k - 1) >= d { k -= 1 }
        return 1 - k
    }
}

extension Rational: Comparable {
    public static func < (x: Rational, y: Rational) -> Bool {
        x.numerator * y.denominator < y.numerator * x.denominator
    }
}

extension Rational: CustomStringConvertible {
    public var description: String { isInteger ? numerator.description : "\(numerator)/\(denominator)" }
}
