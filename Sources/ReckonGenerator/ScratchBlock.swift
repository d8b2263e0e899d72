import ReckonArithmetic

/// The scratchpad written in front of a `scratch`-format step: a `;`-separated list of equations
/// between braces, each a chain of parts joined by `=` (exactly equal) or `~` (the right side is
/// the left side rounded by the `RoundingPolicy`). Blocks work on magnitudes; the step that
/// follows applies the sign. The block's last equation starts with `|a| op |b|` (or an equal
/// fraction) and ends in the step's result.
///
/// Multiplication, when both operands have at least two non-zero digits: split the operand with
/// fewer non-zero digits into its digits (Goat's decomposition), multiply by one digit at a time,
/// add the partial products left to right:
/// `{1234*56=1234*50+1234*6=61700+7404=69104}`
///
/// Division (unless dividing by a power of ten): move both points until the divisor is whole,
/// then schoolbook long division, one line `r-d*q=r'` per quotient digit (r: the remainder so
/// far with the next digit brought down), to one digit past what the policy keeps; the last
/// equation gives the quotient:
/// `{9.83/4.2=98.3/42;98-42*2=14;143-42*3=17;170-42*4=2;…;98.3/42~2.3404761904761904762}`
///
/// Power with a whole exponent n ≥ 2: repeated multiplication,
/// `{12^3=12*12*12=144*12=1728}`.
///
/// Addition and subtraction are one hop: no block.
enum ScratchBlock {
    /// Appends the block for `a op b` (policy result `result`), or nothing when the operation is one hop.
    static func write(_ op: BinaryOperator, _ a: DecimalValue, _ b: DecimalValue, result: DecimalValue,
                      policy: RoundingPolicy, to out: inout [UInt8]) {
        switch op {
        case .add, .subtract: return
        case .multiply: writeProduct(a.magnitude, b.magnitude, result: result.magnitude, to: &out)
        case .divide: writeQuotient(a.magnitude, b.magnitude, policy: policy, to: &out)
        case .power: writePower(a, b, result: result, to: &out)
        }
    }

    /// Number of non-zero digits of x's significand.
    static func nonZeroDigits(_ x: DecimalValue) -> Int {
        var out: [UInt8] = []
        x.significand.appendMagnitudeDigits(to: &out)
        return out.reduce(0) { $0 + ($1 != 48 ? 1 : 0) }
    }

    /// |x| is 10^k for some integer k (a shift, not a division).
    static func isPowerOfTen(_ x: DecimalValue) -> Bool {
        let m = x.significand.magnitude
        return m == .powerOfTen(m.decimalDigitCount - 1)
    }

    /// x split into its non-zero digits at their place values, most significant first: 30.7 → [30, 0.7].
    static func placeTerms(_ x: DecimalValue) -> [DecimalValue] {
        var digits: [UInt8] = []
        x.significand.appendMagnitudeDigits(to: &digits)
        var terms: [DecimalValue] = []
        for (i, d) in digits.enumerated() where d != 48 {
            let place = digits.count - 1 - i - x.scale // power of ten of this digit
            let digit = ExactInteger(Int(d - 48))
            terms.append(place >= 0 ? DecimalValue(digit.shiftedLeft(decimalDigits: place))
                                    : DecimalValue(significand: digit, scale: -place))
        }
        return terms
    }

