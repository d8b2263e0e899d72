import ReckonArithmetic
import ReckonGenerator

/// The final answer of a chain line `question=…=answer`: the text after the last top-level `=`,
/// without a leading scratch block `{…}`. Nil when the line has no `=`.
public func finalAnswerText(ofChain line: String) -> String? {
    let parts = chainComponents(line[...])
    guard parts.count >= 2, var last = parts.last else { return nil }
    if last.first == "{", let close = last.lastIndex(of: "}") { last = last[last.index(after: close)...] }
    return String(last)
}

/// The value of an answer text when it is a single number (`-12.5`, `40%`), else nil.
public func answerValue(_ text: String) -> DecimalValue? {
    guard let e = try? Expression(parsing: text), e.isNumber, let l = e.literal(at: e.root) else { return nil }
    return l.value
}

/// How one answer scores against the truth.
public struct Grade: Sendable, Equatable, Codable {
    /// The answer equals the generator's canonical answer (the value its chain reaches).
    public var exact: Bool
    /// MathGLM's rule: round(answer, 2) == round(truth, 2), halves away from zero.
    public var mathglm: Bool
    /// |answer − truth| ≤ 1e-2·|truth| (for truth 0: answer 0).
    public var relative1e2: Bool
    /// |answer − truth| ≤ 1e-4·|truth|.
    public var relative1e4: Bool
    /// |answer − truth| / |truth| as a Double (nil when there is no numeric answer or truth is 0).
    public var relativeError: Double?

    public static let wrong = Grade(exact: false, mathglm: false, relative1e2: false, relative1e4: false, relativeError: nil)
}

/// Grades answers against exact values; the truth comes from exact rational arithmetic only.
public struct Grader: Sendable {
    public var policy: RoundingPolicy

    public init(policy: RoundingPolicy = .standard) { self.policy = policy }

    /// The exact truth and the canonical (chain) answer of a question.
    public func reference(for question: ReckonArithmetic.Expression) throws -> (truth: Rational, canonical: DecimalValue) {
        (try question.exactValue(), try question.chainValue(policy: policy))
    }

    /// Grades `answer` (text, possibly malformed) against `truth` and the canonical answer.
    public func grade(answer: String?, truth: Rational, canonical: DecimalValue) -> Grade {
        guard let answer, let value = answerValue(answer) else { return .wrong }
        let a = value.rational
        let mathglm = DecimalValue(rounding: a, fractionDigits: 2) == DecimalValue(rounding: truth, fractionDigits: 2)
        let diff = a - truth
        let absDiff = diff.signum < 0 ? -diff : diff
        let absTruth = truth.signum < 0 ? -truth : truth
        func within(_ tolerance: Rational) -> Bool { absDiff <= tolerance * absTruth }
        var relative: Double? = nil
        if !truth.isZero { relative = doubleValue(absDiff / absTruth) }
        return Grade(exact: value == canonical, mathglm: mathglm,
                     relative1e2: within(Rational(ExactInteger(1), ExactInteger(100))),
                     relative1e4: within(Rational(ExactInteger(1), ExactInteger(10000))),
                     relativeError: relative)
    }
}

/// A rational as the nearest Double (via 17 significant decimal digits; ±inf beyond range).
public func doubleValue(_ r: Rational) -> Double {
    if r.isZero { return 0 }
    let digits = max(0, 17 - r.decimalExponent)
    return Double(DecimalValue(rounding: r, fractionDigits: min(digits, 400)).description) ?? .nan
}
