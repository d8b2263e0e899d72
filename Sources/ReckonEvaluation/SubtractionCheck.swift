import ReckonModel

// Checking a chain's long-division lines, ± steps and partial products with the model's own arithmetic.
//
// A long-division line `c-p=r,q` is right only if p + r = c, p ≤ c and r < d (else a smaller or a
// larger multiple fitted). The solver asks the model for `p+r` in a fresh context and compares the
// text it writes with the text of c; it compares p with c, r with d (digit by digit) and p with the
// texts of the block's multiples: no number is computed outside the model, only texts are compared.
// A model that pads its lines (`NumberOrder.paddedInLongDivision`, `.padded`) is read in its own
// characters and asked without the zeros. A step `a±b=c` of the main line or of a product block's
// sum of partial products is checked the same way, by the sum of magnitudes it implies and a
// difference with its result among the terms (`SumStep`), and so is every multiple `d*k=m` of a
// division's table, as the multiple before it plus d; a doubtful partial product `a*m=p` (m one
// digit at its place) by the model's division of p by m, which must give a, and every one of a
// product block, however sure, for where its digits sit and how they end (the model's product of
// a's last two digits and k) and for its digits (the model's a*k in pieces of two digits, each
// piece and their sum asked in both orders), a false one rewritten with its digits where they must
// sit or from the model's a*k in pieces (`PartialProduct`). The text a chain
// copies is checked as well, with no question to the model: a main-line step must be the expression
// before it with its next operation replaced by one number and all else copied (`StepRewrite`), and
// a block must start as the operation's operands give it (`BlockHead`), every long-division line
// must bring down the c its block's dividend and last remainder give (`broughtDown`), and its
// quotient so far must copy the last line's with the digit its p stands for in the table
// (`QuotientText`). These are checked however sure the model was, and a false one is rewritten from
// the text as copied (then, for a division line's c, the model writes p and r). So is every
// main-line ± step (the model's surest slips are carries: 3148+3857=6905) and every table multiple,
// and a division line whose p is larger than c, whose r is not below d, or whose p is no multiple
// in its table: such a line is rewritten in p, and as the table's next smaller (p above c) or
// larger (r not below d) multiple, the model writing r. A sum that misses while the line's other
// checks hold is asked again with its addends swapped. Sums and steps are asked without the zeros
// all their terms end with (848800000+50928000 as 848800+50928), which the model adds far better,
// and the zeros go back on a fresh answer as text; a sum or difference of more than five digits is
// asked in aligned pieces (a sum's of three digits, a difference's of one), with their carries and
// borrows (`PiecewiseQuestion`), and put back together as text. A step's check that misses is asked
// again the other way, in pieces however short or whole if long: the model's check shares the slips
// of the step it checks, and each way has slips of its own. And a step its checks pass still fails
// where the model's sum in pieces of two digits, asked in both orders, agrees on another total:
// the two orders so seldom agree on a false sum (twice in 24,316 steps) that their agreement
// outweighs checks that share the step's slips. A step the chain may have rounded is
// checked by the model's exact result, rounded as the chain rounds (`RoundedResult`), and is
// rewritten with such rounded results. A failing line is rewritten from the model's second choices
// (its runner-up token at one of the line's least sure characters, then greedy to the end of the
// line or, for a number, the line's other characters kept; a false step also from the model's
// answers to the step asked on its own, in a fresh context, in both orders and in pieces, and a
// difference's digits found by sums); a
// rewrite is kept only if it passes the same check, and the chain is then decoded on from it (to
// its next doubtful division line, which is checked in turn; the decoder reuses the cached prefix
// each time). Session 32 measured the check on 150 of the shipped model's false remainders: it
// flags 146 and passes the true remainder in 136 (Benchmarks/DECODING.md). The model's sums share
// its subtraction's carry errors, so a few repairs are themselves false.

/// A long-division line's subtraction `c-p=r` in a chain's generated text, by character offset.
struct SubtractionLine: Equatable {
    /// The block's whole divisor d (in its head `a'/d:`).
    var divisor: Range<Int>
    /// The multiples m of the block's table `d*k=m` as written.
    var table: [Range<Int>]
    var current: Range<Int>
    var product: Range<Int>
    var remainder: Range<Int>
    /// The text c must be, copied from what comes before it: the last line's remainder with the
    /// dividend's next digit brought down (a zero past its last), or on a block's first line the
    /// dividend's leading digits up to the first number not below d. Nil where that cannot be
    /// read (an earlier line of the block unreadable).
    var broughtDown: [UInt8]? = nil
    /// r was written with a sign (`c-p=-r,`): p is larger than c, so the line is false whatever
    /// the model's sums say (a smaller multiple fits).
    var remainderIsNegative = false
    /// The quotient so far Q after the line's comma (digits and a point), when a `;`, `~` or `}`
    /// ends it; nil while the text ends before.
    var quotient: Range<Int>? = nil
    /// The text Q must be (`QuotientText`); nil where it cannot be read.
    var quotientCopy: [UInt8]? = nil
    /// Offset just after the comma that ends the subtraction.
    var end: Int { remainder.upperBound + 1 }

    /// c as written is what the line must bring down (or the text to compare is not known).
    func copiesCurrent(in text: [UInt8]) -> Bool {
        broughtDown.map { text[Self.withoutLeadingZeros(current, in: text)].elementsEqual($0) } ?? true
    }

    /// p (as written, without a padded line's zeros) is 0, d or one of the table's multiples.
    func productIsInTable(in text: [UInt8]) -> Bool {
        let p = text[Self.withoutLeadingZeros(product, in: text)]
        return p.elementsEqual([UInt8(ascii: "0")]) || p.elementsEqual(text[divisor]) || table.contains { text[$0].elementsEqual(p) }
    }

    /// The quotient digit p stands for: 0 for p = 0, 1 for p = d, k for the table's `d*k=p`
    /// (a table of all eight multiples, 2 to 9). Nil for a p found nowhere: a comparison of texts.
    func quotientDigit(in text: [UInt8]) -> Int? {
        let p = text[Self.withoutLeadingZeros(product, in: text)]
        if p.elementsEqual([UInt8(ascii: "0")]) { return 0 }
        if p.elementsEqual(text[divisor]) { return 1 }
        guard table.count == 8, let j = table.firstIndex(where: { text[$0].elementsEqual(p) }) else { return nil }
        return j + 2
    }

    /// p is larger than c (r written negative, or p above c compared as texts): the line is
    /// false whatever the model's sums say, and a smaller multiple fits.
    func productExceedsCurrent(in text: [UInt8]) -> Bool {
        remainderIsNegative || isSmaller(number(current, in: text), than: number(product, in: text))
    }

    /// r is not below d (compared as texts): a larger multiple fitted, or r is false.
    func remainderIsNotBelowDivisor(in text: [UInt8]) -> Bool {
        !remainderIsNegative && !isSmaller(number(remainder, in: text), than: number(divisor, in: text))
    }

    /// The multiple one below p in the block's table (0, d or a written multiple), the text a
    /// line whose p is larger than c takes next; nil for p = 0 or a p found nowhere.
    func smallerMultiple(in text: [UInt8]) -> [UInt8]? {
        quotientDigit(in: text).flatMap { $0 > 0 ? multiple($0 - 1, in: text) : nil }
    }

    /// The multiple one above p in the block's table, the text a line whose r is not below d
    /// takes next; nil for p = 9d or a p found nowhere.
    func largerMultiple(in text: [UInt8]) -> [UInt8]? {
        quotientDigit(in: text).flatMap { $0 < 9 ? multiple($0 + 1, in: text) : nil }
    }

    /// The text of k·d as the block writes it: 0, d, or the table's multiple (a table of all
    /// eight); nil if the table has no such multiple.
    private func multiple(_ k: Int, in text: [UInt8]) -> [UInt8]? {
        switch k {
        case 0: return [UInt8(ascii: "0")]
        case 1: return Array(text[divisor])
        default: return table.count == 8 ? Array(text[table[k - 2]]) : nil
        }
    }

    /// The number at `range` as text, without a padded line's leading zeros.
    private func number(_ range: Range<Int>, in text: [UInt8]) -> String {
        String(decoding: text[Self.withoutLeadingZeros(range, in: text)], as: UTF8.self)
    }

