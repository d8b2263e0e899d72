import ReckonArithmetic

/// How many of each part of a chain's long-division blocks hold, each part checked on its own
/// written operands.
///
/// `Verifier` names a block's *first* false part, after which every later part is judged against
/// a wrong history. This tally checks every table entry `d*k=m` (m = d·k), every line's
/// subtraction `c-p=r` (r = c − p) and every line's choice of multiple (p is the largest multiple
/// of the divisor d not above the written c) by itself, so that an early error does not hide what
/// a model can do later in the block. Parts that cannot be read are not counted.
public struct LongDivisionParts: Sendable, Codable, Equatable {
    /// Parts that hold, of those read.
    public struct Tally: Sendable, Codable, Equatable {
        public var right = 0
        public var total = 0
        public init(right: Int = 0, total: Int = 0) { self.right = right; self.total = total }
        public var rate: Double { total == 0 ? 0 : Double(right) / Double(total) }
        mutating func count(_ holds: Bool) { total += 1; if holds { right += 1 } }
        mutating func add(_ other: Tally) { right += other.right; total += other.total }
    }

    /// Long-division blocks read (their head names a whole divisor).
    public var blocks = 0
    /// Table entries `d*k=m`.
    public var table = Tally()
    /// Lines' subtractions `c-p=r`.
    public var subtraction = Tally()
    /// Lines' multiples p: the largest multiple of d not above c.
    public var choice = Tally()

    public init() {}

    /// Tallies the long-division blocks `{head:table|lines[~q]}` of a chain, `question=…=answer`.
    public init(chain: Substring) {
        var rest = chain
        while let open = rest.firstIndex(of: "{") {
            let inside = rest[rest.index(after: open)...]
            guard let close = inside.firstIndex(of: "}") else { break }
            add(block: inside[..<close])
            rest = inside[inside.index(after: close)...]
        }
    }

    public mutating func add(_ other: LongDivisionParts) {
        blocks += other.blocks
        table.add(other.table)
        subtraction.add(other.subtraction)
        choice.add(other.choice)
    }

    mutating func add(block: Substring) {
        guard let colon = block.firstIndex(of: ":"),
              let head = LongDivisionHead(block[..<colon]) else { return }
        let lines = block[block.index(after: colon)...]
        guard let bar = lines.firstIndex(of: "|") else { return }
        blocks += 1
        let d = head.divisor
        for entry in lines[..<bar].split(separator: ",") {
            let sides = entry.split(separator: "=", omittingEmptySubsequences: false)
            let factors = sides.count == 2 ? sides[0].split(separator: "*", omittingEmptySubsequences: false) : []
            guard factors.count == 2, let a = ExactInteger(digits: factors[0].utf8), let k = ExactInteger(digits: factors[1].utf8),
                  let m = ExactInteger(digits: sides[1].utf8) else { continue }
            table.count(a * k == m)
        }
        let body = lines[lines.index(after: bar)...].prefix { $0 != "~" }
        for text in body.split(separator: ";") {
            guard let line = LongDivisionLine(text) else { continue }
            subtraction.count(line.current - line.product == line.remainder)
            choice.count(line.product == line.current.quotientAndRemainder(dividingBy: d).quotient * d)
        }
    }
}

/// A long-division block's head, `a'/d` or `a/b=a'/d`: the division with a whole divisor d that
/// the block works (`moved`, `a/b`, when the divisor had decimals).
struct LongDivisionHead {
    var moved: Substring?
    /// The text `a'/d`.
    var division: Substring
    var dividend: Rational
    var divisor: ExactInteger

    /// Nil unless the head reads as a division of a non-negative number by a positive whole one.
    init?(_ head: Substring) {
        let parts = head.split(separator: "=", omittingEmptySubsequences: false)
        guard let last = parts.last, parts.count <= 2, let slash = last.firstIndex(of: "/"),
              let dividend = Verifier.value(last[..<slash]), let divisor = Verifier.value(last[last.index(after: slash)...]),
              divisor.denominator == .one, divisor.signum > 0, dividend.signum >= 0 else { return nil }
        self.moved = parts.count == 2 ? parts[0] : nil
        self.division = last
        self.dividend = dividend
        self.divisor = divisor.numerator
    }
}

/// One line of a long-division block, `current-product=remainder,quotient`: the quotient so far
/// with its point, if any, where the places below one start.
struct LongDivisionLine {
    var text: Substring
    /// The quotient's digits without its point.
    var digits: String
    /// Digits after the quotient's point (nil: no point).
    var fraction: Int?
    var current, product, remainder: ExactInteger

    /// Nil unless `text` has that shape with whole numbers and a quotient of digits and at most one point.
    init?(_ text: Substring) {
        let halves = text.split(separator: ",", omittingEmptySubsequences: false)
        let sums = halves.count == 2 ? halves[0].split(separator: "=", omittingEmptySubsequences: false) : []
        let terms = sums.count == 2 ? sums[0].split(separator: "-", omittingEmptySubsequences: false) : []
        // ASCII digits only: the quotient's digits are parsed again later.
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isWholeNumber }
        guard terms.count == 2, halves[1].contains(where: isDigit), halves[1].allSatisfy({ isDigit($0) || $0 == "." }),
              halves[1].filter({ $0 == "." }).count <= 1,
              let current = ExactInteger(digits: terms[0].utf8), let product = ExactInteger(digits: terms[1].utf8),
              let remainder = ExactInteger(digits: sums[1].utf8) else { return nil }
        let quotient = halves[1]
        self.text = text
        self.digits = quotient.filter { $0 != "." }
        self.fraction = quotient.firstIndex(of: ".").map { quotient.distance(from: $0, to: quotient.endIndex) - 1 }
        self.current = current
        self.product = product
        self.remainder = remainder
    }
}
