import Foundation
import ReckonArithmetic
import ReckonGenerator
import ReckonModel

/// A question to grade: the truth is exact; `canonical` is the answer the generator's chain reaches.
public struct GradingItem: Sendable {
    public var question: ReckonArithmetic.Expression
    public var truth: Rational
    public var canonical: DecimalValue
    /// Tokens of the generator's chain in the graded format, BOS + `question=…=answer` + EOS: the
    /// context a model needs to write the chain in full (nil when unknown).
    public var referenceTokens: Int?

    public init(question: ReckonArithmetic.Expression, truth: Rational, canonical: DecimalValue, referenceTokens: Int? = nil) {
        self.question = question; self.truth = truth; self.canonical = canonical; self.referenceTokens = referenceTokens
    }

    /// Truth and canonical answer computed exactly from the question (for external files); the
    /// reference chain's length too when `format` is given.
    public init(question: ReckonArithmetic.Expression, policy: RoundingPolicy = .standard, format: StepFormat? = nil) throws {
        let (truth, canonical) = try Grader(policy: policy).reference(for: question)
        let chain = format.flatMap { try? StepChain(format: $0, policy: policy).text(for: question) }
        self.init(question: question, truth: truth, canonical: canonical, referenceTokens: chain.map { $0.utf8.count + 2 })
    }
}

/// Everything known about one graded question.
public struct GradedQuestion: Sendable, Codable {
    public var index: Int
    public var question: String
    /// The model's chain, `question=…=answer`.
    public var chain: String
    public var answer: String?
    public var canonical: String
    /// The exact truth written with 20 decimals (`/`-fraction in `truthFraction`).
    public var truth: String
    public var truthFraction: String
    public var grade: Grade
    public var diagnosis: ChainDiagnosis
    public var confidence: Double
    public var features: QuestionFeatures
    /// `GradingItem.referenceTokens` (nil in reports from before it was recorded).
    public var referenceTokens: Int?
    /// `Solution.leastSure` (nil in reports from before it was recorded).
    public var leastSure: Double?
    /// `Solution.repairs` when the chain's subtractions were checked (nil otherwise).
    public var repairs: Int?
    /// `Solution.freshContexts` when the chain went on in a fresh context (nil otherwise).
    public var freshContexts: Int?

    /// The answer is not exactly the canonical one or is wrong by MathGLM's rule (the canonical
    /// answer itself can miss the truth at 2 decimals), or the chain has a wrong step.
    public var failed: Bool { !grade.exact || !grade.mathglm || !diagnosis.allStepsValid }
}

/// Runs the model on grading items and grades every chain.
public enum Evaluation {
    /// Test-split questions from a recipe, in the given format; example i is the same for a
    /// given (recipe, format, seed) whatever `count`.
    /// `policy` (default: the recipe's precision) decides the canonical answer.
    public static func testItems(recipe: Recipe, format: StepFormat, count: Int, seed: UInt64, policy: RoundingPolicy? = nil,
                                 threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> [GradingItem] {
        let generator = ExampleGenerator(recipe: recipe, format: format, split: .test, seed: seed, policy: policy)
        var items = [GradingItem?](repeating: nil, count: count)
        var failure: Error?
        let lock = NSLock()
        let parts = max(1, min(threads, count))
        items.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: parts) { t in
                var i = t
                while i < count {
                    do {
                        let e = try generator.example(index: i, progress: 1)
                        out[i] = GradingItem(question: e.question, truth: try e.question.exactValue(), canonical: e.answer,
                                             referenceTokens: e.line.utf8.count + 2)
                    } catch {
                        lock.lock(); failure = failure ?? error; lock.unlock()
                        return
                    }
                    i += parts
                }
            }
        }
        if let failure { throw failure }
        return items.map { $0! }
    }

    /// Solves and grades `items`. `progress` receives the chains decoded (votes included), then
    /// those checked (`Solver.solve`).
    /// `policy` is the rounding the model was trained with: it defines the canonical chain that
    /// the step diagnostics expect (MathGLM's rule and relative error do not depend on it).
    public static func run(_ items: [GradingItem], solver: Solver, policy: RoundingPolicy = .standard,
                           progress: ((SolveProgress) -> Void)? = nil) throws -> [GradedQuestion] {
        var prompts: [(question: ReckonArithmetic.Expression, prompt: [Int])] = []
        for item in items { prompts.append((item.question, try solver.prompt(for: item.question))) }
        let solutions = try solver.solve(prompts, progress: progress)
        return grade(items, solutions: solutions, policy: policy, threads: solver.options.threads)
    }

    /// Grades `solutions[i]` as the model's solution of `items[i]`: solved just now (`run`), or
    /// earlier and saved (`SavedAnswers`).
    public static func grade(_ items: [GradingItem], solutions: [Solution], policy: RoundingPolicy = .standard,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [GradedQuestion] {
        precondition(items.count == solutions.count, "one solution per item")
        let grader = Grader(policy: policy), diagnostics = StepDiagnostics(policy: policy)
        var graded = [GradedQuestion?](repeating: nil, count: items.count)
        // Grading is exact arithmetic on big rationals: spread it over the cores too.
        let parts = max(1, min(threads, items.count))
        graded.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: parts) { t in
                var i = t
                while i < items.count {
                    let item = items[i], s = solutions[i]
                    out[i] = GradedQuestion(
                        index: i, question: item.question.text, chain: s.chain, answer: s.answer,
                        canonical: item.canonical.description,
                        truth: DecimalValue(rounding: item.truth, fractionDigits: 20).description,
                        truthFraction: item.truth.description,
                        grade: grader.grade(answer: s.answer, truth: item.truth, canonical: item.canonical),
                        diagnosis: diagnostics.diagnose(s.chain, truth: item.truth),
                        confidence: s.confidence, features: QuestionFeatures(item.question), referenceTokens: item.referenceTokens,
                        leastSure: s.leastSure,
                        repairs: s.repairs, freshContexts: s.freshContexts > 0 ? s.freshContexts : nil)
                    i += parts
                }
            }
        }
        return graded.map { $0! }
    }
}