    /// Every complete `c-p=r,` line of the long-division blocks (`{head:table|line;line…~q}`) in
    /// `text`, in order. Lines that do not read as three whole numbers are skipped.
    static func all(in text: [UInt8]) -> [SubtractionLine] {
        var lines: [SubtractionLine] = []
        var depth = 0, inLines = false
        var divisor: Range<Int>? = nil, table: [Range<Int>] = []
        // The block's dividend digits (no point, no leading zeros) and the line before, for the
        // text each line's c must copy.
        // The place value of the dividend's first digit (the quotient's place on the line that
        // brings it down alone), for the point in each line's quotient.
        var dividend: [UInt8] = [], topPlace: Int? = nil
        var previous: SubtractionLine? = nil, lineCount = 0, firstLength = 0
        func read(at start: Int) {
            guard let d = divisor, var line = SubtractionLine(text, at: start, divisor: d, table: table) else {
                previous = nil; lineCount += 1
                return
            }
            if lineCount == 0 {
                line.broughtDown = leadingDigits(of: dividend, notBelow: text[d])
                firstLength = line.broughtDown?.count ?? 0
            } else if let previous, firstLength > 0, !previous.remainderIsNegative {
                let r = text[withoutLeadingZeros(previous.remainder, in: text)]
                let next = firstLength - 1 + lineCount
                line.broughtDown = (r.elementsEqual([UInt8(ascii: "0")]) ? [] : Array(r))
                    + [next < dividend.count ? dividend[next] : UInt8(ascii: "0")]
            }
            // Q copies the last line's Q (on the first line, `0.` and zeros when its digit lies
            // past the point), then the point before the tenths, then the digit p stands for.
            if let topPlace, firstLength > 0, let digit = line.quotientDigit(in: text),
               var q = lineCount == 0 ? [] : previous?.quotient.map({ Array(text[$0]) }) {
                let place = topPlace - (firstLength - 1) - lineCount
                if lineCount == 0 && place < 0 { q = Array("0.".utf8) + repeatElement(UInt8(ascii: "0"), count: -place - 1) }
                if place == -1 && !q.isEmpty && !q.contains(UInt8(ascii: ".")) { q.append(UInt8(ascii: ".")) }
                line.quotientCopy = q + [UInt8(ascii: "0") + UInt8(digit)]
            }
            lines.append(line)
            previous = line; lineCount += 1
        }
        for i in text.indices {
            switch text[i] {
            case UInt8(ascii: "{"): depth += 1; inLines = false; divisor = nil; table = []
            case UInt8(ascii: "}"): depth -= 1; inLines = false
            case UInt8(ascii: "~"): inLines = false
            case UInt8(ascii: ":") where depth > 0 && divisor == nil:
                var s = i
                while s > 0, isDigit(text[s - 1]) { s -= 1 }
                if s < i, s > 0, text[s - 1] == UInt8(ascii: "/") {
                    divisor = s ..< i
                    var a = s - 1
                    while a > 0, isNumeral(text[a - 1]) { a -= 1 }
                    let written = text[a ..< s - 1], whole = written.prefix { $0 != UInt8(ascii: ".") }
                    let digits = written.filter(isDigit)
                    dividend = Array(digits.drop { $0 == UInt8(ascii: "0") })
                    let first = digits.firstIndex { $0 != UInt8(ascii: "0") }
                    topPlace = first.map { whole.count - 1 - ($0 - digits.startIndex) }
                }
            case UInt8(ascii: "=") where depth > 0 && divisor != nil && !inLines:
                var e = i + 1
                while e < text.count, isDigit(text[e]) { e += 1 }
                if e > i + 1 { table.append(i + 1 ..< e) }
            case UInt8(ascii: "|") where depth > 0:
                inLines = true
                previous = nil; lineCount = 0; firstLength = 0
                read(at: i + 1)
            case UInt8(ascii: ";") where inLines:
                read(at: i + 1)
            default: break
            }
        }
        return lines
    }

    /// The first of `digits`' prefixes, zeros written past their end, that is not below the whole
    /// number `divisor` (a comparison of texts): a long division's first c. Nil for no digits.
    static func leadingDigits(of digits: [UInt8], notBelow divisor: ArraySlice<UInt8>) -> [UInt8]? {
        guard !digits.isEmpty, let d = String(bytes: divisor, encoding: .utf8) else { return nil }
        var prefix: [UInt8] = []
        while prefix.count < digits.count + d.count {
            prefix.append(prefix.count < digits.count ? digits[prefix.count] : UInt8(ascii: "0"))
            if !isSmaller(String(decoding: prefix, as: UTF8.self), than: d) { return prefix }
        }
        return nil
    }

    /// `range` of `text` without the leading zeros a padded number carries, down to one digit.
    static func withoutLeadingZeros(_ range: Range<Int>, in text: [UInt8]) -> Range<Int> {
        var s = range.lowerBound
        while s + 1 < range.upperBound, text[s] == UInt8(ascii: "0") { s += 1 }
        return s ..< range.upperBound
    }

    /// Reads `c-p=r,` starting at offset `start`, in a block dividing by the text at `divisor`
    /// whose table's multiples are at `table`.
    init?(_ text: [UInt8], at start: Int, divisor: Range<Int>, table: [Range<Int>]) {
        func digits(from s: Int, to terminator: Character) -> Range<Int>? {
            var e = s
            while e < text.count, isDigit(text[e]) { e += 1 }
            guard e > s, e < text.count, text[e] == UInt8(ascii: String(terminator).unicodeScalars.first!) else { return nil }
            return s ..< e
        }
        guard let c = digits(from: start, to: "-"), let p = digits(from: c.upperBound + 1, to: "=") else { return nil }
        let negative = p.upperBound + 1 < text.count && text[p.upperBound + 1] == UInt8(ascii: "-")
        guard let r = digits(from: p.upperBound + 1 + (negative ? 1 : 0), to: ",") else { return nil }
        self.divisor = divisor; self.table = table; current = c; product = p; remainder = r
        remainderIsNegative = negative
        var e = r.upperBound + 1
        while e < text.count, isNumeral(text[e]) { e += 1 }
        if e > r.upperBound + 1, e < text.count, QuotientText.ends(text[e]) { quotient = r.upperBound + 1 ..< e }
    }
}

/// A long-division line's quotient so far, `Q` in `c-p=r,Q;`: copied text, the last line's Q
/// with the digit p stands for in the block's table written after it (and the point before the
/// tenths; on a block's first line `0.` and zeros when the digit lies past the point). Nothing is
/// computed: the digit is p's place in the table as written.
struct QuotientText {
    /// Q as written, up to the `;`, `~` or `}` after it (or the text's end).
    var written: Range<Int>
    /// The text Q must be (`SubtractionLine.quotientCopy`).
    var expected: [UInt8]

    /// A character that ends a line's quotient.
    static func ends(_ c: UInt8) -> Bool { c == UInt8(ascii: ";") || c == UInt8(ascii: "~") || c == UInt8(ascii: "}") }

    func holds(in text: [UInt8]) -> Bool { text[written].elementsEqual(expected) }

    /// The same quotient in `text`, a rewrite that agrees with the text it was read from up to
    /// its start: its numerals, ended by a quotient's end or the text's end. Nil for none.
    func reread(in text: [UInt8]) -> QuotientText? {
        var e = written.lowerBound
        while e < text.count, isNumeral(text[e]) { e += 1 }
        guard e > written.lowerBound, e == text.count || Self.ends(text[e]) else { return nil }
        return QuotientText(written: written.lowerBound ..< e, expected: expected)
    }
}

/// A line the solver checks: a long-division line `c-p=r,` or its quotient so far, a ± step of
/// the main line or a product block, a multiple of a long division's table (as a sum), a partial
/// product (of a product block or the main line), a main-line step's form, or a block's head.
enum CheckedLine {
    case division(SubtractionLine)
    case quotient(QuotientText)
    case step(SumStep)
    case product(PartialProduct)
    case rewrite(StepRewrite)
    case head(BlockHead)

    /// Where the line's written digits start (c, the step's result, or the product).
    var start: Int {
        switch self {
        case .division(let l): l.current.lowerBound
        case .quotient(let q): q.written.lowerBound
        case .step(let s): s.result.lowerBound
        case .product(let p): p.product.lowerBound
        case .rewrite(let s): s.expression.lowerBound
        case .head(let h): h.written.lowerBound
        }
    }
    /// Offset just after the line.
    var end: Int {
        switch self {
        case .division(let l): l.end
        case .quotient(let q): q.written.upperBound
        case .step(let s): s.result.upperBound
        case .product(let p): p.product.upperBound
        case .rewrite(let s): s.end
        case .head(let h): h.written.upperBound
        }
    }
    /// The characters the model may have got wrong: p and r, the quotient, the step's result,
    /// the product, the whole step and the `=` that ends it (which may belong later: a number
    /// cut short), or the block's head.
    var doubted: Range<Int> {
        switch self {
        case .division(let l): l.product.lowerBound ..< l.remainder.upperBound
        case .quotient(let q): q.written
        case .step(let s): s.result
        case .product(let p): p.product
        case .rewrite(let s): s.expression.lowerBound ..< s.end
        case .head(let h): h.written
        }
    }

