import ReckonGenerator

// A main-chain step that adds or subtracts two numbers (whole or decimal), read from the chain's text.
//
// A step `…a±b…=…c…` is right only if a ± b - c = 0. Grouped by sign, the three terms a, ±b and
// -c always make one sum of two magnitudes equal to the third (`8456-8204=252` holds if
// 8204+252 = 8456; `475-1214=-739` if 475+739 = 1214), so the model can check the step with an
// addition, as it checks a long-division line, and by a subtraction that must give back an operand
// (8456-252 must be 8204); the solver only moves signs and digits as text.
// A result with fewer fraction digits than its operands may be one the chain rounded (past the
// recipe's precision), whose sum cannot give an operand back: such a step is checked by the model's
// exact result, asked on its own, whose sum and difference must hold and which, rounded as the
// chain rounds (`RoundedResult`), must be c.

/// One step of the chain's main line that turns `a+b` or `a-b` (whole or decimal numbers, either
/// signed) into a number c.
struct SumStep {
    /// The digits (and decimal point) of a and b as written, each with the sign its term has in
    /// a ± b - c = 0.
    var operands: [(digits: String, negative: Bool)]
    /// c is written with a leading `-`.
    var resultIsNegative: Bool
    /// c's digits (and decimal point) in the text the step was read from.
    var result: Range<Int>
    /// For a long-division table's last multiple `d*9=m9` (a = m8, b = d): the text c + b must
    /// give, 10d (d and a zero). A second sum: a false m9 can pass its own, the model's sums
    /// sharing its slips (its 35536+4442 is 40978, and its 40978-4442 35536).
    var nextMultiple: String? = nil

    init(operands: [(digits: String, negative: Bool)], resultIsNegative: Bool, result: Range<Int>, nextMultiple: String? = nil) {
        self.operands = operands; self.resultIsNegative = resultIsNegative; self.result = result
        self.nextMultiple = nextMultiple
    }

    /// The step's checks as text: the two magnitudes to add and the total their sum must be, and
    /// a difference with c among its terms: the total less the pair's smaller term, which must
    /// give the larger (8456-252 must be 8204; 10602-4140 must be 6462); nil when the signs give
    /// no such sum (all terms of one sign). When c is the pair's larger term there is no such
    /// difference: the total less c is a difference of nearly equal numbers, at which the model
    /// is poor (its 78309-78300 is -1091), and the total less the other term is the step itself
    /// asked again, whose errors repeat the step's. Asked together, on 141 false steps of the
    /// shipped model that outlived the sum alone, its sum agreed with the false result 40 times
    /// and sum and difference 3 times; with the true result, 50 and 36 times.
    /// All three terms are asked without the zeros they share (`38268000+2870100=41138100` is
    /// checked as 382680+28701=411381).
    /// `exact`, when given, is the model's exact result of a step that may be rounded
    /// (`mayBeRounded`), checked in place of c, which must then be that result rounded.
    /// With `nextMultiple`, also the sum c + b and the total it must be (`next`), without the
    /// zeros its terms share.
    func sum(in text: [UInt8], exact: String? = nil)
        -> (addends: String, total: String, difference: (question: String, answer: String)?, next: (addends: String, total: String)?)? {
        let c = exact.map { (digits: String($0.drop { $0 == "-" }), negative: !$0.hasPrefix("-")) }
            ?? (digits: String(decoding: text[result], as: UTF8.self), negative: !resultIsNegative)
        let next = nextMultiple.map { m -> (addends: String, total: String) in
            let terms = [c.digits, operands[1].digits, m], zeros = sharedTrailingZeros(terms)
            let short = terms.map { String($0.dropLast(zeros)) }
            return (short[0] + "+" + short[1], short[2])
        }
        let zeros = sharedTrailingZeros((operands + [c]).map(\.digits))
        let terms = (operands + [c]).map { (digits: String($0.digits.dropLast(zeros)), negative: $0.negative) }
        let negative = terms.filter { $0.negative }, positive = terms.filter { !$0.negative }
        let (pair, single) = negative.count == 2 ? (negative, positive) : (positive, negative)
        guard pair.count == 2, single.count == 1 else { return nil }
        // c, if in the pair, is its last term.
        let (smaller, larger) = isSmaller(pair[1].digits, than: pair[0].digits) ? (pair[1], pair[0]) : (pair[0], pair[1])
        let cIsLarger = c.negative == pair[1].negative && larger.digits == c.digits && smaller.digits != c.digits
        return (pair[0].digits + "+" + pair[1].digits, single[0].digits,
                cIsLarger ? nil : (single[0].digits + "-" + smaller.digits, larger.digits), next)
    }

