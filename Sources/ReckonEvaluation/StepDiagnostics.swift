import ReckonArithmetic
import ReckonGenerator

/// The kind of the first thing that went wrong in a chain.
public enum StepErrorKind: String, Sendable, Codable, CaseIterable {
    /// The right operation was performed but its result is wrong (or a scratch block is false).
    case calculation
    /// A number that should have been carried over unchanged was changed.
    case copy
    /// An operation other than the next one in precedence order was performed.
    case order
    /// The step does not parse, is not a rewrite of the previous expression, or the chain stops early.
    case malformed
    /// Every step is arithmetically valid (some results rounded to fewer digits than the policy
    /// keeps), yet the final answer is wrong by MathGLM's rule.
    case accumulated
}

/// Process-supervision view of one chain.
public struct ChainDiagnosis: Sendable, Equatable, Codable {
    /// Components after the question.
    public var steps: Int
    /// No step is wrong (steps whose result is the exact value correctly rounded to fewer digits
    /// than the policy keeps count as valid; see `impreciseSteps`).
    public var allStepsValid: Bool
    /// 1-based index of the first wrong component (nil when none is, including `accumulated`).
    public var firstWrongStep: Int?
    public var kind: StepErrorKind?
    public var message: String?
    /// For a calculation error in a step with a scratch block that is false: the block's first
    /// false part (which sub-step of the long division or product failed).
    public var scratchFault: Verifier.ScratchFault?
    /// Steps whose result is correctly rounded but shorter than the policy writes it.
    public var impreciseSteps: Int
}

/// Checks a generated chain step by step against exact arithmetic and names its first error.
///
/// Each component must be the previous expression with its next operation (precedence order)
/// performed, exactly as `Verifier` requires; a wrong component is then classified by comparing
/// its shape (operators and brackets, numbers masked) with the expected rewrite:
/// same shape and only the result differs → calculation; same shape and a carried-over number
/// differs → copy; the shape of performing some other ready operation → order; otherwise, or
/// if it does not parse → malformed.
public struct StepDiagnostics: Sendable {
    public var policy: RoundingPolicy

    public init(policy: RoundingPolicy = .standard) { self.policy = policy }

    /// Diagnoses `line` (`question=…=answer`). `truth` is the question's exact value, used only to
    /// call a chain of valid steps with a wrong answer `accumulated`.
    public func diagnose(_ line: String, truth: Rational) -> ChainDiagnosis {
        let parts = chainComponents(line[...])
        var diagnosis = ChainDiagnosis(steps: parts.count - 1, allStepsValid: true, firstWrongStep: nil, kind: nil,
                                       message: nil, scratchFault: nil, impreciseSteps: 0)
        func fail(_ step: Int, _ kind: StepErrorKind, _ message: String, _ fault: Verifier.ScratchFault? = nil) -> ChainDiagnosis {
            diagnosis.allStepsValid = false
            diagnosis.firstWrongStep = step
            diagnosis.kind = kind
            diagnosis.message = message
            diagnosis.scratchFault = fault
            return diagnosis
        }
        guard var current = try? Expression(parsing: String(parts[0])) else {
            return fail(0, .malformed, "the question does not parse")
        }
        current.normalize()
        guard parts.count >= 2 else { return fail(1, .malformed, "no '=': the chain is empty") }

        for (k, raw) in parts.dropFirst().enumerated() {
            let step = k + 1, isLast = step == parts.count - 1
            var text = raw
            var block: Substring? = nil
            if text.first == "{" {
                guard let close = text.firstIndex(of: "}") else { return fail(step, .malformed, "scratch block has no closing '}'") }
                block = text[text.index(after: text.startIndex)..<close]
                text = text[text.index(after: close)...]
            }
            guard let found = try? Expression(parsing: String(text)) else {
                return fail(step, .malformed, "'\(text)' does not parse")
            }
            guard let i = current.nextOperation(), case .binary(let op, let l, let r) = current.nodes[i],
                  let x = current.operand(at: l)?.value, let y = current.operand(at: r)?.value else {
                if step == 1 && isLast && found.text == current.text { break }
                return fail(step, .malformed, "a step after the expression was already a number")
            }
            guard let exact = try? Expression.exactResult(of: op, x.rational, y.rational, text: "") else {
                return fail(step, .malformed, "'\(current.text(of: i))' has no value")
            }
            let result = policy.apply(exact)
            var expected = current
            expected.nodes[i] = .number(Literal(result))
            expected.normalize()

            // The first false equation or line of the step's block, if any. The probe is a
            // one-step chain ending in the expected step, so that only its block is judged (it
            // need not end in a number).
            let blockFailure: (fault: Verifier.ScratchFault, message: String)? = block.flatMap { block in
                let probe = "\(current.text)={\(block)}\(expected.text)"
                guard let failure = Verifier(policy: policy).check(probe[...]), let fault = failure.scratchFault else { return nil }
                return (fault, "scratch block: \(failure.message)")
            }
            if found.text == expected.text {
                if let blockFailure { return fail(step, .calculation, blockFailure.message, blockFailure.fault) }
                current = expected
                continue
            }
            if isLast, found.isNumber, let chain = try? current.chainValue(policy: policy),
               found.literal(at: found.root)!.value == chain {
                current = found   // a direct final answer, as `Verifier` allows
                break
            }

            var normalizedFound = found
            normalizedFound.normalize()
            let (foundShape, foundNumbers) = Self.shape(normalizedFound)
            let (expectedShape, expectedNumbers) = Self.shape(expected)
            let performed = "\(current.text(of: i)) = \(result)"
            let alternatives = Self.otherOperations(current, excluding: expected.text, policy: policy)
            if let alt = alternatives.first(where: { $0.result.text == normalizedFound.text }) {
                return fail(step, .order, "performed '\(alt.performed)' before '\(current.text(of: i))' (expected '\(expected.text)')")
            }
            if foundShape == expectedShape {
                let differing = foundNumbers.indices.filter { foundNumbers[$0].literal != expectedNumbers[$0].literal }
                let resultIndex = expectedNumbers.firstIndex { $0.node == i }
                if let ri = resultIndex, differing == [ri] {
                    let written = foundNumbers[ri].literal
                    if !written.isPercent, written.written != result, written.written.scale >= 2, written.written.scale < result.scale,
                       DecimalValue(rounding: exact, fractionDigits: written.written.scale) == written.written {
                        // Correctly rounded, just shorter than the policy: carry on from the model's own step.
                        diagnosis.impreciseSteps += 1
                        current = normalizedFound
                        continue
                    }
                    // A wrong result after a block: the block's first false line is where it went wrong.
                    return fail(step, .calculation, "\(performed), found \(written.written)" + (blockFailure.map { "; \($0.message)" } ?? ""),
                                blockFailure?.fault)
                }
                if let n = differing.first(where: { $0 != resultIndex }) {
                    return fail(step, .copy, "carried-over \(expectedNumbers[n].literal.text) became \(foundNumbers[n].literal.text) (expected '\(expected.text)')")
                }
            }
            if isLast && found.isNumber {
                return fail(step, .calculation, "jumped to the answer \(found.text); '\(current.text)' gives \((try? current.chainValue(policy: policy))?.description ?? "?")")
            }
            if let alt = alternatives.first(where: { Self.shape($0.result).0 == foundShape }) {
                return fail(step, .order, "performed '\(alt.performed)' (miscomputed) before '\(current.text(of: i))' (expected '\(expected.text)')")
            }
            return fail(step, .malformed, "'\(text)' is not a rewrite of '\(current.text)' (expected '\(expected.text)')")
        }
        guard current.isNumber else {
            return fail(parts.count, .malformed, "the chain stops at '\(current.text)' before reaching a number")
        }
        let answer = current.literal(at: current.root)!.value.rational
        if DecimalValue(rounding: answer, fractionDigits: 2) != DecimalValue(rounding: truth, fractionDigits: 2) {
            diagnosis.kind = .accumulated
            diagnosis.message = "valid steps (\(diagnosis.impreciseSteps) rounded short) end in \(current.text)"
        }
        return diagnosis
    }

