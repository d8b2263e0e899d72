// A partial product of a product block, read from the chain's text, and its checks.
//
// A block `{a*b=a*m1+a*m2+…=p1+p2+…` multiplies a by one place term m of b at a time (m has one
// non-zero digit k: 7000, 0.03). p = a*m is right only if p/m = a, and the model can divide: it
// is asked `p'/k`, with p' the text of p with its point moved by m's places (7000: three to the
// left), and its answer must be the text of a. Division is another path through the model's
// skills (a table of k's multiples and subtractions), so its errors seldom repeat the product's.
// Its answer keeps the policy's digits only (10 significant in `reckon-mathglm`): when it is
// shorter than a, all its digits but the rounded last must start a. A main-line product by a
// place term (`13127*4=52508`, no block) is checked the same way, and, where no rounding can
// reach it, however sure, as a block's are below. (A long division's table
// `d*k=m` is checked by sums: `SumStep`.)
//
// Where p's digits sit is read as text, since a block's partial products are exact: p's first
// non-zero digit is a's moved by m's places, or one place higher (k·a may carry), none is below
// a's last moved the same way, and its two digits from there must be those that end (a's last two
// digits)·k, a short product the model is asked in both orders (`67*7` and `7*67`, 469: 69), and
// compared only where the two agree: of the 720 products of two digits (the last not 0) by one,
// it gets 2 wrong one way and 23 the other, and never the same wrong answer both ways (with three
// digits, 14 of 578 one way). Every partial product is checked so, however sure: the model's
// division often puts its quotient's point a place off, and its long products' slips are often
// sure. A term by 1, 10 or 0.01 is a shift: its p must be a's text with the point moved.
//
// p's digits are checked, however sure, by the model's a*k in pieces (`pieceQuestions`): a's
// digits two at a time times k, each asked in both orders, the products put together as text and
// added by the model in pieces of two digits, in both orders. Its long products by one digit are
// right in 5 of 159 it got wrong in a chain; its products of two digits by one in 718 of 720 one
// way, and it never gives the same wrong answer both ways. Where both orders agree throughout, p
// must be the pieces' product; where they do not, that product is still a rewrite of a p whose
// places are false.

/// A partial product `a*m=p` of a product block or the main line, m a place term with one
/// non-zero digit k (k = 1, a shift, only in a block).
struct PartialProduct: Equatable {
    /// a's text as written in the block or step.
    var multiplicand: String
    /// m's non-zero digit k, and the places to move p's point left (negative: right) for p/k.
    var digit: Character
    var places: Int
    /// p's digits (and point) in the text it was read from.
    var product: Range<Int>
    /// p is a's exact product, so where its digits sit is read from a's (a block's partial
    /// product, or a main-line one with too few decimals to be rounded).
    var isExact = false
    /// p's digits are checked by the model's division `p'/k` (not for a shift).
    var isDividedBack = true