    /// A line a comparison of texts finds false, whatever the model's sums say, so it is checked
    /// however sure the model was: a miscopied line (`isMiscopied`), a long-division line whose p
    /// is above c, whose r is not below d or whose p is no multiple in its table, or a main-line
    /// step out of form (`StepRewrite.holds`).
    func isFalseAsText(in text: [UInt8]) -> Bool {
        switch self {
        case .division(let l):
            isMiscopied(in: text) || l.productExceedsCurrent(in: text) || l.remainderIsNotBelowDivisor(in: text)
                || !l.productIsInTable(in: text)
        case .quotient, .head: isMiscopied(in: text)
        case .rewrite(let s): !s.holds(in: text)
        case .step, .product: false
        }
    }

    /// The line's copied text is not what it must be: a long-division line's c (what it must
    /// bring down), its quotient, or a block's head (what the operands give).
    func isMiscopied(in text: [UInt8]) -> Bool {
        switch self {
        case .division(let l): !l.copiesCurrent(in: text)
        case .quotient(let q): !q.holds(in: text)
        case .head(let h): !h.holds(in: text)
        case .step, .product, .rewrite: false
        }
    }

    /// Where the text a line must copy starts and what it is, for a line whose copy is known
    /// whole: a long-division line's c and the `-` after it, its quotient, or a block's head.
    var copy: (at: Int, text: [UInt8])? {
        switch self {
        case .division(let l): l.broughtDown.map { (l.current.lowerBound, $0 + [UInt8(ascii: "-")]) }
        case .quotient(let q): (q.written.lowerBound, q.expected)
        case .head(let h): (h.written.lowerBound, h.expected)
        case .step, .product, .rewrite: nil
        }
    }

    var isRewrite: Bool {
        if case .rewrite = self { true } else { false }
    }
    /// A ± step, rewritten at its least sure digits however sure (it may be checked sure).
    var isStep: Bool {
        if case .step = self { true } else { false }
    }

    /// A line of copied text (a step's form, a block's head or a quotient), whose rewrite runs
    /// past a few digits.
    var isCopy: Bool {
        switch self {
        case .rewrite, .head, .quotient: true
        case .division, .step, .product: false
        }
    }

    /// The same line in `text`, a rewrite of the text it was read from that agrees with it up to
    /// the rewritten digit; nil if the rewrite did not write it whole. A step's result may end
    /// the text if the chain ended there (`complete`).
    func reread(in text: [UInt8], complete: Bool) -> CheckedLine? {
        switch self {
        case .division(let l):
            guard var line = SubtractionLine(text, at: l.current.lowerBound, divisor: l.divisor, table: l.table) else { return nil }
            line.broughtDown = l.broughtDown
            return .division(line)
        case .quotient(let q):
            return q.reread(in: text).map(CheckedLine.quotient)
        case .step(var s):
            guard let result = Self.number(in: text, at: s.result.lowerBound, mayEndText: complete) else { return nil }
            s.result = result
            return .step(s)
        case .product(var p):
            guard let product = Self.number(in: text, at: p.product.lowerBound, mayEndText: complete) else { return nil }
            p.product = product
            return .product(p)
        case .rewrite(let s):
            return s.reread(in: text, complete: complete).map(CheckedLine.rewrite)
        case .head(let h):
            return h.reread(in: text).map(CheckedLine.head)
        }
    }

    /// The numerals of `text` from `start` on (at least one), ended by another character or,
    /// if `mayEndText`, by the text's end.
    private static func number(in text: [UInt8], at start: Int, mayEndText: Bool) -> Range<Int>? {
        var e = start
        while e < text.count, isNumeral(text[e]) { e += 1 }
        return e > start && (e < text.count || mayEndText) ? start ..< e : nil
    }
}

extension Solver {
    /// How many alternative rewrites of a failed line are decoded (from its least sure digits).
    static let rewritesPerLine = 2
    /// How many of a number's least sure digits are also tried with its other digits kept
    /// (no decoding, so more are cheap: `99008-7=99901`'s wrong 9 is its third least sure).
    static let keptDigitRewritesPerLine = 4
    /// Only digits the model wrote with less than this probability are doubted: lines without
    /// one are not checked, and only such digits are rewritten. (On 1,000 `single-op` questions,
    /// 0.99 fixed 5 chains that 0.9 left wrong and broke none, in 1.25x the time, 1.6x on
    /// `mathglm`'s long chains; 0.9999 broke 10, in 2x: checking confident lines adds false
    /// alarms from the checks' own errors.)
    static let doubtBelow: Float = 0.99
    /// Failing chains repaired together. Their rewrites and continuations are decoded in one
    /// batch per pass (small batches decode slowly), and the decoder keeps a slot for each
    /// rewrite (two per chain) until the chain is decoded on from it.
    static let repairGroup = 48
    /// Room for a sum `p+r=` and the model's answer.
    static let sumTokens = 128
    /// Room for a division `p'/k=` and the model's long division of it.
    static let quotientTokens = 448
    /// Most tokens a rewritten step's expression or block head may take to its end.
    static let stepTokens = 256

