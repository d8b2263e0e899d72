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
        public var description: String { step == 0 ? "question: \(message)" : "step \(step): \(message)" }

        public init(step: Int, message: String) {
            self.step = step
            self.message = message
        }
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
                    return Failure(step: step, message: problem)
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

    /// Checks a scratch block's equations; returns a message for the first false one.
    func checkBlock(_ block: Substring, op: BinaryOperator, _ x: DecimalValue, _ y: DecimalValue, result: DecimalValue) -> String? {
        let equations = block.split(separator: ";", omittingEmptySubsequences: false)
        var lastFirst: Rational? = nil, lastValue: Rational? = nil
        for (n, equation) in equations.enumerated() {
            var values: [Rational] = []
            var relations: [Character] = []
            var start = equation.startIndex
            for i in equation.indices where equation[i] == "=" || equation[i] == "~" {
                relations.append(equation[i])
                guard let v = Self.value(equation[start..<i]) else { return "scratch equation \(n + 1): cannot read '\(equation[start..<i])'" }
                values.append(v)
                start = equation.index(after: i)
            }
            guard let v = Self.value(equation[start...]) else { return "scratch equation \(n + 1): cannot read '\(equation[start...])'" }
            values.append(v)
            guard !relations.isEmpty else { return "scratch equation \(n + 1): '\(equation)' has no '=' or '~'" }
            for (j, relation) in relations.enumerated() {
                let ok = relation == "=" ? values[j] == values[j + 1] : policy.apply(values[j]).rational == values[j + 1]
                if !ok { return "scratch equation \(n + 1) is false at part \(j + 2): '\(equation)'" }
            }
            lastFirst = values.first
            lastValue = values.last
        }
        guard let first = lastFirst, let last = lastValue else { return "empty scratch block" }
        guard let magnitudes = try? Expression.exactResult(of: op, x.magnitude.rational, y.magnitude.rational, text: ""), first == magnitudes else {
            return "scratch block's last equation does not start with |a|\(op.symbol)|b|"
        }
        guard last == result.magnitude.rational else { return "scratch block ends in \(last), the step's result is \(result)" }
        return nil
    }

    static func value(_ text: Substring) -> Rational? {
        guard let e = try? Expression(parsing: String(text)) else { return nil }
        return try? e.exactValue()
    }
}
