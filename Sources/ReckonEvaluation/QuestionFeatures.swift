import ReckonArithmetic

/// What a question is made of, for the breakdowns.
public struct QuestionFeatures: Sendable, Codable, Equatable {
    /// Binary operations.
    public var operations: Int
    /// Operator symbols used, in `+ - * / ^` order, each once.
    public var operators: [String]
    /// Most integer-part digits of any operand (0.5 and 12% count 1; exponents of `^` excluded).
    public var maxDigits: Int
    /// Number kinds present: `integer` (every operand a whole number, none percent or negative),
    /// else any of `decimal`, `percent`, `negative`.
    public var kinds: [String]

    public static let kindNames = ["integer", "decimal", "percent", "negative"]

    public init(_ q: ReckonArithmetic.Expression) {
        var ops = 0, used = Set<BinaryOperator>(), digits = 1
        var decimal = false, percent = false, negative = false
        var exponents = Set<Int>()
        for node in q.nodes {
            if case .binary(let op, _, let b) = node {
                ops += 1
                used.insert(op)
                if op == .power { exponents.insert(b) }
            }
        }
        for (i, node) in q.nodes.enumerated() {
            switch node {
            case .number(let l):
                if l.written.signum < 0 { negative = true }
                if exponents.contains(i) { continue }
                if !l.written.isInteger { decimal = true }
                if l.isPercent { percent = true }
                // Integer-part digits of the value as written (4859% → 4 digits, like MathGLM's operands).
                let w = l.written.magnitude
                digits = max(digits, w.decimalExponent > 0 ? w.decimalExponent : 1)
            case .unary(let op, _):
                if op == .minus { negative = true }
            default: break
            }
        }
        operations = ops
        operators = BinaryOperator.allCases.filter(used.contains).map { String($0.symbol) }
        maxDigits = digits
        var k: [String] = []
        if decimal { k.append("decimal") }
        if percent { k.append("percent") }
        if negative { k.append("negative") }
        kinds = k.isEmpty ? ["integer"] : k
    }
}