    /// c has fewer fraction digits than a or b: the chain may have rounded it (or dropped zeros
    /// that end it), so its check is of the exact result, which must round to c (`RoundedResult`).
    func mayBeRounded(in text: [UInt8]) -> Bool {
        let c = String(decoding: text[result], as: UTF8.self)
        return wholeAndFraction(c[...]).fraction.count < operands.map { wholeAndFraction($0.digits[...]).fraction.count }.max()!
    }

    /// The zeros that end both a and b. The model adds long numbers poorly (its
    /// 848800000+50928000 is 899788000, and 809880000 in the other order) but their shortened
    /// forms well (its 848800+50928 is 899728), so a step is asked without them and they are put
    /// back on the model's answer as text (`answer(from:)`).
    var sharedZeros: Int { sharedTrailingZeros(operands.map(\.digits)) }

    /// a and b without their shared zeros.
    private var shortOperands: [String] { operands.map { String($0.digits.dropLast(sharedZeros)) } }

    /// The step as a question of its own, `a+b` or `a-b` with a's sign (b's folded into the
    /// operator) and without the operands' shared zeros: the model's fresh answer to it
    /// (`answer(from:)`) is a candidate for a false result.
    var question: String {
        (operands[0].negative ? "-" : "") + shortOperands[0] + (operands[1].negative ? "-" : "+") + shortOperands[1]
    }

    /// The step with its terms in the other order, `b+a` or `b-a` with b's sign folded into the
    /// operator (and without the shared zeros), and whether its answer is the step's negated
    /// (`a-b` is asked as `b-a`).
    var swappedQuestion: (question: String, negated: Bool) {
        (shortOperands[1] + (operands[0].negative == operands[1].negative ? "+" : "-") + shortOperands[0], operands[1].negative)
    }

    /// The step's result from the model's answer to `question` (or to `swappedQuestion`, turned
    /// to the step's sign): the shared zeros appended. Nil for an answer with a point, which
    /// appended zeros would not scale.
    func answer(from modelAnswer: String) -> String? {
        guard sharedZeros > 0 else { return modelAnswer }
        guard !modelAnswer.contains(".") else { return nil }
        let isZero = modelAnswer.allSatisfy { $0 == "0" || $0 == "-" }
        return isZero ? modelAnswer : modelAnswer + String(repeating: "0", count: sharedZeros)
    }

    /// Every step of the main line whose result lies in `text[from...]`, in order, with `result`
    /// counted from `from`. `text` is the question, its `=` and the chain (from `from` on); the
    /// chain's last expression is read only if `complete`.
    static func all(in text: [UInt8], from: Int, complete: Bool) -> [SumStep] {
        let expressions = mainLineExpressions(in: text, complete: complete)
        return zip(expressions, expressions.dropFirst()).compactMap { before, after in
            guard after.lowerBound >= from, var step = SumStep(text, from: before, to: after) else { return nil }
            step.result = step.result.lowerBound - from ..< step.result.upperBound - from
            return step
        }
    }

    /// Every step of the product blocks' sums of partial products in `text` (a chain), in order:
    /// `{9567*4393=…=38268000+2870100+861030+28701=41138100+861030+28701=…}` gives the step
    /// 38268000+2870100=41138100 and the ones after it (a last sum up to its rounding `~`).
    /// Only closed blocks are read, and no long-division block (its `:`).
    static func inProductBlocks(of text: [UInt8]) -> [SumStep] {
        var steps: [SumStep] = []
        var open: Int? = nil
        for i in text.indices {
            if text[i] == UInt8(ascii: "{") { open = i; continue }
            guard text[i] == UInt8(ascii: "}"), let start = open else { continue }
            open = nil
            let body = start + 1 ..< i
            guard !text[body].contains(UInt8(ascii: ":")) else { continue }
            var expressions: [Range<Int>] = [], from = body.lowerBound
            for j in body where text[j] == UInt8(ascii: "=") { expressions.append(from ..< j); from = j + 1 }
            // The last sum may be rounded after it (`…=395.72875000819~395.72875`).
            expressions.append(from ..< (text[from ..< body.upperBound].firstIndex(of: UInt8(ascii: "~")) ?? body.upperBound))
            steps += zip(expressions, expressions.dropFirst()).compactMap { SumStep(text, from: $0, to: $1) }
        }
        return steps
    }

