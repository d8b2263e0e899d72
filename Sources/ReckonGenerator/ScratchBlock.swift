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
/// Division (unless dividing by a power of ten): make both sides whole, then long division, one
/// line `r-d*q=r'` per quotient digit (integer digits at their place value, then one line per
/// decimal, appending a 0 to the remainder), up to one digit past what the policy keeps; the last
/// equation gives the quotient:
/// `{9.83/4.2=983/420;983-420*2=143;1430-420*3=170;…;983/420~2.34047619047619}`
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
        let k = max(a.scale, b.scale)
        let dividend = a.significand.shiftedLeft(decimalDigits: k - a.scale)
        let divisor = b.significand.shiftedLeft(decimalDigits: k - b.scale)
        out.append(UInt8(ascii: "{"))
        if k > 0 {
            a.write(to: &out); out.append(UInt8(ascii: "/")); b.write(to: &out)
            out.append(UInt8(ascii: "="))
            dividend.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "/")); divisor.appendMagnitudeDigits(to: &out)
            out.append(UInt8(ascii: ";"))
        }
        func line(_ r: ExactInteger, _ q: ExactInteger, _ rest: ExactInteger) {
            r.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "-"))
            divisor.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "*"))
            q.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "="))
            rest.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: ";"))
        }
        // Integer part: one line per non-zero quotient digit, at its place value.
        let (integerQuotient, _) = dividend.quotientAndRemainder(dividingBy: divisor)
        var remainder = dividend
        for term in placeTerms(DecimalValue(integerQuotient)) {
            let q = term.significand
            let next = remainder - divisor * q
            line(remainder, q, next)
            remainder = next
        }
        // Decimals: one line per digit, through the guard digit the rounding needs.
        let exact = Rational(dividend, divisor)
        let keep = policy.fractionDigits(forExponent: exact.decimalExponent)
        var digitsWritten = 0
        while !remainder.isZero && digitsWritten <= keep {
            let r = remainder.shiftedLeft(decimalDigits: 1)
            let (q, rest) = r.quotientAndRemainder(dividingBy: divisor)
            line(r, q, rest)
            remainder = rest
            digitsWritten += 1
        }
        let quotient = policy.apply(exact)
        dividend.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "/")); divisor.appendMagnitudeDigits(to: &out)
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