    /// Checks the long-division lines, ± steps and partial products of each greedy chain in
    /// `results` (continuations of `prompts`) and repairs false ones, at most `maxRepairs` per chain. Returns the number of
    /// lines repaired per chain (nil, and nothing checked, for a model that reverses numbers:
    /// its digits are not in the chain's order); `results` then holds the repaired chains.
    ///
    /// Every chain's doubtful lines are checked first; then the failing chains are repaired a
    /// group at a time, in passes. Each pass takes, for every chain still open, its earliest
    /// failing line and tries that line's rewrites. If one holds, the chain is decoded on from
    /// it to its next doubtful line, which is checked in turn (and so on to the chain's end); if
    /// none holds, the check itself was probably wrong (the model's sums are not perfect) and the
    /// chain moves on from the line as written. `progress` receives the number of chains whose
    /// checks and repairs are done.
    func repairSubtractions(prompts: [[Int]], results: inout [DecodeResult], maxRepairs: Int,
                            progress: ((Int) -> Void)? = nil) throws -> [Int]? {
        let tokenizer = model.tokenizer
        guard tokenizer.numberOrder.keepsDigitOrder else { return nil }
        var repairs = [Int](repeating: 0, count: results.count)
        guard maxRepairs > 0 else { return repairs }
        let limit = options.maxNewTokens ?? model.config.contextLength
        // One decoder for the rewrites and continuations, kept for every pass: its slots keep
        // the chains' prefixes, so a second rewrite, and the chain decoded on from a rewrite,
        // compute only what is new. The sums, short questions of their own, get short slots.
        let slots = Self.repairGroup * Self.rewritesPerLine
        let decoder = BatchDecoder(model: model, threads: options.threads, slots: slots, expectedRequests: slots,
                                   cachePrecision: options.cachePrecision)
        let sumDecoder = BatchDecoder(model: model, threads: options.threads, expectedRequests: slots,
                                      maxTokens: Self.sumTokens, cachePrecision: options.cachePrecision)
        let quotientDecoder = BatchDecoder(model: model, threads: options.threads, expectedRequests: slots,
                                           maxTokens: Self.quotientTokens, cachePrecision: options.cachePrecision)
        func decodeAll(_ requests: [DecodeRequest], maxNewTokens: Int) throws -> [DecodeResult] {
            requests.isEmpty ? [] : try decoder.decode(requests, maxNewTokens: maxNewTokens)
        }
        // The model's own characters: token i is character i (a padded line keeps its zeros).
        func text(_ tokens: some Sequence<Int>) -> [UInt8] { Array(tokenizer.modelText(Array(tokens)).utf8) }

        // Per chain: its text, its failing lines not tried yet (lines before `checked` are
        // settled), and whether it is decoded to its end (a chain decoded on from a repair stops
        // after its next doubtful line, so that line is checked before anything is built on it).
        var texts: [Int: [UInt8]] = [:], failing: [Int: [(line: CheckedLine, verdict: LineVerdict)]] = [:]
        var checked = [Int](repeating: 0, count: results.count)
        var complete = [Bool](repeating: true, count: results.count)
        /// Checks the doubtful lines of `chains` from `checked` on.
        func checkLines(of chains: [Int]) throws {
            var lines: [(chain: Int, line: CheckedLine)] = []
            for i in chains {
                let t = text(results[i].tokens), question = text(prompts[i].dropFirst())
                texts[i] = t
                failing[i] = []
                let divisionLines = SubtractionLine.all(in: t)
                let mainLineProducts = PartialProduct.mainLine(in: question + t, from: question.count, complete: results[i].stop == .endToken,
                                                               exactFractionDigits: options.precision.minimumFractionDigits)
                let all = divisionLines.map(CheckedLine.division)
                    + divisionLines.compactMap { l in
                        l.quotient.flatMap { q in l.quotientCopy.map { .quotient(QuotientText(written: q, expected: $0)) } }
                    }
                    + mainLineProducts.filter { !$0.isExact }.map(CheckedLine.product)
                    + StepRewrite.all(in: question + t, from: question.count, complete: results[i].stop == .endToken).map(CheckedLine.rewrite)
                    + BlockHead.all(in: question + t, from: question.count).map(CheckedLine.head)
                // The main line's ± steps are checked however sure the model was: its surest
                // carry slips (3148+3857=6905) are the first error of more chains than any other.
                // So are the tables' multiples: a wrong one, written sure, was the first false
                // division line of 42 of the 477 questions session 63's checks got wrong.
                // And so are a block's partial products (where their digits sit, a text the model's
                // division often gets a place off, and their digits in pieces; they are divided back
                // where doubtful) and its sums of them: in session 71's chains 128 of these sums
                // were false, and the two orders in pieces agreed on the true sum of 120. So are
                // the main line's exact products by a place term (its sure 9*245=1105).
                let products = (PartialProduct.all(in: t) + mainLineProducts.filter(\.isExact)).map { p in
                    var p = p
                    p.isDividedBack = p.isDividedBack && Self.isDoubtful(p.product, results[i].probabilities)
                    return CheckedLine.product(p)
                }
                let sure = (SumStep.all(in: question + t, from: question.count, complete: results[i].stop == .endToken)
                    + SumStep.inProductBlocks(of: t) + SumStep.inDivisionTables(of: t)).map(CheckedLine.step) + products
                let candidates = all.map { (line: $0, sure: false) } + sure.map { (line: $0, sure: true) }
                // A step's form before its result: a step that is no rewrite is false as a whole.
                for (line, sure) in candidates.sorted(by: { ($0.line.start, $0.line.isRewrite ? 0 : 1) < ($1.line.start, $1.line.isRewrite ? 0 : 1) })
                    where line.start >= checked[i] && (sure || Self.isDoubtful(line.doubted, results[i].probabilities) || line.isFalseAsText(in: t)) {
                    lines.append((i, line))
                }
                checked[i] = t.count
            }
            for (k, v) in try check(lines.map { (texts[$0.chain]!, $0.line) }, decoders: (sumDecoder, quotientDecoder)).enumerated() where !v.holds {
                failing[lines[k].chain]!.append((lines[k].line, v))
            }
        }
        let stopAtDoubtfulLine = try Self.doubtfulLineEnd(tokenizer)
        let ends = try tokenizer.encode("=:"), equals = ends[0]
        let stopAtStepEnd: @Sendable ([Int], [Float]) -> Bool = { tokens, _ in tokens.last == equals }
        let comma = try tokenizer.encode(",")[0]
        let stopAtComma: @Sendable ([Int], [Float]) -> Bool = { tokens, _ in tokens.last == comma }
        /// Stops once `count` more `=` or `:` are written (a block head's rest).
        func stopAfter(_ count: Int) -> @Sendable ([Int], [Float]) -> Bool {
            { tokens, _ in tokens.count { ends.contains($0) } >= count }
        }

        // Only chains of ordinary tokens: then token i is character i of the text.
        let repairable = results.indices.filter { i in results[i].tokens.allSatisfy { $0 > Tokenizer.eos } }
        progress?(0)
        try checkLines(of: repairable)
        let failingChains = repairable.filter { !failing[$0]!.isEmpty }
        progress?(results.count - failingChains.count)
        for first in stride(from: 0, to: failingChains.count, by: Self.repairGroup) {
            var open = Array(failingChains[first ..< min(failingChains.count, first + Self.repairGroup)])
            while !open.isEmpty {
                // 1. Rewrite each open chain's earliest failing line from the runner-up at one of
                //    its least sure digits, then greedy to the end of the line.
                var requests: [DecodeRequest] = [], origins: [(chain: Int, line: CheckedLine, at: Int)] = [], keptOrigins = origins
                var steps: [(chain: Int, step: SumStep)] = []
                // Text put in the line's place: where, the tokens, and whether the model then
                // writes the rest of a division line (p and r, or r) up to its comma.
                var spliced: [(chain: Int, line: CheckedLine, at: Int, tokens: [Int], writesRest: Bool)] = []
                /// Puts `number` in place of partial product p of chain i, with the character that
                /// ended p (so that it reads, and stays, whole). Where p's digits sit or end is
                /// false, and the rewrite is checked for that alone: the model's division, which
                /// often misplaces its quotient's point, would turn away p's own digits put in
                /// their places.
                func splice(_ number: String, over p: PartialProduct, chain i: Int) throws {
                    // (A chain's last number, with nothing after it, is not rewritten so.)
                    guard p.product.upperBound < texts[i]!.count else { return }
                    let text = Array(number.utf8) + [texts[i]![p.product.upperBound]]
                    let tokens = try tokenizer.encode(String(decoding: text, as: UTF8.self))
                    var placed = p
                    placed.isDividedBack = false
                    if tokens.count == text.count, !text.elementsEqual(texts[i]![p.product.lowerBound ... p.product.upperBound]) {
                        spliced.append((i, .product(placed), p.product.lowerBound, tokens, false))
                    }
                }
                for i in open where !failing[i]!.isEmpty {
                    let (line, verdict) = failing[i]!.removeFirst()
                    if case .step(let s) = line { steps.append((i, s)) }
                    checked[i] = line.end
                    let r = results[i], t = texts[i]!
                    let isDivision = if case .division = line { true } else { false }
                    // A line that copied wrong text it must copy whole (a division line's c, its
                    // quotient, a block's head) is rewritten from that text: no other character
                    // can mend it.
                    if line.isMiscopied(in: t), let copy = line.copy {
                        let tokens = try tokenizer.encode(String(decoding: copy.text, as: UTF8.self))
                        if tokens.count == copy.text.count { spliced.append((i, line, copy.at, tokens, isDivision)) }
                        continue
                    }
                    // A step out of form is rewritten to the form the expression before it gives,
                    // with its block's value or the one of its numbers that changes it least as
                    // its result (`StepRewrite.inForm`): a runner-up seldom mends a sure miscopy.
                    if case .rewrite(let s) = line, s.end > s.expression.upperBound, let form = s.inForm(in: t) {
                        let text = form + [UInt8(ascii: "=")]
                        let tokens = try tokenizer.encode(String(decoding: text, as: UTF8.self))
                        if tokens.count == text.count {
                            spliced.append((i, line, s.expression.lowerBound, tokens, false))
                            continue
                        }
                    }
                    // A false partial product is rewritten with its digits where they must sit and
                    // as the model's a*k in pieces. One the model was sure of is mended only so:
                    // its runner-ups' digits would go unchecked.
                    if case .product(let p) = line {
                        if let placed = verdict.placed { try splice(placed, over: p, chain: i) }
                        if let fromPieces = verdict.fromPieces, !verdict.placesHold || !verdict.piecesHold {
                            try splice(fromPieces, over: p, chain: i)
                        }
                        if !p.isDividedBack { continue }
                    }
                    // A p larger than c: also the next smaller multiple of the table; an r not
                    // below d: the next larger (as wide as c in a padded line), the model writing r.
                    // A wrong multiple is one off in 100 of the 102 chains whose first false
                    // division line has one (session 64's checks, on the 2,000).
                    if case .division(let l) = line,
                       let multiple = l.productExceedsCurrent(in: t) ? l.smallerMultiple(in: t)
                                    : l.remainderIsNotBelowDivisor(in: t) ? l.largerMultiple(in: t) : nil {
                        let width = tokenizer.numberOrder.padsLongDivision ? l.current.count : 0
                        let text = repeatElement(UInt8(ascii: "0"), count: max(0, width - multiple.count)) + multiple + [UInt8(ascii: "=")]
                        let tokens = try tokenizer.encode(String(decoding: text, as: UTF8.self))
                        if tokens.count == text.count { spliced.append((i, line, l.product.lowerBound, tokens, true)) }
                    }
                    // A false sum can be in p or r; a p that is no multiple in the table, too
                    // small a multiple or one larger than c, is in p.
                    var span = line.doubted
                    if case .division(let l) = line, verdict.sum || l.productExceedsCurrent(in: t) { span = l.product }
                    // A line false as text, or a step (perhaps a sure one), is rewritten at its
                    // least sure characters, however sure.
                    let falseAsText = line.isFalseAsText(in: t) || line.isStep
                    let positions = span
                        .filter { (t[$0] != UInt8(ascii: "=") || line.isCopy) && (falseAsText || r.probabilities[$0] < Self.doubtBelow) }
                        .sorted { (r.probabilities[$0], $0) < (r.probabilities[$1], $1) }
                        .prefix(line.isCopy ? Self.rewritesPerLine : Self.keptDigitRewritesPerLine)
                    for j in positions { keptOrigins.append((i, line, j)) }
                    for j in positions.prefix(Self.rewritesPerLine) {
                        var stop: (@Sendable ([Int], [Float]) -> Bool)? = nil
                        switch line {
                        case .rewrite: stop = stopAtStepEnd
                        case .head(let h):
                            // The head's `=` and `:` still to come after the runner-up.
                            stop = stopAfter(h.terminatorsAfter(j, runnerUp: text([r.runnerUps[j]]), in: t))
                        default: break
                        }
                        requests.append(DecodeRequest(prompt: prompts[i] + r.tokens[..<j] + [r.runnerUps[j]], stopRule: stop))
                        origins.append((i, line, j))
                    }
                }
                // A number's rewrite is done in a few tokens; copied text runs to its `=` or `:`.
                var continuations = [DecodeResult](repeating: DecodeResult(tokens: [], stop: .rule), count: requests.count)
                for (copies, maxNewTokens) in [(false, 16), (true, Self.stepTokens)] {
                    let batch = requests.indices.filter { origins[$0].line.isCopy == copies }
                    for (k, c) in try decodeAll(batch.map { requests[$0] }, maxNewTokens: maxNewTokens).enumerated() {
                        continuations[batch[k]] = c
                    }
                }
                // The same runner-up with the line's other characters kept as written: after a
                // carry the model missed, its next digits are often right (4943-4661: 382 → 282,
                // where greedy from the runner-up 2 writes 272).
                var candidates = Array(zip(origins, continuations))
                for o in keptOrigins where !o.line.isCopy {
                    let r = results[o.chain], kept = o.at + 1 ..< min(r.tokens.count, o.line.end + 1)
                    candidates.append((o, DecodeResult(tokens: Array(r.tokens[kept]), stop: kept.upperBound == r.tokens.count ? r.stop : .rule,
                                                       probabilities: Array(r.probabilities[kept]), runnerUps: Array(r.runnerUps[kept]),
                                                       runnerUpProbabilities: Array(r.runnerUpProbabilities[kept]))))
                }
                var rewrites: [(line: CheckedLine, chain: DecodeResult)] = [], rewritten: [Int] = []
                for (o, c) in candidates {
                    let r = results[o.chain]
                    let tokens = Array(r.tokens[..<o.at]) + [r.runnerUps[o.at]] + c.tokens
                    guard tokens.allSatisfy({ $0 > Tokenizer.eos }),
                          let line = o.line.reread(in: text(tokens), complete: c.stop == .endToken),
                          let chain = Self.rewrite(of: r, at: o.at, continuation: c, cutAt: line.end),
                          !zip(rewritten, rewrites).contains(where: { $0 == o.chain && $1.chain.tokens == chain.tokens }) else { continue }
                    rewrites.append((line, chain))
                    rewritten.append(o.chain)
                }
                // A false step's last candidate: the model's answer to the step asked on its own.
                // Asked in both orders (`b-a` answers `a-b` negated): the other order takes another
                // path through the model's carries (its 15499-88494 is -73095, its 88494-15499 72995).
                // Then in pieces, and a difference's digits by sums (`digitSumQuestions`).
                let fresh = try modelAnswers(steps.flatMap { [$0.step.question, $0.step.swappedQuestion.question] },
                                             decoder: sumDecoder, answerTokens: 32)
                let inPieces = try modelAnswers(steps.map(\.step.question), decoder: sumDecoder, answerTokens: 32, inPieces: true)
                let bySums = try differencesBySums(steps.map(\.step.question), decoder: sumDecoder)
                // Rounded as the chain writes them (384239.916312117 as 384239.916312).
                let freshResults = try roundedAsWritten(steps.enumerated().flatMap { k, s in
                    [fresh[2 * k].flatMap(s.step.answer(from:)),
                     fresh[2 * k + 1].flatMap { s.step.answer(from: s.step.swappedQuestion.negated ? Self.negated($0) : $0) },
                     inPieces[k].flatMap(s.step.answer(from:)),
                     bySums[k].flatMap(s.step.answer(from:))]
                }, decoder: sumDecoder)
                for (k, (i, step)) in steps.enumerated() {
                    let answers = freshResults[4 * k ..< 4 * k + 4].compactMap { $0 }
                    for (n, answer) in answers.enumerated() where !answers[..<n].contains(answer) {
                        guard let (line, chain) = try Self.splice(answer, over: step, in: results[i], tokenizer) else { continue }
                        rewrites.append((line, chain))
                        rewritten.append(i)
                    }
                }

                // A spliced line: its text, then (a division line) the model's writing to the comma.
                let writing = spliced.indices.filter { spliced[$0].writesRest }
                var rests = [DecodeResult](repeating: DecodeResult(tokens: [], stop: .rule), count: spliced.count)
                for (k, c) in try decodeAll(writing.map { k in
                    let o = spliced[k]
                    return DecodeRequest(prompt: prompts[o.chain] + results[o.chain].tokens[..<o.at] + o.tokens, stopRule: stopAtComma)
                }, maxNewTokens: Self.sumTokens / 2).enumerated() { rests[writing[k]] = c }
                for ((i, old, at, tokens, _), c) in zip(spliced, rests) {
                    let chain = Self.splice(tokens, at: at, in: results[i]).appending(c)
                    guard chain.tokens.allSatisfy({ $0 > Tokenizer.eos }), let line = old.reread(in: text(chain.tokens), complete: false),
                          line.end <= chain.tokens.count else { continue }
                    // The spliced text is kept whole: a partial product's ends with the character
                    // after it, else the model may write on the number it had begun
                    // (171437560000000 then 0, as greedy it wrote 1714375600000000).
                    rewrites.append((line, chain.prefix(max(line.end, at + tokens.count))))
                    rewritten.append(i)
                }

                // 2. Decode on: from the first rewrite of a chain that holds its check, and each
                //    unfinished chain whose last line stands; to the end of the next doubtful line,
                //    or to the chain's end once its repairs are used up.
                var heads: [Int: DecodeResult] = [:]
                for (k, v) in try check(rewrites.map { (text($0.chain.tokens), $0.line) }, decoders: (sumDecoder, quotientDecoder)).enumerated()
                    where v.holds && heads[rewritten[k]] == nil {
                    heads[rewritten[k]] = rewrites[k].chain
                    repairs[rewritten[k]] += 1
                    // A step rewritten into form still has its result to check.
                    if rewrites[k].line.isRewrite { checked[rewritten[k]] = rewrites[k].line.start }
                }
                for i in open where heads[i] == nil && failing[i]!.isEmpty && !complete[i] { heads[i] = results[i] }
                var decoded: [Int] = []
                requests = []
                for i in heads.keys.sorted() {
                    let head = heads[i]!
                    failing[i] = []   // lines found in the text that this head replaces
                    let room = min(limit, model.config.contextLength - prompts[i].count) - head.tokens.count
                    guard room > 0 else {
                        results[i] = head
                        results[i].stop = head.tokens.count >= limit ? .tokenLimit : .contextFull
                        complete[i] = true
                        continue
                    }
                    decoded.append(i)
                    requests.append(DecodeRequest(prompt: prompts[i] + head.tokens,
                                                  stopRule: repairs[i] < maxRepairs ? stopAtDoubtfulLine : nil))
                }
                for (k, c) in try decodeAll(requests, maxNewTokens: limit).enumerated() {
                    let i = decoded[k]
                    var result = heads[i]!.appending(c)
                    // The chain as a whole keeps to the solver's token limit.
                    if result.tokens.count > limit { result = result.prefix(limit, stop: .tokenLimit) }
                    results[i] = result
                    complete[i] = result.stop != .rule
                }
                // 3. What was decoded is new text: check its doubtful lines (once the chain's
                //    repairs are used up, nothing more is checked).
                try checkLines(of: decoded.filter { repairs[$0] < maxRepairs && results[$0].tokens.allSatisfy { $0 > Tokenizer.eos } })
                open = open.filter { !failing[$0]!.isEmpty || !complete[$0] }
            }
            progress?(results.count - failingChains.count + min(failingChains.count, first + Self.repairGroup))
        }
        return repairs
    }