    /// A term by 1, 10, 0.01…: p is a's text with its point moved.
    var isShift: Bool { digit == "1" }

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
                if let (digit, places) = placeTerm(String(decoding: text[m], as: UTF8.self)) {
                    found.append(PartialProduct(multiplicand: String(decoding: text[a], as: UTF8.self), digit: digit,
                                                places: places, product: p, isExact: true, isDividedBack: digit != "1"))
                }
            }
        }
        return found
    }

    /// Every step of the main line whose result lies in `text[from...]` and that turns `a*m` or
    /// `m*a` (unsigned, m a place term with a digit k ≠ 1) into a number p: a product the chain
    /// writes without a block. `product` is counted from `from`; `text` is the question, its `=`
    /// and the chain, whose last expression is read only if `complete`. p is exact where a*m has
    /// at most `exactFractionDigits` decimals (the fewest a chain's rounding keeps).
    static func mainLine(in text: [UInt8], from: Int, complete: Bool, exactFractionDigits: Int) -> [PartialProduct] {
        let expressions = mainLineExpressions(in: text, complete: complete)
        return zip(expressions, expressions.dropFirst()).compactMap { before, after in
            guard after.lowerBound >= from else { return nil }
            let old = text[before], new = text[after]
            // What changed, widened to whole numbers (signs stay outside: only magnitudes are checked).
            let (prefix, suffix) = unchangedEnds(old, new)
            var changed = old.dropFirst(prefix).dropLast(suffix)
            let p = new.startIndex + prefix ..< new.endIndex - suffix
            // A bracketed product is written without its brackets: `(9*245)` → `2205`.
            if let open = changed.first, let close = changed.last, changed.count > 2,
               [(UInt8(ascii: "("), UInt8(ascii: ")")), (UInt8(ascii: "["), UInt8(ascii: "]"))].contains(where: { $0 == (open, close) }) {
                changed = changed.dropFirst().dropLast()
            }
            guard let star = changed.firstIndex(of: UInt8(ascii: "*")), isNumber(new[p]),
                  isNumber(changed[..<star]), isNumber(changed[(star + 1)...]) else { return nil }
            let operands = [String(decoding: changed[..<star], as: UTF8.self), String(decoding: changed[(star + 1)...], as: UTF8.self)]
            for (m, a) in [(operands[1], operands[0]), (operands[0], operands[1])] {
                if let (digit, places) = placeTerm(m), digit != "1" {
                    return PartialProduct(multiplicand: a, digit: digit, places: places, product: p.lowerBound - from ..< p.upperBound - from,
                                          isExact: decimals(of: a) + max(0, -places) <= exactFractionDigits)
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
    /// a number or the product is a shift.
    func division(in text: [UInt8]) -> (question: String, quotient: String)? {
        let p = String(decoding: text[product], as: UTF8.self)
        guard isNumber(p.utf8), !isShift else { return nil }
        return (movingPoint(of: p, left: places) + "/" + String(digit), multiplicand)
    }

    /// Whether the model's `answer` to the division is the multiplicand: equal as numbers' texts,
    /// or, when the answer keeps fewer decimals than a, equal up to the answer's last digit.
    func quotientMatches(_ answer: String) -> Bool {
        let q = withoutTrailingFractionZeros(answer), a = withoutTrailingFractionZeros(multiplicand)
        if q == a { return true }
        guard q.contains("."), decimals(of: q) < decimals(of: a), q.count >= 2 else { return false }
        return a.hasPrefix(q.dropLast())
    }
}

extension PartialProduct {
    /// The product that ends as a*k's digits must, from a's last digit up, in both orders: a's
    /// last two significant digits times k (`25*8`, `8*25`). Empty for a shift.
    var lastDigitsQuestions: [String] {
        let last = significantDigits(of: multiplicand).suffix(2).drop { $0 == "0" }
        return isShift || last.isEmpty ? [] : [last + "*" + String(digit), String(digit) + "*" + last]
    }

    /// Whether p sits where a*m's digits must, and ends as they must (for an exact product): a
    /// shift's p is a's text with its point moved; any other's first non-zero digit is at a's
    /// first moved by m's places, or one place higher, none is below a's last moved the same way,
    /// and its two digits from there are the last two of `lastDigits`, the model's answer to
    /// `lastDigitsQuestions` (nil: not known, so not compared).
    func placesHold(in text: [UInt8], lastDigits: String?) -> Bool {
        let p = String(decoding: text[product], as: UTF8.self)
        if isShift { return p == shifted }
        guard let (firstA, lastA) = nonZeroPlaces(of: multiplicand), let (first, last) = nonZeroPlaces(of: p) else { return false }
        let lowest = lastA + places
        guard first == firstA + places || first == firstA + places + 1, last >= lowest else { return false }
        guard let ending = lastDigits.flatMap(Self.lastTwoDigits) else { return true }
        return digits(of: p, at: lowest ..< lowest + 2) == ending
    }

    /// A rewrite of p where `placesHold` finds it false: a shift's text, or p's digits with their
    /// last where a's last and the zeros that end `lastDigits` put it; nil if `lastDigits` is not
    /// known, ends in two zeros (a third may follow: 125*8=1000) or the rewrite does not hold.
    func placed(in text: [UInt8], lastDigits: String?) -> String? {
        if isShift { return shifted }
        guard let lastDigits, let ending = Self.lastTwoDigits(of: lastDigits), ending != "00",
              let (_, lastA) = nonZeroPlaces(of: multiplicand) else { return nil }
        let digits = significantDigits(of: String(decoding: text[product], as: UTF8.self))
        return digits.isEmpty ? nil : holding(movingPoint(of: digits, left: -(lastA + places + (ending.last == "0" ? 1 : 0))), lastDigits: lastDigits)
    }

    /// `candidate`, a rewrite of p, if `placesHold` finds it true.
    private func holding(_ candidate: String, lastDigits: String?) -> String? {
        let at = PartialProduct(multiplicand: multiplicand, digit: digit, places: places, product: 0 ..< candidate.utf8.count)
        return at.placesHold(in: Array(candidate.utf8), lastDigits: lastDigits) ? candidate : nil
    }

    /// The last two digits of `answer` (a zero put before a shorter one: `8` → `08`); nil unless
    /// it is a whole number that is not 0.
    static func lastTwoDigits(of answer: String) -> String? {
        guard !answer.isEmpty, answer.allSatisfy(\.isWholeNumber), answer.contains(where: { $0 != "0" }) else { return nil }
        return String(("0" + answer).suffix(2))
    }

    /// a*k in pieces: a's significant digits cut into pieces of two from its last, each asked
    /// times k in both orders (`1354906267*4`: `67*4`, `4*67`, `62*4`, `4*62`, `9*4`, `4*9`,
    /// `54*4`, …; a piece `90` is asked as `9*4`, its zero put back as text, since the model's
    /// `90*4` is 3600; `00` is 0, not asked). Empty for a shift.
    var pieceQuestions: [String] {
        guard !isShift else { return [] }
        return Self.pieces(of: significantDigits(of: multiplicand)).flatMap { piece -> [String] in
            guard !piece.isEmpty else { return [] }
            let asked = piece.hasSuffix("0") ? String(piece.dropLast()) : piece
            return [asked + "*" + String(digit), String(digit) + "*" + asked]
        }
    }

    /// The sum that puts the pieces' products together, from the model's `answers` to
    /// `pieceQuestions`, and whether both orders gave every piece's product (where they differ,
    /// `piece*k`'s answer is taken: of the 720 products of two digits, the last not 0, by one,
    /// the model gets 2 wrong that way and 23 the other, never the same wrong answer both ways;
    /// its 75*8 is 500, its 8*75 600). Each has at most three digits, so those of every other
    /// piece do not overlap and are written side by side as text, each at its place (268, 360
    /// and 52 above as 5203600268; 248 and 216 as 216024800, with the two zeros of their places:
    /// `5203600268+216024800`; one term alone is the product); nil if an answer is not a whole
    /// number of at most four digits, or for a shift.
    func piecesSum(answers: [String?]) -> (sum: String, bothOrders: Bool)? {
        guard !isShift else { return nil }
        var answers = answers[...]
        var sides = ["", ""], bothOrders = true
        for (n, piece) in Self.pieces(of: significantDigits(of: multiplicand)).enumerated() {
            var product = "0"
            if !piece.isEmpty {
                guard let answer = answers.popFirst() ?? nil, !answer.isEmpty, answer.allSatisfy(\.isWholeNumber) else { return nil }
                let swapped = answers.popFirst() ?? nil
                bothOrders = bothOrders && swapped == answer
                product = answer + (piece.hasSuffix("0") ? "0" : "")
                guard product.count <= 4 else { return nil }
            }
            sides[n % 2] = String(repeating: "0", count: 4 - product.count) + product + sides[n % 2]
        }
        let terms = [sides[0], sides[1].isEmpty ? "" : sides[1] + "00"].map { String($0.drop { $0 == "0" }) }.filter { !$0.isEmpty }
        return terms.isEmpty ? nil : (terms.joined(separator: "+"), bothOrders)
    }

    /// p from the model's answer to `piecesSum` (a*k's digits, moved to a's last place by m's),
    /// if `placesHold` finds it true.
    func fromPieces(_ total: String, lastDigits: String?) -> String? {
        guard let (_, lastA) = nonZeroPlaces(of: multiplicand), !total.isEmpty, total.allSatisfy(\.isWholeNumber) else { return nil }
        return holding(movingPoint(of: total, left: -(lastA + places)), lastDigits: lastDigits)
    }

    /// `digits` cut into pieces of two from the last (the first may have one), last first, with
    /// their leading zeros dropped (`05` → `5`, `00` → empty).
    private static func pieces(of digits: String) -> [String] {
        let all = Array(digits)
        return stride(from: all.count, to: 0, by: -2).map { end in String(String(all[max(0, end - 2) ..< end]).drop { $0 == "0" }) }
    }

    /// a's text with its point moved by m's places: a shift's product.
    var shifted: String { movingPoint(of: multiplicand, left: -places) }
}

/// How many digits `number` has after its point (`41.50` → 2).
func decimals(of number: some StringProtocol) -> Int {
    number.firstIndex(of: ".").map { number.distance(from: $0, to: number.endIndex) - 1 } ?? 0
}

/// `number`'s digits at the powers of ten `places`, highest first (`120.5`, -1 ..< 2 → `205`);
/// zeros where it has no digit.
func digits(of number: String, at places: Range<Int>) -> String {
    let all = Array(number.filter { $0 != "." }), units = unitsIndex(of: number)
    return String(places.reversed().map { place in
        let i = units - place
        return all.indices.contains(i) ? all[i] : "0"
    })
}

/// `number`'s digits from its first non-zero one to its last (`0.04050` → `405`; `0` → none).
func significantDigits(of number: String) -> String {
    let digits = number.filter { $0 != "." }
    return String(digits.drop { $0 == "0" }.reversed().drop { $0 == "0" }.reversed())
}

/// The powers of ten of the first and the last non-zero digit of `number` (digits, at most one
/// point): `0.0405` → (-2, -4), `7000` → (3, 3); nil if it has none.
func nonZeroPlaces(of number: String) -> (first: Int, last: Int)? {
    let digits = Array(number.filter { $0 != "." })
    guard let first = digits.firstIndex(where: { $0 != "0" }), let last = digits.lastIndex(where: { $0 != "0" }) else { return nil }
    return (unitsIndex(of: number) - first, unitsIndex(of: number) - last)
}

/// The index of the units digit among `number`'s digits (its point left out): `120.5` → 2.
private func unitsIndex(of number: String) -> Int {
    (number.firstIndex(of: ".").map { number.distance(from: number.startIndex, to: $0) } ?? number.count) - 1
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
