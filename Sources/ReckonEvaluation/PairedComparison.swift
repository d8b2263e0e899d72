import Foundation

/// Two evaluations of the same questions compared question by question: which questions a
/// candidate model gets right that a baseline gets wrong (fixed), and the reverse (broken).
///
/// Two accuracies a point apart on a few hundred questions can be noise; the paired counts say
/// whether they are. `pValue` is the two-sided exact sign test (McNemar's exact test) of
/// fixed against broken: the chance of a split at least this uneven if neither model were better.
public struct PairedComparison: Sendable {
    /// Right by MathGLM's rule for the candidate, wrong for the baseline.
    public var fixed: Int
    /// Right by MathGLM's rule for the baseline, wrong for the candidate.
    public var broken: Int
    /// Two-sided exact sign test of `fixed` against `broken` (1 when both are 0).
    public var pValue: Double

    /// Compares `candidate` with `baseline`. Throws `ComparisonError` unless both graded the same
    /// questions: the same source, count and (for a recipe) seed, and the same question text at
    /// every index that both list among their failures.
    public init(baseline: EvaluationReport, candidate: EvaluationReport) throws {
        let a = baseline.run, b = candidate.run
        guard a.source == b.source, a.count == b.count, a.seed == b.seed || a.source.hasPrefix("input:") else {
            throw ComparisonError.differentQuestions(
                "\(a.source) seed \(a.seed), \(a.count) questions against \(b.source) seed \(b.seed), \(b.count) questions")
        }
        // Every question wrong by MathGLM's rule is among the failures (reports written before
        // that was so may lack some: their counts would not add up).
        func wrong(_ r: EvaluationReport) throws -> [Int: String] {
            let wrong = Dictionary(r.failures.filter { !$0.grade.mathglm }.map { ($0.index, $0.question) },
                                   uniquingKeysWith: { x, _ in x })
            guard r.run.count - wrong.count == r.summary.overall.mathglm else {
                throw ComparisonError.incomplete(r.run.checkpoint)
            }
            return wrong
        }
        let wrongA = try wrong(baseline), wrongB = try wrong(candidate)
        for (i, q) in wrongA {
            if let other = wrongB[i], other != q {
                throw ComparisonError.differentQuestions("question \(i) is \(q) in one and \(other) in the other")
            }
        }
        fixed = wrongA.keys.filter { wrongB[$0] == nil }.count
        broken = wrongB.keys.filter { wrongA[$0] == nil }.count
        pValue = Self.signTest(fixed, broken)
    }

    /// Two-sided exact sign test: min(1, 2·P(X ≤ min(x, y))) for X ~ Binomial(x + y, 1/2).
    public static func signTest(_ x: Int, _ y: Int) -> Double {
        let n = x + y, k = min(x, y)
        guard n > 0 else { return 1 }
        // Σ_{i≤k} C(n, i) / 2ⁿ with each term in logarithms: C(2000, 1000) overflows a Double.
        var tail = 0.0
        for i in 0...k {
            tail += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) - Double(n) * log(2.0))
        }
        return min(1, 2 * tail)
    }
}

public enum ComparisonError: Error, CustomStringConvertible {
    case differentQuestions(String)
    case incomplete(String)
    public var description: String {
        switch self {
        case .differentQuestions(let what): return "the evaluations graded different questions: \(what)"
        case .incomplete(let checkpoint):
            return "the report of \(checkpoint) does not list every question it got wrong (re-run reckon eval)"
        }
    }
}
