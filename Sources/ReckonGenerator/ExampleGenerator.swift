import ReckonArithmetic

/// Why no example could be made.
public struct GenerationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Makes example number `index` of a run: a question from the recipe (in the requested split,
/// within the recipe's limits, with no division by zero) and its chain.
///
/// Example `index` depends only on (recipe, format, split, seed, index, progress): each index has
/// its own random stream, so a corpus is the same whatever the number of threads.
public struct ExampleGenerator: Sendable {
    public var recipe: Recipe
    public var chain: StepChain
    public var split: Split
    public var seed: UInt64

    /// Attempts per example before giving up (test-split runs need ~1,000 on average).
    public static let maximumAttempts = 200_000

    public init(recipe: Recipe, format: StepFormat? = nil, split: Split = .train, seed: UInt64,
                policy: RoundingPolicy? = nil) {
        self.recipe = recipe
        self.chain = StepChain(format: format ?? recipe.format, policy: policy ?? recipe.precision, limits: recipe.limits)
        self.split = split
        self.seed = seed
    }

    /// One generated example.
    public struct Example: Sendable {
        public var question: Expression
        /// The whole line: `question=…=answer`.
        public var line: String
        public var answer: DecimalValue
        /// Some step rounded (so `answer` may differ from the exact value in far decimals).
        public var rounded: Bool
    }

    /// Appends example `index`'s chain to `out`; returns its question's byte length and whether a
    /// step rounded. `progress` ∈ [0, 1] selects the recipe stage.
    @discardableResult
    public func write(index: Int, progress: Double, to out: inout [UInt8], sampler: inout Sampler) throws -> (questionLength: Int, rounded: Bool) {
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        if !sampler.covers(progress) { sampler = Sampler(recipe: recipe, progress: progress) }
        let start = out.count
        for _ in 0..<Self.maximumAttempts {
            let question = sampler.base.sample(&rng)
            out.removeSubrange(start...)
            question.write(to: &out)
            let questionLength = out.count - start
            guard split.accepts(out[start...]) else { continue }
            do {
                let outcome = try chain.write(question, to: &out, printer: &sampler.printer, questionLength: questionLength)
                // A rounded chain can hide an exact division by zero such as x/((1/3)*3-1).
                if outcome.rounded { try Self.checkDivisors(question) }
                return (questionLength, outcome.rounded)
            } catch {
                continue
            }
        }
        out.removeSubrange(start...)
        throw GenerationError(message: "recipe '\(recipe.name)': no acceptable \(split.rawValue)-split question after \(Self.maximumAttempts) attempts (is the distribution too small for its test split?)")
    }

    /// Throws if a divisor's exact value is zero. Only divisors with operations inside can be.
    static func checkDivisors(_ e: Expression) throws {
        for node in e.nodes {
            guard case .binary(.divide, _, let divisor) = node, e.literal(at: divisor) == nil else { continue }
            if try e.exactValue(of: divisor).isZero { throw EvaluationError.divisionByZero(e.text(of: divisor)) }
        }
    }

    /// Example `index` as one chain line, `question=…=answer`.
    public func line(index: Int, progress: Double = 0) throws -> String {
        var out: [UInt8] = []
        var sampler = Sampler(recipe: recipe, progress: progress)
        try write(index: index, progress: progress, to: &out, sampler: &sampler)
        return String(decoding: out, as: UTF8.self)
    }

    /// Example `index` as values (convenient, slower than `write`).
    public func example(index: Int, progress: Double = 0) throws -> Example {
        var out: [UInt8] = []
        var sampler = Sampler(recipe: recipe, progress: progress)
        let (questionLength, rounded) = try write(index: index, progress: progress, to: &out, sampler: &sampler)
        let line = String(decoding: out, as: UTF8.self)
        let question = try Expression(parsing: String(decoding: out[0..<questionLength], as: UTF8.self))
        var answerText = chainComponents(line[...]).last!
        if let close = answerText.lastIndex(of: "}") { answerText = answerText[answerText.index(after: close)...] }
        let answer = try Expression(parsing: String(answerText)).literal(at: 0)!.value
        return Example(question: question, line: line, answer: answer, rounded: rounded)
    }

    /// Reusable sampling state for one thread: node storage and the stage in force. (Keeping the
    /// stage here rather than looking it up per example also keeps threads from contending on
    /// the shared recipe's reference counts.)
    public struct Sampler {
        var base: ExpressionSampler
        var printer = ExpressionPrinter()
        let progressRange: Range<Double>

        public init(recipe: Recipe, progress: Double) {
            let i = recipe.stages.firstIndex(where: { progress < $0.until }) ?? recipe.stages.count - 1
            base = ExpressionSampler(stage: recipe.stages[i])
            progressRange = (i == 0 ? -Double.infinity : recipe.stages[i - 1].until)..<(i == recipe.stages.count - 1 ? .infinity : recipe.stages[i].until)
        }

        func covers(_ progress: Double) -> Bool { progressRange.contains(progress) }
    }
}