    /// A line is doubtful if the model wrote one of its `doubted` digits with less than
    /// `doubtBelow` (`probabilities[offset + k]`: character k of the text the line was read from).
    private static func isDoubtful(_ doubted: Range<Int>, _ probabilities: [Float], offset: Int = 0) -> Bool {
        doubted.contains { probabilities[offset + $0] < doubtBelow }
    }

    /// A stop rule that ends a chain just after a doubtful line `c-p=r,`, or one whose p is
    /// larger than c, that lies wholly in what was written (its start, `|` or `;`, included).
    static func doubtfulLineEnd(_ tokenizer: Tokenizer) throws -> @Sendable ([Int], [Float]) -> Bool {
        let ids = try tokenizer.encode(",|;")
        let (comma, bar, semicolon) = (ids[0], ids[1], ids[2])
        return { tokens, probabilities in
            guard tokens.last == comma, let start = tokens.lastIndex(where: { $0 == bar || $0 == semicolon }) else { return false }
            // From the line's start on, token k is character k (when all are ordinary tokens).
            let text = Array(tokenizer.modelText(tokens[start...]).utf8)
            guard text.count == tokens.count - start,
                  let line = SubtractionLine(text, at: 1, divisor: 0 ..< 0, table: []), line.end == text.count else { return false }
            return line.productExceedsCurrent(in: text) || isDoubtful(CheckedLine.division(line).doubted, probabilities, offset: start)
        }
    }

