import ReckonArithmetic

/// What a sample of a recipe looks like: the figures ANCHORS.md gives for MathGLM's test set,
/// chain lengths, and how often the chain's answer agrees with the exact value at 2 decimals.
public struct RecipeStatistics: Sendable {
    public var questions = 0
    public var withDecimal = 0
    public var withPercent = 0
    public var withRoundBrackets = 0
    public var withSquareBrackets = 0
    public var withNegative = 0
    public var withPower = 0
    public var operationCounts: [Int: Int] = [:]
    public var operatorCounts: [BinaryOperator: Int] = [:]
    public var integerAnswers = 0
    public var terminatingAnswers = 0
    public var chainLengths: [Int] = []
    /// Questions whose chain answer, rounded to 2 decimals, equals the exact value rounded to 2 decimals.
    public var agreeAtTwoDecimals = 0
    public var exactAnswers = 0
    public var disagreements: [String] = []
    /// Questions with a `/`.
    public var withDivision = 0
    /// Significant digits tried in `rightWithQuotientDigits`.
    public static let quotientDigits = [2, 3, 4, 6, 8, 10, 12]
    /// For each of `quotientDigits`, questions with a `/` whose value, with every quotient rounded
    /// to that many significant digits (integer digits never dropped) and all else exact, still
    /// rounds to the exact answer at 2 decimals: how far into its quotients a model must be right.
    public var rightWithQuotientDigits = [Int](repeating: 0, count: quotientDigits.count)

    public init() {}

    /// Adds one generated example.
    public mutating func add(_ example: ExampleGenerator.Example) throws {
        questions += 1
        let q = example.question
        var decimal = false, percent = false, round = false, square = false, negative = false, division = false, power = false, ops = 0
        for node in q.nodes {
            switch node {
            case .number(let l):
                if !l.written.isInteger { decimal = true }
                if l.isPercent { percent = true }
                if l.written.signum < 0 { negative = true }
            case .group(let b, _): if b == .round { round = true } else { square = true }
            case .unary(let op, _): if op == .minus { negative = true }
            case .binary(let op, _, _):
                ops += 1
                operatorCounts[op, default: 0] += 1
                if op == .power { power = true }
                if op == .divide { division = true }
            }
        }
        withDecimal += decimal ? 1 : 0
        withPercent += percent ? 1 : 0
        withRoundBrackets += round ? 1 : 0
        withSquareBrackets += square ? 1 : 0
        withNegative += negative ? 1 : 0
        withPower += power ? 1 : 0
        operationCounts[ops, default: 0] += 1
        let truth = try q.exactValue()
        if truth.isInteger { integerAnswers += 1 }
        if Self.isTerminating(truth) { terminatingAnswers += 1 }
        if example.answer.rational == truth { exactAnswers += 1 }
        chainLengths.append(example.line.utf8.count)
        let truthAtTwo = DecimalValue(rounding: truth, fractionDigits: 2)
        if DecimalValue(rounding: example.answer.rational, fractionDigits: 2) == truthAtTwo {
            agreeAtTwoDecimals += 1
        } else if disagreements.count < 10 {
            disagreements.append(q.text)
        }
        guard division else { return }
        withDivision += 1
        for (k, digits) in Self.quotientDigits.enumerated() {
            let value = try q.value(roundingQuotientsBy: RoundingPolicy(significantDigits: digits, minimumFractionDigits: 0))
            if DecimalValue(rounding: value, fractionDigits: 2) == truthAtTwo { rightWithQuotientDigits[k] += 1 }
        }
    }

    /// Whether r's decimal expansion ends (its denominator has no prime factor but 2 and 5).
    static func isTerminating(_ r: Rational) -> Bool {
        var d = r.denominator
        for p in [ExactInteger(2), ExactInteger(5)] {
            while true {
                let (q, rem) = d.quotientAndRemainder(dividingBy: p)
                if !rem.isZero { break }
                d = q
            }
        }
        return d == .one
    }

    /// The share of questions with `/` still right at 2 decimals for each quotient precision.
    var quotientLine: String {
        guard withDivision > 0 else { return "" }
        let shares = zip(Self.quotientDigits, rightWithQuotientDigits).map {
            "\($0): \(String(format: "%.1f%%", 100 * Double($1) / Double(withDivision)))"
        }
        return "\n  right if quotients keep k digits " + shares.joined(separator: ", ")
    }

    /// A plain-text report.
    public var report: String {
        func pct(_ n: Int) -> String { questions == 0 ? "-" : String(format: "%.1f%%", 100 * Double(n) / Double(questions)) }
        let sorted = chainLengths.sorted()
        func quantile(_ p: Double) -> Int { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] }
        var median = 0, seen = 0
        for k in operationCounts.keys.sorted() {
            seen += operationCounts[k]!
            if seen * 2 >= questions { median = k; break }
        }
        let totalOps = operatorCounts.values.reduce(0, +)
        let opShare = BinaryOperator.allCases.filter { operatorCounts[$0] != nil }.map {
            "\($0.symbol) \(String(format: "%.0f%%", 100 * Double(operatorCounts[$0]!) / Double(max(totalOps, 1))))"
        }.joined(separator: ", ")
        return """
        questions                        \(questions)
        with a decimal                   \(pct(withDecimal))
        with a percent                   \(pct(withPercent))
        with ( )                         \(pct(withRoundBrackets))
        with [ ]                         \(pct(withSquareBrackets))
        with a negative number           \(pct(withNegative))
        with ^                           \(pct(withPower))
        operations                       \(operationCounts.keys.min() ?? 0)–\(operationCounts.keys.max() ?? 0), median \(median)
        operators                        \(opShare)
        integer answers                  \(pct(integerAnswers))
        terminating-decimal answers      \(pct(terminatingAnswers))
        chain answer exact               \(pct(exactAnswers))
        chain answer right at 2 decimals \(questions == 0 ? "-" : String(format: "%.2f%%", 100 * Double(agreeAtTwoDecimals) / Double(questions))) (\(questions - agreeAtTwoDecimals) differ)
        chain characters                 median \(quantile(0.5)), 90% \(quantile(0.9)), 99% \(quantile(0.99)), max \(sorted.last ?? 0)
        questions with /                 \(pct(withDivision))\(quotientLine)
        """
    }
}
