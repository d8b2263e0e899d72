/// How a step chain writes a result that has too many digits (in practice a quotient that
/// does not terminate, or a product of long decimals).
///
/// A result `v` keeps `max(minimumFractionDigits, significantDigits - e)` digits after the
/// point, where `e` is `v`'s decimal exponent (digits before the point for |v| ≥ 1, minus the
/// zeros after the point otherwise), rounded half away from zero. So:
/// - integers, sums and products that are short enough are written exactly;
/// - a small quotient keeps `significantDigits` significant digits (1/3 → 0.33333333333333333333);
/// - a large value never loses its integer digits and keeps at least `minimumFractionDigits`
///   decimals, so that rounding the answer to 2 decimals (MathGLM's grading) stays right.
///
/// The policy is deterministic and the same for every format, the generator and the verifier.
public struct RoundingPolicy: Hashable, Sendable, Codable {
    public var significantDigits: Int
    public var minimumFractionDigits: Int

    public init(significantDigits: Int, minimumFractionDigits: Int) {
        precondition(significantDigits >= 1 && minimumFractionDigits >= 0)
        self.significantDigits = significantDigits
        self.minimumFractionDigits = minimumFractionDigits
    }

    /// The policy every Reckon corpus uses (measured in the README: the chain's answer rounds
    /// to the same 2-decimal value as the exact answer on ≥ 99.9% of `mathglm` questions).
    public static let standard = RoundingPolicy(significantDigits: 20, minimumFractionDigits: 6)

    /// Digits kept after the point for a value with decimal exponent `e`.
    @inlinable public func fractionDigits(forExponent e: Int) -> Int {
        max(minimumFractionDigits, significantDigits - e)
    }

    /// `v` as a chain writes it: unchanged when short enough, otherwise rounded.
    public func apply(_ v: DecimalValue) -> DecimalValue {
        let t = fractionDigits(forExponent: v.decimalExponent)
        if v.scale <= t { return v }
        return v.rounded(fractionDigits: t)
    }

    /// The exact value `r` as a chain writes it.
    public func apply(_ r: Rational) -> DecimalValue {
        if r.isZero { return .zero }
        return DecimalValue(rounding: r, fractionDigits: fractionDigits(forExponent: r.decimalExponent))
    }
}