    /// `chain` with the runner-up written at token `at`, then `continuation`, cut at `end` (the
    /// end of the rewritten line), with the probabilities and runner-ups of every token kept. Nil
    /// unless `at < end ≤` the rewritten length: a runner-up that is no digit ends the line's
    /// number before it, and leaves no rewritten line to check.
    static func rewrite(of chain: DecodeResult, at: Int, continuation c: DecodeResult, cutAt end: Int) -> DecodeResult? {
        let taken = end - at - 1   // continuation tokens inside the line
        guard at >= 0, at < chain.tokens.count, taken >= 0, taken <= c.tokens.count else { return nil }
        return DecodeResult(
            tokens: Array(chain.tokens[..<at]) + [chain.runnerUps[at]] + c.tokens[..<taken], stop: .rule,
            probabilities: Array(chain.probabilities[..<at]) + [chain.runnerUpProbabilities[at]] + c.probabilities[..<taken],
            runnerUps: Array(chain.runnerUps[..<at]) + [chain.tokens[at]] + c.runnerUps[..<taken],
            runnerUpProbabilities: Array(chain.runnerUpProbabilities[..<at]) + [chain.probabilities[at]] + c.runnerUpProbabilities[..<taken])
    }

    /// `chain` with the result of `step` (its sign included) replaced by `answer`, the model's
    /// answer to the step asked on its own, as a rewrite that ends with it: nil if the answer is
    /// no number or is the result already written. The answer's tokens count as sure (probability
    /// 1): they are the model's, from another context, and are checked before they are kept.
    static func splice(_ answer: String, over step: SumStep, in chain: DecodeResult,
                       _ tokenizer: Tokenizer) throws -> (line: CheckedLine, chain: DecodeResult)? {
        let negative = answer.hasPrefix("-"), digits = negative ? answer.dropFirst() : answer[...]
        let start = step.result.lowerBound - (step.resultIsNegative ? 1 : 0)
        guard isNumber(digits.utf8), start >= 0, step.result.upperBound <= chain.tokens.count else { return nil }
        let tokens = try tokenizer.encode(answer)
        guard tokens.count == answer.utf8.count, tokens.allSatisfy({ $0 > Tokenizer.eos }),
              tokens != Array(chain.tokens[start ..< step.result.upperBound]) else { return nil }
        var line = step
        line.resultIsNegative = negative
        line.result = start + (negative ? 1 : 0) ..< start + tokens.count
        return (.step(line), splice(tokens, at: start, in: chain))
    }

    /// `chain` up to `start`, then `tokens`, which count as sure (probability 1, no runner-up):
    /// text the model wrote in another context, or copied, which is checked before it is kept.
    static func splice(_ tokens: [Int], at start: Int, in chain: DecodeResult) -> DecodeResult {
        DecodeResult(tokens: Array(chain.tokens[..<start]) + tokens, stop: .rule,
                     probabilities: Array(chain.probabilities[..<start]) + tokens.map { _ in 1 },
                     runnerUps: Array(chain.runnerUps[..<start]) + tokens,
                     runnerUpProbabilities: Array(chain.runnerUpProbabilities[..<start]) + tokens.map { _ in 0 })
    }

    /// `number` (the model's answer) with its sign turned: a text edit. Zero keeps no sign.
    private static func negated(_ number: String) -> String {
        if number.hasPrefix("-") { return String(number.dropFirst()) }
        return number.allSatisfy { $0 == "0" || $0 == "." } ? number : "-" + number
    }

    /// What the checks say of one line `c-p=r` in a block dividing by d.
    struct LineVerdict {
        /// p is not larger than c, and the model, asked `p+r`, answers with exactly the text of c.
        /// (For a step or a partial product: the step's sum and difference, or the product's
        /// division, give their texts; for a step's form or a block's head: the text is what the
        /// operation gives.)
        var sum: Bool
        /// p is 0, d or one of the multiples written in the block's table (a comparison of texts).
        var inTable: Bool
        /// r < d, compared as texts, so no larger multiple fitted (else the multiple chosen was
        /// too small, or r is false). The model was asked `r-d` until session 65, and its
        /// `215-213` is -1.
        var belowDivisor: Bool
        /// A long-division line's c is what it must bring down (`SubtractionLine.broughtDown`):
        /// a comparison of texts, so every line is checked for it, sure or not.
        var broughtDown = true
        /// A partial product's digits sit where they must and end as they must
        /// (`PartialProduct.placesHold`): a comparison of texts with the model's short product.
        var placesHold = true
        /// A partial product's rewrite the check finds as text: its digits where they must sit
        /// (`PartialProduct.placed`).
        var placed: String? = nil
        /// An exact partial product as the model's a*k in pieces gives it, where it sits where it
        /// must (`PartialProduct.fromPieces`): a rewrite of a p that fails a check of its text.
        var fromPieces: String? = nil
        /// p is `fromPieces`, where both orders gave every piece's product and their sum.
        var piecesHold = true
        var holds: Bool { sum && inTable && belowDivisor && broughtDown && placesHold && piecesHold }
    }