    /// Every entry `d*k=m` of the long-division tables (`{a'/d:d*2=m2,d*3=m3,…|…`) in `text`
    /// whose m is written whole (a `,` or `|` follows it), in order, as the step that adds d to
    /// the multiple before it: `d*7=m7` holds only if m6+d = m7 (and `d*2=m2` if d+d = m2). A
    /// table is read up to its first entry whose k is not the next digit. The model adds far
    /// better than it multiplies long numbers (its 28570094*7 is 209990658), and a sum is asked in
    /// pieces where a division by k was asked whole (`PartialProduct`). The last, `d*9=m9`, must
    /// also give 10d with d added (`nextMultiple`).
    static func inDivisionTables(of text: [UInt8]) -> [SumStep] {
        var steps: [SumStep] = []
        for colon in text.indices where text[colon] == UInt8(ascii: ":") {
            var s = colon
            while s > 0, isDigit(text[s - 1]) { s -= 1 }
            guard s < colon, s > 0, text[s - 1] == UInt8(ascii: "/") else { continue }
            let divisor = String(decoding: text[s ..< colon], as: UTF8.self)
            var at = colon + 1, previous = divisor, next = UInt8(ascii: "2")
            func number(endedBy terminators: String) -> Range<Int>? { readNumber(in: text, at: &at, endedBy: terminators) }
            // The table's entries, up to the `|` that starts the block's lines.
            while number(endedBy: "*") != nil, let k = number(endedBy: "="), text[k].elementsEqual([next]), let m = number(endedBy: ",|") {
                steps.append(SumStep(operands: [(previous, false), (divisor, false)], resultIsNegative: false, result: m,
                                     nextMultiple: next == UInt8(ascii: "9") ? divisor + "0" : nil))
                if text[m.upperBound] == UInt8(ascii: "|") { break }
                previous = String(decoding: text[m], as: UTF8.self)
                next += 1
            }
        }
        return steps
    }

    /// The step from the expression at `before` to the one at `after`, if what changed between
    /// them is one `a±b` (in brackets or not) that became a number c.
    init?(_ text: [UInt8], from before: Range<Int>, to after: Range<Int>) {
        let old = text[before], new = text[after]
        // What changed: strip the common prefix and suffix, widened to whole signed numbers.
        let ends = unchangedEnds(old, new), suffix = ends.suffix
        var prefix = ends.prefix
        func opening(_ k: Int) -> Bool { k == 0 || old[old.startIndex + k - 1] == UInt8(ascii: "(") || old[old.startIndex + k - 1] == UInt8(ascii: "[") }
        if prefix > 0, old[old.startIndex + prefix - 1] == UInt8(ascii: "-"), opening(prefix - 1) { prefix -= 1 }   // a's sign
        var changed = old.dropFirst(prefix).dropLast(suffix)
        let c = new.startIndex + prefix ..< new.endIndex - suffix
        let bracketed = (changed.first == UInt8(ascii: "(") && changed.last == UInt8(ascii: ")"))
            || (changed.first == UInt8(ascii: "[") && changed.last == UInt8(ascii: "]"))
        if bracketed {
            changed = changed.dropFirst().dropLast()
        } else {
            // Unbracketed, a±b is done first only at the start of its expression or bracket,
            // and c must not be an operand of a product, quotient or percent that follows.
            let next = suffix > 0 ? old[old.endIndex - suffix] : nil
            guard opening(prefix), next == nil || [UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(next!) else { return nil }
        }
        // changed = [-]a[%](+|-)[-]b[%], new[c] = [-]c
        func signedNumber(_ bytes: ArraySlice<UInt8>) -> (digits: ArraySlice<UInt8>, negative: Bool)? {
            let negative = bytes.first == UInt8(ascii: "-")
            let digits = negative ? bytes.dropFirst() : bytes
            return isNumber(digits) ? (digits, negative) : nil
        }
        /// An operand, a percentage as the decimal it stands for (`5850%` is 58.5).
        func operand(_ bytes: ArraySlice<UInt8>) -> (digits: String, negative: Bool)? {
            let percent = bytes.last == UInt8(ascii: "%")
            guard let n = signedNumber(percent ? bytes.dropLast() : bytes) else { return nil }
            let digits = String(decoding: n.digits, as: UTF8.self)
            return (percent ? movingPoint(of: digits, left: 2) : digits, n.negative)
        }
        guard let op = changed.dropFirst().firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }),
              let a = operand(changed[..<op]), let b = operand(changed[(op + 1)...]),
              let result = signedNumber(new[c]) else { return nil }
        let minus = changed[op] == UInt8(ascii: "-")
        operands = [a, (b.digits, b.negative != minus)]
        resultIsNegative = result.negative
        self.result = result.digits.startIndex ..< result.digits.endIndex
    }
}

