// A long sum or difference asked of the model a few digits at a time.
//
// The shipped model adds and subtracts short numbers well and long ones poorly: on 400 random
// sums whose longer term has 6 to 12 digits it answered 231 right asked whole and 392 asked in
// pieces of three digits; on 400 such differences, 229 whole and 366 digit by digit
// (`scripts/piecewise-probe.py`). Its errors on long numbers are missed carries far from the
// units, which a short piece does not have. The
// solver only cuts the two terms' texts into aligned pieces, compares pieces as texts and puts
// the model's answers back together; every digit of the result is the model's:
// - a sum's piece is asked `p+q` and, for a carry from the piece below, `p+q+1`; the carry out
//   of a piece is read from the length of the model's answer (a fourth digit, which must be `1`);
// - a difference's piece borrows when its minuend's digits are smaller, as texts, than its
//   subtrahend's (or equal, with a borrow from below); it is then asked with a `1` written before
//   the minuend's digits (`1160-962`), and with `-1` after it for a borrow from the piece below;
// - signed terms are asked as their magnitudes, the larger first in a difference, chosen by
//   comparing the texts; the sign goes back on the result as text.

/// A sum or difference of two numbers, whole or decimal, either signed (`[-]a+b`, `[-]a-b`),
/// asked of the model as pieces of a few digits aligned at the units (or the point): as the sum
/// of their magnitudes or the smaller magnitude taken from the larger, the sign put back as text
/// (`-a-b` is -(a+b); `a-b` with a < b is -(b-a)).
struct PiecewiseQuestion {
    /// Digits per piece of a sum: on the sums above, pieces of 3 digits gave 392 of 400 right;
    /// of 2, 394; of 4, 389; of 5, 361 (of 1, 340 of another 400).
    static let sumWidth = 3
    /// Digits per piece of a difference: on the differences above, pieces of 1 digit gave 366
    /// of 400 right; of 2, 308; of 3, 346 (its `1114-894` is 210; one digit at a time, its
    /// slips in session 58 were all `10-4`, `10-4-1` and `13-4`, as 5, 4 and 8).
    static let differenceWidth = 1
    /// Questions whose aligned terms are no longer than this are asked whole: the model adds
    /// them as well whole (in session 58, at least 19 of 20 random sums right for every pair of
    /// lengths up to 5 digits).
    static let wholeUpTo = 5
    /// Digits per piece of a sum asked in pieces however short (`always`): a false step's
    /// check and fresh answer, asked again. The model's slips on short sums are cascading carries
    /// (its 3148+3857 is 6905), which pieces of 2 cut where pieces of 3 would ask most such sums
    /// whole; on 400 random sums of 3 to 5 digits it got 391 right whole, 396 in pieces of 2.
    static let shortSumWidth = 2

    let isDifference: Bool
    /// The result is the pieces' result negated.
    let isNegative: Bool
    /// Digits per piece.
    let width: Int
    /// The pieces' digits, the units' piece first, x's and y's alike long (the top piece may
    /// be shorter than `width`), with their leading zeros; a difference's x is the larger.
    let pieces: [(x: String, y: String)]
    /// Digits after the point in x and y as aligned.
    let fractionDigits: Int

    /// `question` in pieces, or nil if it is no sum or difference of two numbers or is short
    /// enough to ask whole (unless `always`: then however short, a sum in pieces of
    /// `shortSumWidth`). The pieces' result is exact, however long its fraction: a step the
    /// chain rounded (`384249-9.083687883=384239.916312`) is checked by its exact result
    /// (384239.916312117), which the solver then rounds as the chain does (`RoundedResult`).
    init?(_ question: String, always: Bool = false) {
        let aIsNegative = question.hasPrefix("-"), body = question.dropFirst(aIsNegative ? 1 : 0)
        guard let op = body.firstIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let first = body[..<op], second = body[body.index(after: op)...], bIsNegative = body[op] == "-"
        guard isNumber(first.utf8), isNumber(second.utf8) else { return nil }
        // Terms of one sign add, with that sign; of two, the smaller magnitude is taken from the
        // larger, with the larger's sign.
        isDifference = aIsNegative != bIsNegative
        let bIsLarger = isDifference && isSmaller(String(first), than: String(second))
        let terms = bIsLarger ? [second, first] : [first, second]
        isNegative = bIsLarger ? bIsNegative : aIsNegative
        let (x, y) = (wholeAndFraction(terms[0]), wholeAndFraction(terms[1]))
        let fraction = max(x.fraction.count, y.fraction.count), whole = max(x.whole.count, y.whole.count)
        guard always || whole + fraction > Self.wholeUpTo else { return nil }
        func aligned(_ n: (whole: Substring, fraction: Substring)) -> [Character] {
            Array(String(repeating: "0", count: whole - n.whole.count) + n.whole + n.fraction
                  + String(repeating: "0", count: fraction - n.fraction.count))
        }
        let (a, b) = (aligned(x), aligned(y)), width = isDifference ? Self.differenceWidth : always ? Self.shortSumWidth : Self.sumWidth
        pieces = stride(from: a.count, to: 0, by: -width).map { end in
            let range = max(0, end - width) ..< end
            return (String(a[range]), String(b[range]))
        }
        fractionDigits = fraction
        self.width = width
    }

