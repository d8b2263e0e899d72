// A partial product of a product block, read from the chain's text, and its check by division.
//
// A block `{a*b=a*m1+a*m2+…=p1+p2+…` multiplies a by one place term m of b at a time (m has one
// non-zero digit k: 7000, 0.03). p = a*m is right only if p/m = a, and the model can divide: it
// is asked `p'/k`, with p' the text of p with its point moved by m's places (7000: three to the
// left), and its answer must be the text of a. Division is another path through the model's
// skills (a table of k's multiples and subtractions), so its errors seldom repeat the product's.
// Its answer keeps the policy's digits only (10 significant in `reckon-mathglm`): when it is
// shorter than a, all its digits but the rounded last must start a. Terms by 1, 10, 0.01 are
// shifts, not checked. A main-line product by a place term (`13127*4=52508`, no block) is
// checked the same way. (A long division's table `d*k=m` is checked by sums: `SumStep`.)

/// A partial product `a*m=p` of a product block or the main line, m a
/// place term with one non-zero digit k ≠ 1.
struct PartialProduct: Equatable {
    /// a's text as written in the block or step.
    var multiplicand: String
    /// m's non-zero digit k, and the places to move p's point left (negative: right) for p/k.
    var digit: Character
    var places: Int
    /// p's digits (and point) in the text it was read from.
    var product: Range<Int>

    /// Every partial product of the product blocks `{a*b=a*m1+…+a*mn=p1+…+pn` in `text` whose
    /// p is written whole (a `+`, `=` or `}` follows it), in order.
    static func all(in text: [UInt8]) -> [PartialProduct] {
        var found: [PartialProduct] = []
        for open in text.indices where text[open] == UInt8(ascii: "{") {
            var at = open + 1
            func number(endedBy terminators: String) -> Range<Int>? { readNumber(in: text, at: &at, endedBy: terminators) }
            guard let a = number(endedBy: "*"), number(endedBy: "=") != nil else { continue }
            // The terms a*m, up to the `=` that ends them.
            var terms: [Range<Int>] = []
            while let term = number(endedBy: "*"), text[term].elementsEqual(text[a]), let m = number(endedBy: "+=") {
                terms.append(m)
                if text[m.upperBound] == UInt8(ascii: "=") { break }
            }
            guard terms.count >= 2, text[terms.last!.upperBound] == UInt8(ascii: "=") else { continue }
            for m in terms {
                guard let p = number(endedBy: "+=}") else { break }
                if let (digit, places) = placeTerm(String(decoding: text[m], as: UTF8.self)), digit != "1" {
                    found.append(PartialProduct(multiplicand: String(decoding: text[a], as: UTF8.self),
                                                digit: digit, places: places, product: p))
                }
            }
        }
        return found
    }

    /// Every step of the main line whose result lies in `text[from...]` and that turns `a*m` or
    /// `m*a` (unsigned, m a place term with a digit k ≠ 1) into a number p: a product the chain
    /// writes without a block. `product` is counted from `from`; `text` is the question, its `=`
    /// and the chain, whose last expression is read only if `complete`.
    static func mainLine(in text: [UInt8], from: Int, complete: Bool) -> [PartialProduct] {
        let expressions = mainLineExpressions(in: text, complete: complete)
        return zip(expressions, expressions.dropFirst()).compactMap { before, after in
            guard after.lowerBound >= from else { return nil }
            let old = text[before], new = text[after]
            // What changed, widened to whole numbers (signs stay outside: only magnitudes are checked).
            let (prefix, suffix) = unchangedEnds(old, new)
            let changed = old.dropFirst(prefix).dropLast(suffix)
            let p = new.startIndex + prefix ..< new.endIndex - suffix
            guard let star = changed.firstIndex(of: UInt8(ascii: "*")), isNumber(new[p]),
                  isNumber(changed[..<star]), isNumber(changed[(star + 1)...]) else { return nil }
            let operands = [String(decoding: changed[..<star], as: UTF8.self), String(decoding: changed[(star + 1)...], as: UTF8.self)]
            for (m, a) in [(operands[1], operands[0]), (operands[0], operands[1])] {
                if let (digit, places) = placeTerm(m), digit != "1" {
                    return PartialProduct(multiplicand: a, digit: digit, places: places, product: p.lowerBound - from ..< p.upperBound - from)
                }
            }
            return nil
        }
    }

    /// m = k·10^places with one non-zero digit k (`7000` → (7, 3), `0.03` → (3, -2)); nil otherwise.
    static func placeTerm(_ m: String) -> (digit: Character, places: Int)? {
        let digits = Array(m.filter { $0 != "." })
        guard digits.filter({ $0 != "0" }).count == 1, let k = digits.firstIndex(where: { $0 != "0" }) else { return nil }
        let integerDigits = m.firstIndex(of: ".").map { m.distance(from: m.startIndex, to: $0) } ?? m.count
        return (digits[k], integerDigits - 1 - k)
    }

    /// The check as text: the question `p'/k` and the quotient it must have (a); nil if p is not
    /// a number.
    func division(in text: [UInt8]) -> (question: String, quotient: String)? {
        let p = String(decoding: text[product], as: UTF8.self)
        guard isNumber(p.utf8) else { return nil }
        return (movingPoint(of: p, left: places) + "/" + String(digit), multiplicand)
    }

    /// Whether the model's `answer` to the division is the multiplicand: equal as numbers' texts,
    /// or, when the answer keeps fewer decimals than a, equal up to the answer's last digit.
    func quotientMatches(_ answer: String) -> Bool {
        let q = withoutTrailingFractionZeros(answer), a = withoutTrailingFractionZeros(multiplicand)
        if q == a { return true }
        func decimals(_ s: Substring) -> Int { s.firstIndex(of: ".").map { s.distance(from: $0, to: s.endIndex) - 1 } ?? 0 }
        guard q.contains("."), decimals(q) < decimals(a), q.count >= 2 else { return false }
        return a.hasPrefix(q.dropLast())
    }
}

/// The number (`isNumber`) at offset `at` of `text`, ended by one of `terminators`; then `at`
/// moves past its terminator. Nil, and `at` unmoved, if no such number starts there.
func readNumber(in text: [UInt8], at: inout Int, endedBy terminators: String) -> Range<Int>? {
    var e = at
    while e < text.count, isNumeral(text[e]) { e += 1 }
    guard e < text.count, terminators.utf8.contains(text[e]), isNumber(text[at ..< e]) else { return nil }
    defer { at = e + 1 }
    return at ..< e
}

/// `number`'s text (digits, at most one point) with its point moved `left` places to the left
/// (negative: to the right), written as the chain writes numbers: no leading zeros before the
/// units, no zeros ending a fraction (`274902000`, 3 → `274902`; `236.3615`, -2 → `23636.15`).
func movingPoint(of number: String, left: Int) -> String {
    var digits = Array(number.filter { $0 != "." })
    var point = (number.firstIndex(of: ".").map { number.distance(from: number.startIndex, to: $0) } ?? number.count) - left
    if point <= 0 { digits.insert(contentsOf: repeatElement("0", count: 1 - point), at: 0); point = 1 }
    if point > digits.count { digits.append(contentsOf: repeatElement("0", count: point - digits.count)) }
    var whole = digits[..<point].drop { $0 == "0" }
    if whole.isEmpty { whole = ["0"] }
    let fraction = String(digits[point...])
    return String(withoutTrailingFractionZeros(String(whole) + (fraction.isEmpty ? "" : "." + fraction)))
}
