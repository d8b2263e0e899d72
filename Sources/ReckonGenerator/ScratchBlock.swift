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
public enum ScratchBlock {
    /// Appends `format`'s block for `a op b` (policy result `result`), or nothing when the
    /// operation is one hop. Division has one block per format: schoolbook lines (`scratch`),
    /// long division with a table (`longdiv`) or refinement rounds (`refine`).
    static func write(_ op: BinaryOperator, _ a: DecimalValue, _ b: DecimalValue, result: DecimalValue,
                      policy: RoundingPolicy, format: StepFormat, to out: inout [UInt8]) {
        switch op {
        case .add, .subtract: return
        case .multiply: writeProduct(a.magnitude, b.magnitude, result: result.magnitude, to: &out)
        case .divide:
            switch format {
            case .longdiv: writeLongQuotient(a.magnitude, b.magnitude, policy: policy, to: &out)
            case .refine: writeRefinedQuotient(a.magnitude, b.magnitude, policy: policy, to: &out)
            default: writeQuotient(a.magnitude, b.magnitude, policy: policy, to: &out)
            }
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

    /// The product block's operands: `kept` times `split`, the one with fewer non-zero digits
    /// (split into its place terms); nil when either has one non-zero digit (no block).
    private static func productOperands(_ a: DecimalValue, _ b: DecimalValue) -> (kept: DecimalValue, split: DecimalValue)? {
        let na = nonZeroDigits(a), nb = nonZeroDigits(b)
        guard min(na, nb) >= 2 else { return nil }
        return na < nb ? (b, a) : (a, b)
    }

    private static func writeProduct(_ a: DecimalValue, _ b: DecimalValue, result: DecimalValue, to out: inout [UInt8]) {
        guard let (kept, split) = productOperands(a, b) else { return }
        out.append(UInt8(ascii: "{"))
        let product = writeProductEquation(kept, split, to: &out)
        if product != result {
            out.append(UInt8(ascii: "~"))
            result.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Writes `kept*split=kept*t1+kept*t2+…=p1+p2+…=…=p` (the partial products by `split`'s
    /// place terms, added left to right), or `kept*split=p` when `split` has one non-zero digit;
    /// returns the product p.
    private static func writeProductEquation(_ kept: DecimalValue, _ split: DecimalValue, to out: inout [UInt8]) -> DecimalValue {
        let terms = writeProductTerms(kept, split, to: &out)
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
        return partials[0]
    }

    /// Writes `kept*split[=kept*t1+kept*t2+…]` (the terms when `split` has more than one) and
    /// returns `split`'s place terms.
    private static func writeProductTerms(_ kept: DecimalValue, _ split: DecimalValue, to out: inout [UInt8]) -> [DecimalValue] {
        kept.write(to: &out); out.append(UInt8(ascii: "*")); split.write(to: &out)
        let terms = placeTerms(split)
        if terms.count > 1 {
            out.append(UInt8(ascii: "="))
            for (i, t) in terms.enumerated() {
                if i > 0 { out.append(UInt8(ascii: "+")) }
                kept.write(to: &out); out.append(UInt8(ascii: "*")); t.write(to: &out)
            }
        }
        return terms
    }

    /// One line of a long division of a whole-divisor dividend: at `place` (the power of ten of
    /// the quotient digit), `current` (the last remainder with the next digit brought down)
    /// divided by the divisor gives digit `digit` and leaves `remainder`.
    struct DivisionLine {
        var place: Int
        var current: ExactInteger
        var digit: ExactInteger
        var remainder: ExactInteger
    }

    /// Schoolbook long division of `dividend` (any decimal ≥ 0) by the whole `divisor`, from the
    /// quotient's first non-zero digit down to the guard digit one place below what the policy
    /// keeps (or until nothing is left to divide).
    static func divisionLines(_ dividend: DecimalValue, by divisor: ExactInteger, policy: RoundingPolicy) -> [DivisionLine] {
        let exact = dividend.rational / Rational(divisor)
        let keep = policy.fractionDigits(forExponent: exact.decimalExponent)
        var digits: [UInt8] = []
        dividend.significand.appendMagnitudeDigits(to: &digits)
        let lowestPlace = -(keep + 1)                    // guard digit
        let topPlace = digits.count - 1 - dividend.scale // place value of the dividend's first digit
        var lines: [DivisionLine] = []
        var remainder = ExactInteger.zero
        var place = topPlace
        while place >= lowestPlace {
            let index = topPlace - place
            let digit = index < digits.count ? ExactInteger(Int(digits[index] - 48)) : .zero
            let current = remainder.shiftedLeft(decimalDigits: 1) + digit
            let (q, rest) = current.quotientAndRemainder(dividingBy: divisor)
            if !lines.isEmpty || !q.isZero {
                lines.append(DivisionLine(place: place, current: current, digit: q, remainder: rest))
            }
            remainder = rest
            // Stop once nothing is left to divide: the quotient has terminated.
            if remainder.isZero && index + 1 >= digits.count && place <= 0 { break }
            place -= 1
        }
        return lines
    }

    /// `a/b` as a division by a whole number `a'/d`: both points moved until the divisor is whole.
    private static func wholeDivisor(_ a: DecimalValue, _ b: DecimalValue) -> (dividend: DecimalValue, divisor: ExactInteger) {
        (a.shiftedLeft(decimalDigits: b.scale), b.significand.magnitude)
    }

    private static func writeDivision(_ a: DecimalValue, _ d: ExactInteger, to out: inout [UInt8]) {
        a.write(to: &out); out.append(UInt8(ascii: "/")); d.appendMagnitudeDigits(to: &out)
    }

    private static func writeQuotient(_ a: DecimalValue, _ b: DecimalValue, policy: RoundingPolicy, to out: inout [UInt8]) {
        guard !a.isZero, !b.isZero, !isPowerOfTen(b) else { return }
        out.append(UInt8(ascii: "{"))
        let (shifted, divisor) = wholeDivisor(a, b)
        if b.scale > 0 {
            a.write(to: &out); out.append(UInt8(ascii: "/")); b.write(to: &out); out.append(UInt8(ascii: "="))
            writeDivision(shifted, divisor, to: &out); out.append(UInt8(ascii: ";"))
        }
        // One line `r-d*q=r'` per quotient digit.
        for line in divisionLines(shifted, by: divisor, policy: policy) {
            line.current.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "-"))
            divisor.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "*"))
            line.digit.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "="))
            line.remainder.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: ";"))
        }
        let exact = shifted.rational / Rational(divisor)
        let quotient = policy.apply(exact)
        writeDivision(shifted, divisor, to: &out)
        out.append(quotient.rational == exact ? UInt8(ascii: "=") : UInt8(ascii: "~"))
        quotient.write(to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Writes the `longdiv` block's head `[a/b=]a'/d:` and returns a' and d.
    private static func writeLongDivisionHead(_ a: DecimalValue, _ b: DecimalValue, to out: inout [UInt8]) -> (dividend: DecimalValue, divisor: ExactInteger) {
        let (shifted, divisor) = wholeDivisor(a, b)
        if b.scale > 0 { a.write(to: &out); out.append(UInt8(ascii: "/")); b.write(to: &out); out.append(UInt8(ascii: "=")) }
        writeDivision(shifted, divisor, to: &out)
        out.append(UInt8(ascii: ":"))
        return (shifted, divisor)
    }

    /// The start of `format`'s block for `a op b` that copies the operands and owes nothing to
    /// the result: `{` and the product's terms up to their `=` (`{1234*56=1234*50+1234*6=`),
    /// or `{` and a `longdiv` division's head (`{9.83/4.2=98.3/42:`). Nil when `format` writes
    /// no block for the operation or none of a known start (a product by one non-zero digit, a
    /// division by a power of ten, other formats' divisions and powers). The points of a and b
    /// are only moved: nothing is computed.
    public static func head(_ op: BinaryOperator, _ a: DecimalValue, _ b: DecimalValue, format: StepFormat) -> String? {
        guard format.writesBlock(for: op) else { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        switch op {
        case .multiply:
            guard let (kept, split) = productOperands(a.magnitude, b.magnitude),
                  writeProductTerms(kept, split, to: &out).count > 1 else { return nil }
            out.append(UInt8(ascii: "="))
        case .divide where format == .longdiv:
            guard !a.isZero, !b.isZero, !isPowerOfTen(b) else { return nil }
            _ = writeLongDivisionHead(a.magnitude, b.magnitude, to: &out)
        default:
            return nil
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `longdiv` block: `{[a/b=]a'/d:d*2=m2,…,d*9=m9|c1-p1=r1,Q1;c2-p2=r2,Q2;…~q}`. First the
    /// divisor's multiples, each a one-digit product with its operands written beside it; then
    /// one line per quotient digit q_k: the current dividend c_k (the last remainder with the next
    /// digit brought down), the largest multiple p_k = q_k·d not above it (0, d or a table entry),
    /// the remainder r_k = c_k − p_k, and the quotient so far Q_k (its last digit q_k). Every part
    /// is a copy, a comparison with written numbers or a subtraction of adjacent ones. The last Q
    /// is the answer before rounding; `~q` (the policy's rounding) ends the block unless the
    /// division terminated.
    private static func writeLongQuotient(_ a: DecimalValue, _ b: DecimalValue, policy: RoundingPolicy, to out: inout [UInt8]) {
        guard !a.isZero, !b.isZero, !isPowerOfTen(b) else { return }
        out.append(UInt8(ascii: "{"))
        let (shifted, divisor) = writeLongDivisionHead(a, b, to: &out)
        for k in 2...9 {
            if k > 2 { out.append(UInt8(ascii: ",")) }
            divisor.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "*")); out.append(UInt8(ascii: "0") + UInt8(k))
            out.append(UInt8(ascii: "=")); (divisor * ExactInteger(k)).appendMagnitudeDigits(to: &out)
        }
        out.append(UInt8(ascii: "|"))
        let lines = divisionLines(shifted, by: divisor, policy: policy)
        var quotient: [UInt8] = []           // digits so far, with the point once past place 0
        if let first = lines.first, first.place < 0 {
            quotient = [UInt8(ascii: "0"), UInt8(ascii: ".")] + repeatElement(UInt8(ascii: "0"), count: -first.place - 1)
        }
        for (k, line) in lines.enumerated() {
            if line.place == -1 && !quotient.isEmpty && !quotient.contains(UInt8(ascii: ".")) { quotient.append(UInt8(ascii: ".")) }
            line.digit.appendMagnitudeDigits(to: &quotient)
            if k > 0 { out.append(UInt8(ascii: ";")) }
            line.current.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "-"))
            (line.digit * divisor).appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: "="))
            line.remainder.appendMagnitudeDigits(to: &out); out.append(UInt8(ascii: ","))
            out.append(contentsOf: quotient)
        }
        let exact = shifted.rational / Rational(divisor)
        let rounded = policy.apply(exact)
        if rounded.rational != exact {
            out.append(UInt8(ascii: "~"))
            rounded.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Refinement rounds of the `refine` block, each fixing a quotient's next two significant digits.
    static let refinementRounds = 2

    /// x ≥ 0 truncated to its two leading significant digits: 0.06732 → 0.067, 15673 → 15000.
    static func leadingTwoDigits(_ x: Rational) -> DecimalValue {
        guard x.signum > 0 else { return .zero }
        let k = 2 - x.decimalExponent // fraction digits of the truncation (negative: whole tens, hundreds, …)
        let n = x.numerator.magnitude, d = x.denominator
        if k >= 0 {
            return DecimalValue(significand: n.shiftedLeft(decimalDigits: k).quotientAndRemainder(dividingBy: d).quotient, scale: k)
        }
        let q = n.quotientAndRemainder(dividingBy: d.shiftedLeft(decimalDigits: -k)).quotient
        return DecimalValue(q.shiftedLeft(decimalDigits: -k))
    }

    /// One unit in the last of x's two leading digits: 140 → 10, 2.8 → 0.1, 0.067 → 0.001.
    static func unitInLastPlace(_ x: DecimalValue) -> DecimalValue {
        let place = x.decimalExponent - 2
        return place >= 0 ? DecimalValue(ExactInteger.powerOfTen(place)) : DecimalValue(significand: .one, scale: -place)
    }

    /// Whether round `k` of a ÷ b takes its leading digits one unit low (about a third of
    /// rounds), decided by the operands' digits so that a chain stays a function of its
    /// question. The residual then comes out up to twice its usual size: trained only on true
    /// digits, session 14's model learned that residuals are small and wrote small numbers
    /// instead of subtracting.
    static func takesLowEstimate(_ a: DecimalValue, _ b: DecimalValue, round k: Int) -> Bool {
        var text: [UInt8] = []
        a.write(to: &text); text.append(UInt8(ascii: "/")); b.write(to: &text)
        var h = UInt64(k)
        for byte in text { h = SplitMix64.mix(h ^ UInt64(byte)) }
        return h % 3 == 0
    }

    /// The `refine` block for a ÷ b (magnitudes): a quotient estimated two digits at a time and
    /// corrected with exact residuals, so the digits a small model can estimate (the leading two
    /// of a quotient) are made exact by what it computes reliably (products and differences).
    /// Round k takes q_k, the two leading digits of r_k/b (r_0 = a; one unit low in about a
    /// third of rounds, see `takesLowEstimate`), writes b·q_k as a product equation and the
    /// residual r_{k+1} = r_k − b·q_k; after `refinementRounds` rounds (or a zero residual) the
    /// last equation gathers the quotient:
    /// `a/b=q_0+q_1+r/b=Q+r/b~result`, where only the small tail r/b is estimated in one hop:
    /// `{3*0.66=3*0.6+3*0.06=1.8+0.18=1.98;2-1.98=0.02;3*0.0066=…=0.0198;0.02-0.0198=0.0002;
    /// 2/3=0.66+0.0066+0.0002/3=0.6666+0.0002/3~0.6666666667}` (2/3, 10 significant digits).
    private static func writeRefinedQuotient(_ a: DecimalValue, _ b: DecimalValue, policy: RoundingPolicy, to out: inout [UInt8]) {
        guard !a.isZero, !b.isZero, !isPowerOfTen(b) else { return }
        out.append(UInt8(ascii: "{"))
        var residual = a
        var digits: [DecimalValue] = []
        while digits.count < refinementRounds && !residual.isZero {
            var q = leadingTwoDigits(residual.rational / b.rational)
            if takesLowEstimate(a, b, round: digits.count) { q = q - unitInLastPlace(q) }
            digits.append(q)
            let product = writeProductEquation(b, q, to: &out)
            out.append(UInt8(ascii: ";"))
            residual.write(to: &out); out.append(UInt8(ascii: "-")); product.write(to: &out)
            residual = residual - product
            out.append(UInt8(ascii: "=")); residual.write(to: &out)
            out.append(UInt8(ascii: ";"))
        }
        // a/b = q_0 + q_1 + … (+ r/b)
        a.write(to: &out); out.append(UInt8(ascii: "/")); b.write(to: &out)
        out.append(UInt8(ascii: "="))
        for (i, q) in digits.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "+")) }
            q.write(to: &out)
        }
        func writeTail() {
            if residual.isZero { return }
            out.append(UInt8(ascii: "+")); residual.write(to: &out)
            out.append(UInt8(ascii: "/")); b.write(to: &out)
        }
        writeTail()
        let sum = digits.reduce(DecimalValue.zero, +)
        if digits.count > 1 {
            out.append(UInt8(ascii: "=")); sum.write(to: &out); writeTail()
        }
        // The quotient, unless the sum already is it: a terminating quotient can still have more
        // digits than the policy keeps (72.00000001/4 = 18.0000000025 ~ 18).
        let exact = a.rational / b.rational
        let quotient = policy.apply(exact)
        if !residual.isZero || quotient.rational != exact {
            out.append(quotient.rational == exact ? UInt8(ascii: "=") : UInt8(ascii: "~"))
            quotient.write(to: &out)
        }
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
