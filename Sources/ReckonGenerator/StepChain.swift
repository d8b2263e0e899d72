import ReckonArithmetic

/// A chain broke a recipe's size limit.
public struct LimitExceeded: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Writes step chains: `question=step=…=answer`.
public struct StepChain: Sendable {
    public var format: StepFormat
    public var policy: RoundingPolicy
    public var limits: Recipe.Limits

    public init(format: StepFormat, policy: RoundingPolicy = .standard, limits: Recipe.Limits = Recipe.defaultLimits) {
        self.format = format
        self.policy = policy
        self.limits = limits
    }

    /// What writing a chain found out about it.
    public struct Outcome {
        /// The chain's final answer (also its last component).
        public var answer: DecimalValue
        /// Some step rounded its result, so the answer may differ from the exact value.
        public var rounded: Bool
    }

    /// Appends the chain for `question` to `out` (no newline). Throws on division by zero, a bad
    /// exponent or a broken limit; `out` may then hold a partial chain the caller must discard.
    @discardableResult
    public func write(_ question: Expression, to out: inout [UInt8]) throws -> Outcome {
        var printer = ExpressionPrinter()
        return try write(question, to: &out, printer: &printer)
    }

    /// As `write(_:to:)`, reusing `printer`'s storage. With `questionLength`, `out` already ends
    /// with the question's text, that many bytes long.
    @discardableResult
    public func write(_ question: Expression, to out: inout [UInt8], printer: inout ExpressionPrinter,
                      questionLength: Int? = nil) throws -> Outcome {
        printer.reset(nodeCount: question.nodes.count)
        if questionLength == nil { printer.write(question, to: &out) }
        var e = question
        e.normalize()
        var rounded = false, steps = 0
        if format == .direct {
            let answer = try e.chainValue(policy: policy)
            out.append(UInt8(ascii: "="))
            answer.write(to: &out)
            // A chain rounds iff the exact value differs from what it reached; direct needs the flag too.
            rounded = try answer.rational != question.exactValue()
            try check(answer)
            return Outcome(answer: answer, rounded: rounded)
        }
        while let i = e.nextOperation(), case .binary(let op, let l, let r) = e.nodes[i],
              let x = e.operand(at: l), let y = e.operand(at: r) {
            let a = x.value, b = y.value
            let result = try Expression.result(of: op, a, b, policy: policy, text: e.text(of: i))
            try check(result)
            if !rounded { rounded = Self.isRounded(op, a, b, result) }
            out.append(UInt8(ascii: "="))
            if format.writesBlock(for: op) {
                ScratchBlock.write(op, a, b, result: result, policy: policy, format: format, to: &out)
            }
            e.nodes[i] = .number(Literal(result))
            e.normalize()
            printer.invalidate(node: i)
            printer.write(e, to: &out)
            steps += 1
        }
        if steps == 0 {
            out.append(UInt8(ascii: "="))
            e.write(to: &out)
        }
        return Outcome(answer: e.literal(at: e.root)!.value, rounded: rounded)
    }

    /// Convenience: the chain as a string.
    public func text(for question: Expression) throws -> String {
        var out: [UInt8] = []
        try write(question, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func check(_ value: DecimalValue) throws {
        if value.decimalExponent > limits.maxIntegerDigits {
            throw LimitExceeded(message: "a value has more than \(limits.maxIntegerDigits) integer digits")
        }
    }

    /// Whether `result` differs from the exact `a op b`. Sums, differences and whole powers of
    /// short numbers are exact unless the policy cut digits, which only happens past its budget.
    static func isRounded(_ op: BinaryOperator, _ a: DecimalValue, _ b: DecimalValue, _ result: DecimalValue) -> Bool {
        switch op {
        case .add: return result != a + b
        case .subtract: return result != a - b
        case .multiply: return result != a * b
        case .divide: return result * b != a
        case .power: return true
        }
    }
}

/// Prints the successive expressions of one chain, re-using the text of every subtree a step
/// left unchanged.
///
/// A step replaces one operation node by a number, and normalisation then changes at most that
/// node's parent and grandparent (a dropped bracket, a folded sign). So after step k only the
/// path from the operation to the root needs printing again: `invalidate(node:)` clears it, and
/// every other subtree is copied from where it was printed before. Number nodes are never
/// modified (see `Expression.normalize()`), which keeps their cached text valid.
public struct ExpressionPrinter {
    /// Where a node's text sits in the output (which only grows during a chain); count 0 means
    /// "print it".
    private struct Span { var start: Int32 = 0; var count: Int32 = 0 }
    private var spans: [Span] = []
    /// Parent of each node as last printed (-1 for the root).
    private var parents: [Int32] = []

    public init() {}

    mutating func reset(nodeCount: Int) {
        spans.removeAll(keepingCapacity: true)
        spans.append(contentsOf: repeatElement(Span(), count: nodeCount))
        parents.removeAll(keepingCapacity: true)
        parents.append(contentsOf: repeatElement(-1, count: nodeCount))
    }

    /// Forgets the text of `node` and its ancestors.
    mutating func invalidate(node: Int) {
        var j = node
        while j >= 0 {
            spans[j] = Span()
            j = Int(parents[j])
        }
    }

    /// Appends `e`'s text to `out`. Between `reset` and the last `write` of a chain, `out` must
    /// only grow.
    mutating func write(_ e: Expression, to out: inout [UInt8]) {
        if spans.count < e.nodes.count {
            spans.append(contentsOf: repeatElement(Span(), count: e.nodes.count - spans.count))
            parents.append(contentsOf: repeatElement(-1, count: e.nodes.count - parents.count))
        }
        write(e, node: e.root, parent: -1, to: &out)
    }

    private mutating func write(_ e: Expression, node i: Int, parent: Int, to out: inout [UInt8]) {
        parents[i] = Int32(parent)
        let span = spans[i]
        if span.count > 0 {
            // Copy bytes already in `out` to its end.
            let end = out.count, n = Int(span.count)
            out.append(contentsOf: repeatElement(0, count: n))
            out.withUnsafeMutableBufferPointer { b in (b.baseAddress! + end).update(from: b.baseAddress! + Int(span.start), count: n) }
            return
        }
        let start = out.count
        switch e.nodes[i] {
        case .number(let l):
            l.write(to: &out)
        case .unary(let op, let x):
            out.append(op.rawValue)
            write(e, node: x, parent: i, to: &out)
        case .binary(let op, let a, let b):
            write(e, node: a, parent: i, to: &out)
            out.append(op.rawValue)
            write(e, node: b, parent: i, to: &out)
        case .group(let bracket, let x):
            out.append(bracket == .round ? UInt8(ascii: "(") : UInt8(ascii: "["))
            write(e, node: x, parent: i, to: &out)
            out.append(bracket == .round ? UInt8(ascii: ")") : UInt8(ascii: "]"))
        }
        spans[i] = Span(start: Int32(start), count: Int32(out.count - start))
    }
}

/// Splits a chain line into its `=`-separated components, ignoring `=` inside `{…}` blocks.
public func chainComponents(_ line: Substring) -> [Substring] {
    var parts: [Substring] = []
    var depth = 0
    var start = line.startIndex
    var i = line.startIndex
    while i < line.endIndex {
        let c = line[i]
        if c == "{" { depth += 1 } else if c == "}" { depth -= 1 } else if c == "=" && depth == 0 {
            parts.append(line[start..<i])
            start = line.index(after: i)
        }
        i = line.index(after: i)
    }
    parts.append(line[start..<line.endIndex])
    return parts
}
