import ReckonArithmetic

/// Checks step chains with exact rational arithmetic, independently of how they were written.
///
/// A line `question=c1=c2=…=answer` passes when every component is the previous expression with
/// its next operation (in precedence order) performed — the result computed exactly and rounded
/// by the policy — or, for the last component only, the chain's final value directly (so
/// `direct` lines pass too). A component may start with a scratch block `{…}`: each of its
/// equations must hold exactly (`=`) or under the policy's rounding (`~`), its last equation must
/// start with a term equal to `|a| op |b|` and end in the magnitude of the step's result.
public struct Verifier: Sendable {
    public var policy: RoundingPolicy

    public init(policy: RoundingPolicy = .standard) { self.policy = policy }

    /// The first problem found in a line.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// 0 for the question, k for the k-th component after it.
        public var step: Int
        public var message: String
        /// Set when the step's expression is right but its scratch block is not: the block's
        /// first false part.
        public var scratchFault: ScratchFault?
        public var description: String { step == 0 ? "question: \(message)" : "step \(step): \(message)" }

        public init(step: Int, message: String, scratchFault: ScratchFault? = nil) {
            self.step = step
            self.message = message
            self.scratchFault = scratchFault
        }
    }

    /// The first false part of a scratch block, for telling which sub-step a model fails.
    public enum ScratchFault: String, Sendable, Codable, CaseIterable {
        /// A block, equation or line that cannot be read.
        case unreadable
        /// The block does not start from the step's operands (its last equation's first term, or
        /// a long division's head, is not |a| op |b|).
        case head
        /// A partial-product (or other) scratch equation is false.
        case equation
        /// Long division: an entry d*k=m of the table of multiples is false.
        case table
        /// Long division: the current number (last remainder, next digit brought down) is wrong.
        case broughtDown
        /// Long division: the multiple subtracted is another of the table's, d·k with k in 0…9, not
        /// the largest one not above the current number: a comparison, not a product, went wrong.
        case choice
        /// Long division: the number subtracted is no multiple d·k with k in 0…9 (miscopied).
        case product
        /// Long division: current − product is wrong.
        case remainder
        /// Long division: the quotient digit is not product/divisor.
        case digit
        /// Long division: the quotient so far is not extended by one digit, its point is
        /// misplaced, or the lines stop at the wrong place.
        case quotient
        /// The block's last value (or its rounding) is not the step's result.
        case ending
    }

    /// A false scratch block: which part, and a message naming it.
    struct BlockProblem {
        var fault: ScratchFault
        var message: String
        init(_ fault: ScratchFault, _ message: String) { self.fault = fault; self.message = message }
    }

    /// Returns nil when `line` is a correct chain, else its first bad step.
    public func check(_ line: Substring) -> Failure? {
        let parts = chainComponents(line)
        guard parts.count >= 2 else { return Failure(step: 0, message: "no '=': a chain is question=…=answer") }
        var current: Expression
        do { current = try Expression(parsing: String(parts[0])) } catch {
            return Failure(step: 0, message: "\(error)")
        }
        do { _ = try current.exactValue() } catch { return Failure(step: 0, message: "\(error)") }
        current.normalize()
        let normalizedQuestion = current.text

        for (k, raw) in parts.dropFirst().enumerated() {
            let step = k + 1
            var text = raw
            var block: Substring? = nil
            if text.first == "{" {
                guard let close = text.firstIndex(of: "}") else { return Failure(step: step, message: "scratch block has no closing '}'") }
                block = text[text.index(after: text.startIndex)..<close]
                text = text[text.index(after: close)...]
            }
            let found: Expression
            do { found = try Expression(parsing: String(text)) } catch {
                return Failure(step: step, message: "'\(text)': \(error)")
            }
            let isLast = step == parts.count - 1

            guard let i = current.nextOperation(), case .binary(let op, let l, let r) = current.nodes[i],
                  let x = current.operand(at: l)?.value, let y = current.operand(at: r)?.value else {
                // Nothing left to do: only a bracket-dropping rewrite of the question may follow.
                if step == 1 && found.text == normalizedQuestion && isLast { break }
                return Failure(step: step, message: "the previous expression is already a number")
            }
            let performed = current.text(of: i)
            let exactResult: Rational
            do { exactResult = try Expression.exactResult(of: op, x.rational, y.rational, text: performed) } catch {
                return Failure(step: step, message: "\(error)")
            }
            let result = policy.apply(exactResult)
            var expected = current
            expected.nodes[i] = .number(Literal(result))
            expected.normalize()

            if found.text == expected.text && text == found.text[...] {
                if let block, let problem = checkBlock(block, op: op, x, y, result: result) {
                    return Failure(step: step, message: problem.message, scratchFault: problem.fault)
                }
                current = expected
                continue
            }
            if isLast, block == nil, let answer = found.literal(at: found.root), found.isNumber {
                // A direct answer: must be the value the whole chain reaches.
                guard let chainAnswer = try? current.chainValue(policy: policy) else {
                    return Failure(step: step, message: "the expression '\(current.text)' has no value")
                }
                if answer.value == chainAnswer { current = found; break }
                return Failure(step: step, message: "answer '\(text)' is wrong: '\(current.text)' = \(chainAnswer)")
            }
            return Failure(step: step, message: "expected '\(expected.text)' (\(performed) = \(result)), found '\(text)'")
        }
        guard current.isNumber else {
            return Failure(step: parts.count - 1, message: "the chain does not end in a number")
        }
        return nil
    }

    /// Checks a scratch block's equations; returns the first false one.
    func checkBlock(_ block: Substring, op: BinaryOperator, _ x: DecimalValue, _ y: DecimalValue, result: DecimalValue) -> BlockProblem? {
        if op == .divide, let colon = block.firstIndex(of: ":") {
            return checkLongDivision(head: block[..<colon], lines: block[block.index(after: colon)...], x, y, result: result)
        }
        let equations = block.split(separator: ";", omittingEmptySubsequences: false)
        var lastFirst: Rational? = nil, lastValue: Rational? = nil
        for (n, equation) in equations.enumerated() {
            var values: [Rational] = []
            var relations: [Character] = []
            var start = equation.startIndex
            for i in equation.indices where equation[i] == "=" || equation[i] == "~" {
                relations.append(equation[i])
                guard let v = Self.value(equation[start..<i]) else { return BlockProblem(.unreadable, "scratch equation \(n + 1): cannot read '\(equation[start..<i])'") }
                values.append(v)
                start = equation.index(after: i)
            }
            guard let v = Self.value(equation[start...]) else { return BlockProblem(.unreadable, "scratch equation \(n + 1): cannot read '\(equation[start...])'") }
            values.append(v)
            guard !relations.isEmpty else { return BlockProblem(.unreadable, "scratch equation \(n + 1): '\(equation)' has no '=' or '~'") }
            for (j, relation) in relations.enumerated() {
                let ok = relation == "=" ? values[j] == values[j + 1] : policy.apply(values[j]).rational == values[j + 1]
                if !ok { return BlockProblem(.equation, "scratch equation \(n + 1) is false at part \(j + 2): '\(equation)'") }
            }
            lastFirst = values.first
            lastValue = values.last
        }
        guard let first = lastFirst, let last = lastValue else { return BlockProblem(.unreadable, "empty scratch block") }
        guard let magnitudes = try? Expression.exactResult(of: op, x.magnitude.rational, y.magnitude.rational, text: ""), first == magnitudes else {
            return BlockProblem(.head, "scratch block's last equation does not start with |a|\(op.symbol)|b|")
        }
        guard last == result.magnitude.rational else { return BlockProblem(.ending, "scratch block ends in \(last), the step's result is \(result)") }
        return nil
    }

    /// Checks a long-division block `{[a/b=]a'/d:d*2=m2,…,d*9=m9|c1-p1=r1,Q1;…;cn-pn=rn,Qn[~q]}`
    /// (`longdiv` format) from its definition: the head is |x|/|y| with a whole divisor d; the
    /// table holds d·2 … d·9; line k holds the quotient's digits down to place p_k = p_1 − k + 1
    /// (p_1: the place of the quotient's leading digit; Q_k read as a whole number, its point only
    /// marking the places below one), whose last digit is q_k = floor(c_k/d), where
    /// c_k = floor(a'/10^p_k) − 10·Q_{k−1}·d (the last remainder with the next digit brought
    /// down), with p_k = q_k·d and r_k = c_k − p_k; a false line's message names the first of c,
    /// q, p, r that is wrong. The lines stop at the guard digit one place below what the policy
    /// keeps, or earlier when the division terminated; `~q` rounds the last quotient to the
    /// step's result, or the last quotient is the result.
    func checkLongDivision(head: Substring, lines: Substring, _ x: DecimalValue, _ y: DecimalValue, result: DecimalValue) -> BlockProblem? {
        // The head: `a'/d`, possibly after `a/b=`.
        guard let parsedHead = LongDivisionHead(head) else {
            return BlockProblem(.unreadable, "long division: cannot read the whole-divisor division '\(head)'")
        }
        let dividend = parsedHead.dividend, d = parsedHead.divisor, divisor = Rational(d)
        if let moved = parsedHead.moved {
            guard let value = Self.value(moved), value == dividend / divisor else {
                return BlockProblem(.head, "long division: '\(moved)' is not '\(parsedHead.division)'")
            }
        }
        guard dividend / divisor == x.magnitude.rational / y.magnitude.rational else {
            return BlockProblem(.head, "long division: '\(parsedHead.division)' is not |\(x)|/|\(y)|")
        }
        // The table of multiples, then the lines, then an optional `~q`.
        guard let bar = lines.firstIndex(of: "|") else { return BlockProblem(.unreadable, "long division: no '|' after the table of multiples") }
        let table = lines[..<bar].split(separator: ",", omittingEmptySubsequences: false)
        guard table.count == 8 else { return BlockProblem(.table, "long division: the table has \(table.count) entries, not 8 (d*2 … d*9)") }
        for (i, entry) in table.enumerated() {
            let k = ExactInteger(i + 2)
            guard let eq = entry.firstIndex(of: "="), entry[..<eq] == "\(d)*\(k)", Self.value(entry[entry.index(after: eq)...]) == Rational(d * k)
            else { return BlockProblem(.table, "long division: table entry \(i + 1) is false: '\(entry)' (expected \(d)*\(k)=\(d * k))") }
        }
        var body = lines[lines.index(after: bar)...]
        var rounded: Rational? = nil
        if let tilde = body.firstIndex(of: "~") {
            guard let q = Self.value(body[body.index(after: tilde)...]) else { return BlockProblem(.unreadable, "long division: cannot read '\(body[tilde...])'") }
            rounded = q
            body = body[..<tilde]
        }
        var parsed: [LongDivisionLine] = []
        for (n, text) in body.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            guard let line = LongDivisionLine(text) else {
                return BlockProblem(.unreadable, "long division line \(n + 1): cannot read '\(text)' (expected current-product=remainder,quotient)")
            }
            parsed.append(line)
        }
        // The first line holds the quotient's leading digit.
        let exact = dividend / divisor
        guard exact.signum > 0 else { return BlockProblem(.head, "long division of zero") }
        let firstPlace = exact.decimalExponent - 1
        let guardPlace = -(policy.fractionDigits(forExponent: exact.decimalExponent) + 1)
        for (k, line) in parsed.enumerated() {
            let place = firstPlace - k
            let text = line.text
            if k > 0 && line.digits.dropLast() != parsed[k - 1].digits[...] {
                return BlockProblem(.quotient, "long division line \(k + 1): '\(text)' does not extend the quotient '\(parsed[k - 1].digits)' by one digit")
            }
            if (place < 0 ? line.fraction != -place : line.fraction != nil) {
                return BlockProblem(.quotient, "long division line \(k + 1): the point of '\(text)' is misplaced")
            }
            // c must be floor(a'/10^place) less what the quotient so far has taken (10·Q_{k−1}·d);
            // then p = the largest multiple of d not above c, r = c − p, and q = p/d, checked in
            // the order they are written.
            let scaled = place >= 0 ? dividend / Rational(.powerOfTen(place)) : dividend * Rational(.powerOfTen(-place))
            let (whole, _) = scaled.numerator.quotientAndRemainder(dividingBy: scaled.denominator)
            let before = k == 0 ? ExactInteger.zero : ExactInteger(digits: parsed[k - 1].digits.utf8)!
            let current = whole - before.shiftedLeft(decimalDigits: 1) * d
            let best = line.current.quotientAndRemainder(dividingBy: d).quotient
            let digit = ExactInteger(digits: line.digits.suffix(1).utf8)!
            let problem: (ScratchFault, String)? =
                line.current != current ? (.broughtDown, "brought down \(line.current), expected \(current)")
                : line.product != best * d ? Self.wrongMultiple(line.product, divisor: d, best: best, current: line.current)
                : line.remainder != line.current - line.product ? (.remainder, "remainder \(line.remainder), expected \(line.current - line.product)")
                : digit != best ? (.digit, "digit \(digit), expected \(best)")
                : nil
            if let (fault, what) = problem { return BlockProblem(fault, "long division line \(k + 1) is false: '\(text)' (\(what))") }
        }
        guard let final = parsed.last else { return BlockProblem(.unreadable, "long division: no lines") }
        let finalPlace = firstPlace - parsed.count + 1
        let lastValue = Rational(ExactInteger(digits: final.digits.utf8)!) * (finalPlace >= 0 ? Rational(.powerOfTen(finalPlace)) : Rational(.one, .powerOfTen(-finalPlace)))
        let terminated = lastValue == exact
        guard finalPlace == guardPlace || (terminated && finalPlace <= 0 && finalPlace >= guardPlace) else {
            return BlockProblem(.quotient, "long division: the lines stop at place \(finalPlace), not at the guard digit's \(guardPlace)")
        }
        if let rounded {
            guard policy.apply(lastValue).rational == rounded else { return BlockProblem(.ending, "long division: \(rounded) is not the quotient rounded") }
        }
        let value = rounded ?? lastValue
        guard value == result.magnitude.rational else { return BlockProblem(.ending, "long division ends in \(value), the step's result is \(result)") }
        return nil
    }

    /// Why `product` is not `divisor*best` (`best` ≤ 9): another multiple taken, or none.
    static func wrongMultiple(_ product: ExactInteger, divisor d: ExactInteger, best: ExactInteger,
                              current: ExactInteger) -> (ScratchFault, String) {
        let (k, rest) = product.quotientAndRemainder(dividingBy: d)
        if rest == .zero && k <= ExactInteger(9) {  // product and divisor are whole and positive
            return (.choice, "took \(d)*\(k)=\(product), expected \(d)*\(best)=\(best * d), the largest multiple not above \(current)")
        }
        return (.product, "product \(product) is no multiple of \(d) in the table, expected \(best * d) = \(d)*\(best)")
    }

    static func value(_ text: Substring) -> Rational? {
        guard let e = try? Expression(parsing: String(text)) else { return nil }
        return try? e.exactValue()
    }
}