/// The main line's expressions in `text` (a question, its `=` and a chain): its components, each
/// after the block `{…}` it starts with; the last only if the chain is `complete`.
func mainLineExpressions(in text: [UInt8], complete: Bool) -> [Range<Int>] {
    let line = String(decoding: text, as: UTF8.self)
    var components = chainComponents(line[...])
    if !complete { components.removeLast() }
    return components.map { part in
        let start = part.first == "{" ? part.lastIndex(of: "}").map(part.index(after:)) ?? part.endIndex : part.startIndex
        return line.utf8.distance(from: line.startIndex, to: start) ..< line.utf8.distance(from: line.startIndex, to: part.endIndex)
    }
}

/// The lengths of the longest common prefix and suffix of two expressions `old` and `new` (not
/// overlapping), shortened so that neither ends inside a number of `old`: what lies between them
/// is what one step changed, its numbers whole.
func unchangedEnds(_ old: ArraySlice<UInt8>, _ new: ArraySlice<UInt8>) -> (prefix: Int, suffix: Int) {
    var prefix = zip(old, new).prefix { $0 == $1 }.count
    var suffix = zip(old.reversed(), new.reversed()).prefix { $0 == $1 }.count
    suffix = min(suffix, old.count - prefix, new.count - prefix)
    while prefix > 0, isNumeral(old[old.startIndex + prefix - 1]) { prefix -= 1 }
    while suffix > 0, isNumeral(old[old.endIndex - suffix]) { suffix -= 1 }
    return (prefix, suffix)
}

func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

/// How many zeros end every one of `numbers` (texts as the chain writes them) while leaving each
/// a nonzero digit: 0 if any has a point or is zero. A sum of them holds exactly when it holds
/// without these zeros.
func sharedTrailingZeros(_ numbers: [String]) -> Int {
    numbers.map { n -> Int in
        guard !n.contains(".") else { return 0 }
        let zeros = n.reversed().prefix { $0 == "0" }.count
        return zeros < n.count ? zeros : 0
    }.min() ?? 0
}

/// A digit or a decimal point: a character of an unsigned number as the chain writes it.
func isNumeral(_ c: UInt8) -> Bool { isDigit(c) || c == UInt8(ascii: ".") }

/// `bytes` is an unsigned number as the chain writes it: digits with at most one decimal point
/// between them (`12`, `0.5`; not `.5`, `5.` or `1.2.3`).
func isNumber(_ bytes: some BidirectionalCollection<UInt8>) -> Bool {
    let points = bytes.filter { $0 == UInt8(ascii: ".") }.count
    return bytes.first.map(isDigit) == true && bytes.last.map(isDigit) == true && points <= 1 && bytes.allSatisfy(isNumeral)
}

/// A number's text split at its point: the digits before it and those after it (none without one).
func wholeAndFraction(_ number: Substring) -> (whole: Substring, fraction: Substring) {
    guard let point = number.firstIndex(of: ".") else { return (number, "") }
    return (number[..<point], number[number.index(after: point)...])
}

/// Whether the unsigned number `x` is less than `y`, both as the chain writes them (`isNumber`),
/// read digit by digit: by the integer part's length without leading zeros, then by the digits,
/// the shorter fraction padded with zeros.
func isSmaller(_ x: String, than y: String) -> Bool {
    func parts(_ n: String) -> (whole: Substring, fraction: Substring) {
        let (whole, fraction) = wholeAndFraction(n[...])
        return (whole.drop { $0 == "0" }, fraction)
    }
    let (a, b) = (parts(x), parts(y))
    if a.whole.count != b.whole.count { return a.whole.count < b.whole.count }
    if a.whole != b.whole { return a.whole < b.whole }
    let width = max(a.fraction.count, b.fraction.count)
    func padded(_ f: Substring) -> String { f + String(repeating: "0", count: width - f.count) }
    return padded(a.fraction) < padded(b.fraction)
}

/// A number's text without the zeros that end its fraction (and without a point left bare), so
/// that `2.50` and `2.5` compare equal as texts.
func withoutTrailingFractionZeros(_ number: String) -> Substring {
    guard number.contains(".") else { return number[...] }
    var end = number.endIndex
    while end > number.startIndex, number[number.index(before: end)] == "0" { end = number.index(before: end) }
    if end > number.startIndex, number[number.index(before: end)] == "." { end = number.index(before: end) }
    return number[..<end]
}