    private static func append(_ s: StaticString, to out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func writeProduct(_ a: DecimalValue, _ b: DecimalValue, result: DecimalValue, to out: inout [UInt8]) {
        let na = nonZeroDigits(a), nb = nonZeroDigits(b)
        guard min(na, nb) >= 2 else { return }
        let (kept, split) = na < nb ? (b, a) : (a, b)
        let terms = placeTerms(split)
        out.append(UInt8(ascii: "{"))
        kept.write(to: &out); out.append(UInt8(ascii: "*")); split.write(to: &out)
        out.append(UInt8(ascii: "="))
        for (i, t) in terms.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "+")) }
            kept.write(to: &out); out.append(UInt8(ascii: "*")); t.write(to: &out)
        }
        var partials = terms.map { kept * $0 }
        while true {
            out.append(UInt8(ascii: "="))
            for (i, p) in partials.enumerated() {
                if i > 0 { out.append(UInt8(ascii: "+")) }
                p.write(to: &out)
            }
            if partials.count == 1 { break }
            partials.replaceSubrange(0...1, with: [partials[0] + partials[1]])
        }
        if partials[0] != result {
            out.append(UInt8(ascii: "~"))
            result.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeQuotient(_ a: DecimalValue, _ b: DecimalValue, policy: RoundingPolicy, to out: inout [UInt8]) {
        guard !a.isZero, !b.isZero, !isPowerOfTen(b) else { return }
        // Make the divisor whole by moving both points: a/b = a'/d.
        let shifted = a.shiftedLeft(decimalDigits: b.scale)
        let divisor = b.significand.magnitude
        out.append(UInt8(ascii: "{"))
        if b.scale > 0 {
            a.write(to: &out); out.append(UInt8(ascii: "/")); b.write(to: &out)
            out.append(UInt8(ascii: "="))
            shifted.write(to: &out); out.append(UInt8(ascii: "/")); divisor.appendMagnitudeDigits(to: &out)
            out.append(UInt8(ascii: ";"))
        }
        // Schoolbook long division over the digits of a', then appended zeros, down to the guard
        // digit one place below what the policy keeps. One line per quotient digit once the
        // quotient has started: `r-d*q=r'`, where r is the last remainder with the next digit
        // brought down.
        let exact = shifted.rational / Rational(divisor)
        let keep = policy.fractionDigits(forExponent: exact.decimalExponent)
        var digits: [UInt8] = []
        shifted.significand.appendMagnitudeDigits(to: &digits)
        let lowestPlace = -(keep + 1)                  // guard digit
        let topPlace = digits.count - 1 - shifted.scale // place value of a''s first digit
        var remainder = ExactInteger.zero
        var started = false
        var place = topPlace
        while place >= lowestPlace {
            let index = topPlace - place
            let digit = index < digits.count ? ExactInteger(Int(digits[index] - 48)) : .zero
            let current = remainder.shiftedLeft(decimalDigits: 1) + digit
            let (q, rest) = current.quotientAndRemainder(dividingBy: divisor)
            if started || !q.isZero {
                started = true
                current.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "-"))
                divisor.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "*"))
                q.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "="))
                rest.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: ";"))
            }
            remainder = rest
            // Stop once nothing is left to divide: the quotient has terminated.
            if remainder.isZero && index + 1 >= digits.count && place <= 0 { break }
            place -= 1
        }
        let quotient = policy.apply(exact)
        shifted.write(to: &out); out.append(UInt8(ascii: "/")); divisor.appendMagnitudeDigits(to: &out)
        out.append(quotient.rational == exact ? UInt8(ascii: "=") : UInt8(ascii: "~"))
        quotient.write(to: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func writePower(_ a: DecimalValue, _ b: DecimalValue, result: DecimalValue, to out: inout [UInt8]) {
        guard b.isInteger, b.significand >= 2, b.significand <= 8 else { return }
        let n = Int(b.description)!
        let base = a.magnitude
        out.append(UInt8(ascii: "{"))
        base.write(to: &out); out.append(UInt8(ascii: "^")); b.write(to: &out)
        var factors = [DecimalValue](repeating: base, count: n)
        while true {
            out.append(UInt8(ascii: "="))
            for (i, f) in factors.enumerated() {
                if i > 0 { out.append(UInt8(ascii: "*")) }
                f.write(to: &out)
            }
            if factors.count == 1 { break }
            factors.replaceSubrange(0...1, with: [factors[0] * factors[1]])
        }
        if factors[0] != result.magnitude {
            out.append(UInt8(ascii: "~"))
            result.magnitude.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