    /// The expression's shape (operators, brackets and signs in text order, each number as `#`)
    /// and its numbers in the same order with their node indices.
    static func shape(_ e: Expression) -> ([UInt8], [(node: Int, literal: Literal)]) {
        var shape: [UInt8] = [], numbers: [(node: Int, literal: Literal)] = []
        func walk(_ i: Int) {
            switch e.nodes[i] {
            case .number(let l): shape.append(UInt8(ascii: "#")); numbers.append((i, l))
            case .unary(let op, let x): shape.append(op.rawValue); walk(x)
            case .binary(let op, let a, let b): walk(a); shape.append(op.rawValue); walk(b)
            case .group(let bracket, let x):
                shape.append(bracket == .round ? UInt8(ascii: "(") : UInt8(ascii: "["))
                walk(x)
                shape.append(bracket == .round ? UInt8(ascii: ")") : UInt8(ascii: "]"))
            }
        }
        walk(e.root)
        return (shape, numbers)
    }

    /// Every rewrite of `e` that performs one operation on two numbers standing next to each
    /// other in its text (`a op b`), other than the rewrite `excluding`: what a model that
    /// ignores precedence or bracket order might write. Results are rounded by `policy`.
    static func otherOperations(_ e: Expression, excluding: String, policy: RoundingPolicy) -> [(performed: String, result: Expression)] {
        // Text items in order: numbers, and symbols flagged binary or not.
        enum Item { case number(Literal), binary(BinaryOperator), symbol(UInt8) }
        var items: [Item] = []
        func walk(_ i: Int) {
            switch e.nodes[i] {
            case .number(let l): items.append(.number(l))
            case .unary(let op, let x): items.append(.symbol(op.rawValue)); walk(x)
            case .binary(let op, let a, let b): walk(a); items.append(.binary(op)); walk(b)
            case .group(let bracket, let x):
                items.append(.symbol(bracket == .round ? UInt8(ascii: "(") : UInt8(ascii: "[")))
                walk(x)
                items.append(.symbol(bracket == .round ? UInt8(ascii: ")") : UInt8(ascii: "]")))
            }
        }
        walk(e.root)
        func render(_ list: ArraySlice<Item>) -> String {
            var out: [UInt8] = []
            for item in list {
                switch item {
                case .number(let l): l.write(to: &out)
                case .binary(let op): out.append(op.rawValue)
                case .symbol(let c): out.append(c)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        var found: [(String, Expression)] = []
        guard items.count >= 3 else { return [] }
        for k in 0..<(items.count - 2) {
            guard case .number(let a) = items[k], case .binary(let op) = items[k + 1], case .number(let b) = items[k + 2],
                  let value = try? Expression.result(of: op, a.value, b.value, policy: policy, text: "") else { continue }
            let text = render(items[..<k]) + Literal(value).text + render(items[(k + 3)...])
            guard var rewritten = try? Expression(parsing: text) else { continue }
            rewritten.normalize()
            if rewritten.text != excluding { found.append((render(items[k...(k + 2)]), rewritten)) }
        }
        return found
    }
}

extension Literal {
    /// The literal as written (`-12.5`, `40%`).
    var text: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