    /// The verdicts on `lines`, from one batch of questions to the model: sums and differences to
    /// `decoders.sums`, the partial products' divisions to `decoders.quotients`.
    private func check(_ lines: [(text: [UInt8], line: CheckedLine)],
                       decoders: (sums: BatchDecoder, quotients: BatchDecoder)) throws -> [LineVerdict] {
        func string(_ t: [UInt8], _ r: Range<Int>) -> String { String(decoding: t[r], as: UTF8.self) }
        // Compared as numbers' texts: `2.50` (an operand as written) is the model's `2.5`.
        func gives(_ answer: String?, _ expected: String) -> Bool {
            answer.map { withoutTrailingFractionZeros($0) == withoutTrailingFractionZeros(expected) } ?? false
        }
        // p and r as written: a padded line's leading zeros off (the questions are main-line sums).
        func number(_ t: [UInt8], _ r: Range<Int>) -> String { string(t, SubtractionLine.withoutLeadingZeros(r, in: t)) }
        func sumStep(_ k: Int) -> SumStep? { if case .step(let s) = lines[k].line { s } else { nil } }
        // A step that may be rounded is checked by the model's exact result, asked first (nil if
        // it wrote none: c is then checked as written), which, rounded, must be c. A difference's
        // is its digits found by sums where each was found: asked digit by digit it has the
        // step's own slips (`8513+-13.56492027=8599.43508`: its 10-4-1 is 4, both times).
        let roundable = lines.indices.filter { sumStep($0)?.mayBeRounded(in: lines[$0].text) ?? false }
        var exact = [String?](repeating: nil, count: lines.count), roundsToResult = [Bool](repeating: true, count: lines.count)
        let exactQuestions = roundable.map { sumStep($0)!.question }
        let bySums = try differencesBySums(exactQuestions, decoder: decoders.sums)
        var wholeOrInPieces = try modelAnswers(exactQuestions.indices.filter { bySums[$0] == nil }.map { exactQuestions[$0] },
                                            decoder: decoders.sums, answerTokens: 32)[...]
        let exactAnswers = bySums.map { $0 ?? wholeOrInPieces.popFirst()! }
        for (n, k) in roundable.enumerated() { exact[k] = exactAnswers[n].flatMap(sumStep(k)!.answer(from:)) }
        for (k, r) in zip(roundable, try roundedAsWritten(roundable.map { exact[$0] }, decoder: decoders.sums)) where exact[k] != nil {
            let s = sumStep(k)!
            roundsToResult[k] = r.map { gives($0, (s.resultIsNegative ? "-" : "") + string(lines[k].text, s.result)) } ?? false
        }
        // A step's sum and difference, read once: the questions and the answers they must get.
        let stepSums = lines.indices.map { k in sumStep(k)?.sum(in: lines[k].text, exact: exact[k]) }
        // A long-division line's sum p+r=c, asked without the zeros its terms share.
        let divisionSums = lines.map { t, line -> (addends: String, total: String)? in
            guard case .division(let l) = line else { return nil }
            let terms = [number(t, l.product), number(t, l.remainder), string(t, l.current)]
            let zeros = sharedTrailingZeros(terms), short = terms.map { String($0.dropLast(zeros)) }
            return (short[0] + "+" + short[1], short[2])
        }
        let questions: [[String]] = lines.indices.map { k in
            switch lines[k].line {
            case .division: return [divisionSums[k]!.addends]
            case .step: return stepSums[k].map { [$0.addends] + ($0.difference.map { [$0.question] } ?? []) + ($0.next.map { [$0.addends] } ?? []) } ?? []
            case .quotient, .product, .rewrite, .head: return []
            }
        }
        let divisions = lines.map { t, line -> (question: String, quotient: String)? in
            if case .product(let p) = line, p.isDividedBack { p.division(in: t) } else { nil }
        }
        // How an exact partial product's digits end: the model's product of a's last two digits
        // and k, where both orders give it.
        let lastDigitsQuestions = lines.map { line -> [String] in
            if case .product(let p) = line.line, p.isExact { p.lastDigitsQuestions } else { [] }
        }
        var lastDigitsAnswers = try modelAnswers(lastDigitsQuestions.flatMap { $0 }, decoder: decoders.sums, answerTokens: 32)[...]
        // And its digits: the model's a*k in pieces, their products put together by its sum
        // asked in pieces of two digits in both orders, where the two agree, and each piece's
        // product given by both orders. (Its products and sums slip too, seldom the same way
        // twice: of the 6,408 partial products by a digit other than 1 in session 71's chains,
        // this gave 5,677 true, none false and 731 not at all.)
        let pieceQuestions = lines.map { line -> [String] in
            if case .product(let p) = line.line, p.isExact { p.pieceQuestions } else { [] }
        }
        var pieceAnswers = try modelAnswers(pieceQuestions.flatMap { $0 }, decoder: decoders.sums, answerTokens: 32)[...]
        let piecesSums = lines.indices.map { k -> (sum: String, bothOrders: Bool)? in
            defer { pieceAnswers = pieceAnswers.dropFirst(pieceQuestions[k].count) }
            guard case .product(let p) = lines[k].line, !pieceQuestions[k].isEmpty else { return nil }
            return p.piecesSum(answers: Array(pieceAnswers.prefix(pieceQuestions[k].count)))
        }
        let asked = piecesSums.compactMap { $0?.sum }.filter { $0.contains("+") }.flatMap { [$0, swappedSum($0)] }
        var totalAnswers = try modelAnswers(asked, decoder: decoders.sums, answerTokens: 32, inPieces: true)[...]
        // Where the two orders differ, `x+y`'s is taken, as a rewrite only.
        let pieceTotals = piecesSums.map { pieces -> (total: String?, bothOrders: Bool)? in
            guard let (sum, bothOrders) = pieces else { return nil }
            guard sum.contains("+") else { return (sum, bothOrders) }
            defer { totalAnswers = totalAnswers.dropFirst(2) }
            return (totalAnswers.first!, bothOrders && totalAnswers.first! == totalAnswers.dropFirst().first!)
        }
        var quotientAnswers = try modelAnswers(divisions.compactMap { $0?.question }, decoder: decoders.quotients,
                                               answerTokens: Self.quotientTokens - 64)[...]
        var answers = try modelAnswers(questions.flatMap { $0 }, decoder: decoders.sums, answerTokens: 32)[...]
        var askedPerLine = questions.map { q -> [String?] in
            defer { answers = answers.dropFirst(q.count) }
            return Array(answers.prefix(q.count))
        }
        /// The verdict on line k, a long-division line `c-p=r`, from the answers it got.
        func divisionVerdict(_ k: Int, _ l: SubtractionLine) -> LineVerdict {
            let t = lines[k].text, asked = askedPerLine[k]
            // A p larger than c is false as written, whatever the sum.
            return LineVerdict(sum: !l.productExceedsCurrent(in: t) && asked[0] == divisionSums[k]!.total, inTable: l.productIsInTable(in: t),
                               belowDivisor: !l.remainderIsNotBelowDivisor(in: t), broughtDown: l.copiesCurrent(in: t))
        }
        // A sum that misses while the line's other checks hold is asked once more with its
        // addends swapped: the other order takes another path through the model's carries (its
        // 51200+8960 is 50160, its 8960+51200 is 60160).
        let swapped = lines.indices.filter { k in
            switch lines[k].line {
            case .division(let l):
                let v = divisionVerdict(k, l)
                return !l.productExceedsCurrent(in: lines[k].text) && !v.sum && v.inTable && v.belowDivisor
            case .step:
                guard let s = stepSums[k] else { return false }
                return !gives(askedPerLine[k][0], s.total) && s.difference.map { gives(askedPerLine[k][1], $0.answer) } ?? true
            case .quotient, .product, .rewrite, .head: return false
            }
        }
        let swappedAnswers = try modelAnswers(swapped.map { swappedSum(questions[$0][0]) }, decoder: decoders.sums, answerTokens: 32)
        for (n, k) in swapped.enumerated() { askedPerLine[k][0] = swappedAnswers[n] }
        /// Which of a step's checks (its sum, its difference, a table's last multiple's sum with
        /// 10d) `answers` to `questions[k]` pass.
        func stepChecks(_ k: Int, _ answers: [String?]) -> [Bool] {
            guard let s = stepSums[k] else { return [] }
            return [gives(answers[0], s.total)] + (s.difference.map { [gives(answers[1], $0.answer)] } ?? [])
                + (s.next.map { [gives(answers[answers.count - 1], $0.total)] } ?? [])
        }
        // A step whose checks miss is asked them again the other way: in pieces however short,
        // and whole if long. The model's checks share the slips of the step they check (its
        // 3180+3830 is 6910, and its 318+383 is 601), which pieces cut, while pieces have slips
        // of their own (its 10-4-1 is 4). Each check holds if one way gives its text.
        let retried = lines.indices.filter { sumStep($0) != nil && stepChecks($0, askedPerLine[$0]).contains(false) }
        // How each question was first asked: nil if whole. A long difference, already asked digit
        // by digit, is asked again only whole.
        let retryQuestions = retried.flatMap { questions[$0] }.map { ($0, PiecewiseQuestion($0)) }
        let piecesAgain = retryQuestions.filter { $0.1.map { !$0.isDifference } ?? true }.map(\.0)
        var inPieces = try modelAnswers(piecesAgain, decoder: decoders.sums, answerTokens: 32, inPieces: true)[...]
        var whole = try wholeAnswers(retryQuestions.filter { $0.1 != nil }.map(\.0), decoder: decoders.sums, answerTokens: 32)[...]
        var stepHolds = lines.indices.map { k in !stepChecks(k, askedPerLine[k]).contains(false) }
        for k in retried {
            let again = questions[k].map { q -> (inPieces: String?, whole: String?) in
                let first = PiecewiseQuestion(q)
                return (first.map { !$0.isDifference } ?? true ? inPieces.popFirst()! : nil, first != nil ? whole.popFirst()! : nil)
            }
            let ways = [askedPerLine[k], again.map(\.inPieces), again.map(\.whole)].map { stepChecks(k, $0) }
            stepHolds[k] = ways[0].indices.allSatisfy { c in ways.contains { $0[c] } }
        }
        // A step checked as written is decided, whatever its checks gave, where the model's sum in
        // pieces of two digits, asked in both orders, agrees on a total: it holds if that total is
        // c. Its checks share the step's slips both ways: it ends `2907/318-7614-2890+1825` with
        // -10494.858491+1825=-9669.858491, which they pass (in pieces 1825+9669.858491 is
        // 11494.858491 both ways), and its whole 917.6+412.92 and the difference miss the true
        // 1330.52, which the pieces give. In session 71's chains, the two orders agreed on 24,316
        // steps' sums, on a false one twice, and found 175 false steps. (A table's first multiple,
        // d+d, has one order only, and its last, with 10d to check, is left to its checks.)
        let decided = lines.indices.filter { k in
            guard !roundable.contains(k), let s = stepSums[k], s.next == nil || stepHolds[k] else { return false }
            let addends = s.addends.split(separator: "+")
            return addends[0] != addends[1]
        }
        let piecesAnswers = try modelAnswers(decided.flatMap { [stepSums[$0]!.addends, swappedSum(stepSums[$0]!.addends)] },
                                             decoder: decoders.sums, answerTokens: 32, inPieces: true)
        for (n, k) in decided.enumerated() {
            if let total = piecesAnswers[2 * n], total == piecesAnswers[2 * n + 1] { stepHolds[k] = gives(total, stepSums[k]!.total) }
        }
        return lines.indices.map { k in
            let t = lines[k].text
            switch lines[k].line {
            case .division(let l):
                return divisionVerdict(k, l)
            case .step:
                return LineVerdict(sum: stepHolds[k] && roundsToResult[k], inTable: true, belowDivisor: true)
            case .product(let p):
                let bothOrders = lastDigitsAnswers.prefix(lastDigitsQuestions[k].count)
                lastDigitsAnswers = lastDigitsAnswers.dropFirst(bothOrders.count)
                let lastDigits = bothOrders.count == 2 && bothOrders.first! == bothOrders.last! ? bothOrders.first! : nil
                let placesHold = !p.isExact || p.placesHold(in: t, lastDigits: lastDigits)
                let fromPieces = pieceTotals[k]?.total.flatMap { p.fromPieces($0, lastDigits: lastDigits) }
                let digitsChecked = fromPieces != nil && pieceTotals[k]!.bothOrders
                var verdict = LineVerdict(sum: true, inTable: true, belowDivisor: true, placesHold: placesHold,
                                          placed: placesHold ? nil : p.placed(in: t, lastDigits: lastDigits), fromPieces: fromPieces,
                                          piecesHold: !digitsChecked || gives(fromPieces, string(t, p.product)))
                guard p.isDividedBack else { return verdict }
                // A p that is no number is false; one the model gave no quotient for stands.
                guard divisions[k] != nil else { verdict.sum = false; return verdict }
                if let quotient = quotientAnswers.popFirst()! { verdict.sum = p.quotientMatches(quotient) }
                return verdict
            case .rewrite(let s):
                return LineVerdict(sum: s.holds(in: t), inTable: true, belowDivisor: true)
            case .quotient(let q):
                return LineVerdict(sum: q.holds(in: t), inTable: true, belowDivisor: true)
            case .head(let h):
                return LineVerdict(sum: h.holds(in: t), inTable: true, belowDivisor: true)
            }
        }
    }