    /// The questions to ask (nil where a piece is copied, with no question):
    /// - a sum, two per piece: without a carry in and with one (`p+q`, `p+q+1`); a piece with a
    ///   zero term is copied without a carry and asked `p+1` with one (the model's `679+0` is 689);
    /// - a difference, one per piece, its borrows read from the pieces' texts: `p-q`, `1p-q` if it
    ///   borrows, with `-1` after it if the piece below borrowed; a zero q is copied, or `p-1`.
    var questions: [String?] {
        if isDifference {
            return zip(pieces, borrows).map { piece, borrow in
                let minuend = borrow.out ? "1" + piece.x : short(piece.x), subtrahend = short(piece.y)
                if subtrahend == "0" { return borrow.in ? minuend + "-1" : nil }
                return minuend + "-" + subtrahend + (borrow.in ? "-1" : "")
            }
        }
        return pieces.flatMap { p -> [String?] in
            if let copied = copiedSum(p) { return [nil, copied + "+1"] }
            let (x, y) = (short(p.x), short(p.y))
            return [x + "+" + y, x + "+" + y + "+1"]
        }
    }

    /// A sum's piece with a zero term: its other term, the piece's sum without a carry in.
    private func copiedSum(_ piece: (x: String, y: String)) -> String? {
        short(piece.y) == "0" ? short(piece.x) : short(piece.x) == "0" ? short(piece.y) : nil
    }

    /// Whether each piece of a difference borrows from the one above (`out`) and the one below
    /// borrowed from it (`in`): compared as texts of one length, its minuend's digits are
    /// smaller than its subtrahend's, or equal to them with a borrow in.
    fileprivate var borrows: [(in: Bool, out: Bool)] {
        var borrowIn = false
        return pieces.map { piece in
            let out = piece.x < piece.y || (piece.x == piece.y && borrowIn)
            defer { borrowIn = out }
            return (borrowIn, out)
        }
    }

    /// The result from the model's answers to `questions` (in their order; nil where none was
    /// asked), or nil if an answer needed is missing or is no piece's result: not all digits,
    /// or, below the top piece, longer than `width` (a sum's carry `1` aside).
    func answer(from answers: [String?]) -> String? {
        var digits = "", carry = false
        let borrows = isDifference ? self.borrows : []
        for (k, piece) in pieces.enumerated() {
            let result: String?
            if isDifference {
                let copied = short(piece.y) == "0" && !borrows[k].in
                result = copied ? short(piece.x) : answers[k]
            } else {
                result = carry ? answers[2 * k + 1] : copiedSum(piece) ?? answers[2 * k]
            }
            guard var result, !result.isEmpty, result.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            if k < pieces.count - 1 {
                carry = !isDifference && result.count > width
                if carry {
                    guard result.count == width + 1, result.first == "1" else { return nil }
                    result.removeFirst()
                }
                guard result.count <= width else { return nil }
                result = String(repeating: "0", count: width - result.count) + result
            }
            digits = result + digits
        }
        // The point back in place; the zeros a fraction or a whole part of zero leaves are dropped.
        let padded = String(repeating: "0", count: max(0, fractionDigits + 1 - digits.count)) + digits
        let point = padded.index(padded.endIndex, offsetBy: -fractionDigits)
        let whole = short(String(padded[..<point]))
        let magnitude = fractionDigits == 0 ? whole : String(withoutTrailingFractionZeros(whole + "." + padded[point...]))
        return isNegative && digits.contains { $0 != "0" } ? "-" + magnitude : magnitude
    }

    /// A piece's digits without its leading zeros (`0` for none).
    private func short(_ digits: String) -> String {
        let text = digits.drop { $0 == "0" }
        return text.isEmpty ? "0" : String(text)
    }
}

// A difference's digits found by sums. The shipped model's differences of one digit slip in a
// few fixed places, and its sums of two digits do not: asked every one (session 74), it got 3
// of the 200 differences `p-q`, `1p-q`, `p-q-1` and `1p-q-1` wrong (its 13-4 is 8, its 10-4 is
// 5, its 10-4-1 is 4) and none of the 100 sums `q+r`. Such a digit is wrong every time it is
// asked, and the difference with it: of the 21 wrong chains among 1,250 whose first false part
// is a main-line difference (session 73's checks), 19 have one of the three among its digits.
// So a digit r can also be found by sums: the one whose `q+r` the model gives as the minuend's
// digits (after a borrow from below, as the model's `13-1`).
extension PiecewiseQuestion {
    /// The questions that find a difference's digits by sums, one list per piece (units first):
    /// for a piece the one below borrowed from, first its minuend less one (`13-1`), then the
    /// sums `q+0` … `q+9` of its subtrahend's digit q. Nil for a sum or pieces of several digits.
    var digitSumQuestions: [[String]]? {
        guard isDifference, width == 1 else { return nil }
        return zip(pieces, borrows).map { piece, borrow in
            (borrow.in ? [minuend(piece, borrow) + "-1"] : []) + (0 ... 9).map { "\(piece.y)+\($0)" }
        }
    }

    /// Each piece's digit from the model's answers to `digitSumQuestions` (in their order), for
    /// `answer(from:)`: the one r whose `q+r` the model gives as the piece's minuend, or as its
    /// answer to the minuend less one after a borrow; nil where no r or several give it.
    func digits(bySums answers: [String?]) -> [String?] {
        var rest = answers[...]
        return zip(pieces, borrows).map { piece, borrow in
            let target = borrow.in ? rest.popFirst()! : minuend(piece, borrow)
            let sums = Array(rest.prefix(10))
            rest = rest.dropFirst(10)
            let found = sums.indices.filter { target != nil && sums[$0] == target }
            return found.count == 1 ? String(found[0]) : nil
        }
    }

    /// A one-digit piece's minuend: its digit, with a `1` before it if it borrows.
    private func minuend(_ piece: (x: String, y: String), _ borrow: (in: Bool, out: Bool)) -> String {
        borrow.out ? "1" + piece.x : piece.x
    }
}