    /// The model's greedy answers to `questions` (`a+b`, `a-b`, `p/k`) in at most `answerTokens`
    /// tokens, nil where it wrote none (or the question does not fit the decoder's slots with
    /// room for an answer). A long sum or difference of two unsigned numbers is asked in pieces
    /// (`PiecewiseQuestion`), and, if `inPieces`, any sum or difference however short.
    private func modelAnswers(_ questions: [String], decoder: BatchDecoder, answerTokens: Int,
                              inPieces: Bool = false) throws -> [String?] {
        let piecewise = questions.map { PiecewiseQuestion($0, always: inPieces) }
        let pieceQuestions = piecewise.map { $0?.questions ?? [] }
        let asked = try wholeAnswers(zip(questions, piecewise).filter { $1 == nil }.map(\.0) + pieceQuestions.flatMap { $0.compactMap { $0 } },
                                     decoder: decoder, answerTokens: answerTokens)
        var whole = asked[...], pieces = asked.dropFirst(piecewise.count { $0 == nil })
        return zip(piecewise, pieceQuestions).map { question, questions in
            guard let question else { return whole.popFirst()! }
            return question.answer(from: questions.map { $0 == nil ? nil : pieces.popFirst()! })
        }
    }

    /// The model's answers to the differences among `questions` digit by digit, each digit found
    /// by sums (`PiecewiseQuestion.digitSumQuestions`); nil for a sum, or where a digit was not
    /// found. Each distinct question is asked once.
    private func differencesBySums(_ questions: [String], decoder: BatchDecoder) throws -> [String?] {
        let differences = questions.map { PiecewiseQuestion($0, always: true) }
        let asked = differences.map { $0?.digitSumQuestions?.flatMap { $0 } ?? [] }
        var distinct: [String] = [], seen: Set<String> = []
        for q in asked.joined() where seen.insert(q).inserted { distinct.append(q) }
        let answers = Dictionary(uniqueKeysWithValues: zip(distinct, try wholeAnswers(distinct, decoder: decoder, answerTokens: 8)))
        return zip(differences, asked).map { difference, asked in
            guard let difference, !asked.isEmpty else { return nil }
            return difference.answer(from: difference.digits(bySums: asked.map { answers[$0]! }))
        }
    }

    /// The model's exact answers `exact` as the chain writes them under `options.precision`
    /// (`RoundedResult`): cut after the digits the policy keeps and, where the cut rounds up, the
    /// model's answer to it plus one unit at its last place; nil where an answer is nil or a
    /// round-up got no number.
    private func roundedAsWritten(_ exact: [String?], decoder: BatchDecoder) throws -> [String?] {
        let cuts = exact.map { $0.flatMap { RoundedResult(exact: $0, policy: options.precision) } }
        var units = try modelAnswers(cuts.compactMap { $0?.unitQuestion }, decoder: decoder, answerTokens: 32)[...]
        return zip(exact, cuts).map { answer, cut in
            guard let cut else { return answer }
            return cut.result(from: cut.unitQuestion == nil ? nil : units.popFirst()!)
        }
    }

    /// The model's greedy answers to `questions`, each asked whole (see `modelAnswers`).
    private func wholeAnswers(_ questions: [String], decoder: BatchDecoder, answerTokens: Int) throws -> [String?] {
        let prompts = try questions.map { [Tokenizer.bos] + (try model.tokenizer.encode($0 + "=")) }
        let asked = prompts.indices.filter { prompts[$0].count + answerTokens <= decoder.maxTokens }
        guard !asked.isEmpty else { return questions.map { _ in nil } }
        var answers = [String?](repeating: nil, count: questions.count)
        for (k, r) in try decoder.decode(asked.map { DecodeRequest(prompt: prompts[$0]) }, maxNewTokens: answerTokens).enumerated() {
            let q = asked[k]
            answers[q] = finalAnswerText(ofChain: questions[q] + "=" + model.tokenizer.decode(r.tokens))
        }
        return answers
    }
}

/// `x+y` (two unsigned numbers) as `y+x`: the other path through the model's carries.
private func swappedSum(_ sum: String) -> String {
    let terms = sum.split(separator: "+")
    return terms[1] + "+" + terms[0]
}

extension DecodeResult {
    /// This result (which must not have ended with the end token) followed by `next`, with its stop.
    func appending(_ next: DecodeResult) -> DecodeResult {
        DecodeResult(tokens: tokens + next.tokens, stop: next.stop, probabilities: probabilities + next.probabilities,
                     runnerUps: runnerUps + next.runnerUps, runnerUpProbabilities: runnerUpProbabilities + next.runnerUpProbabilities)
    }

    /// The first `count` tokens, with their probabilities and runner-ups, stopped by `stop`.
    func prefix(_ count: Int, stop: Stop = .rule) -> DecodeResult {
        DecodeResult(tokens: Array(tokens[..<count]), stop: stop, probabilities: Array(probabilities[..<count]),
                     runnerUps: Array(runnerUps[..<count]), runnerUpProbabilities: Array(runnerUpProbabilities[..<count]))
    }
}
