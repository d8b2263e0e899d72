import Foundation
import ReckonGenerator

/// Counts of correct answers under each rule, for some group of questions.
public struct Accuracy: Sendable, Codable, Equatable {
    public var count = 0
    public var exact = 0
    public var mathglm = 0
    public var relative1e2 = 0
    public var relative1e4 = 0
    /// Chains whose every step is valid.
    public var validChains = 0

    public init() {}

    mutating func add(_ q: GradedQuestion) {
        count += 1
        if q.grade.exact { exact += 1 }
        if q.grade.mathglm { mathglm += 1 }
        if q.grade.relative1e2 { relative1e2 += 1 }
        if q.grade.relative1e4 { relative1e4 += 1 }
        if q.diagnosis.allStepsValid { validChains += 1 }
    }

    func rate(_ n: Int) -> Double { count == 0 ? 0 : Double(n) / Double(count) }
    public var exactRate: Double { rate(exact) }
    public var mathglmRate: Double { rate(mathglm) }
    public var relative1e2Rate: Double { rate(relative1e2) }
    public var relative1e4Rate: Double { rate(relative1e4) }
    public var validChainRate: Double { rate(validChains) }
}

/// One labelled group of a breakdown.
public struct Bucket: Sendable, Codable, Equatable {
    public var key: String
    public var accuracy: Accuracy
}

/// Every figure of an evaluation run.
public struct EvaluationSummary: Sendable, Codable {
    public var overall = Accuracy()
    /// Chains with every step valid.
    public var validChains = 0
    /// Chains with a wrong step whose final answer is still right (MathGLM's rule).
    public var rightAnswerThroughWrongStep = 0
    /// First-error kinds (accumulated included), in `StepErrorKind` order; absent kinds are 0.
    public var errorKinds: [Bucket] = []
    public var errorKindCounts: [String: Int] = [:]
    /// Calculation errors whose step has a false scratch block, by the block's first false part,
    /// in `Verifier.ScratchFault` order; absent parts are 0.
    public var scratchFaults: [Bucket] = []
    /// The long-division blocks of the failed chains (`GradedQuestion.failed`), every part checked
    /// on its own written operands; nil when they have none (or the report predates the tally).
    public var longDivisionParts: LongDivisionParts?
    public var byOperator: [Bucket] = []
    public var byOperations: [Bucket] = []
    public var byDigits: [Bucket] = []
    public var byKind: [Bucket] = []
    /// By the length of the generator's chain in tokens (`GradedQuestion.referenceTokens`): keys
    /// `≤128`, `≤256`, … doubling up to the decode context, then `≤<context>` and `><context>`;
    /// nil when no question's length is known.
    public var byReferenceLength: [Bucket]?
    /// By the model's probability of the least likely token of its chain
    /// (`GradedQuestion.leastSure`), in bands split at `leastSureBounds`: keys `<50%`, `50–70%`,
    /// `70–90%`, `90–99%`, `≥99%`; nil when no question has it (reports from before it).
    public var byLeastSure: [Bucket]?
    /// Operator × max operand digits; key `"*|4"`.
    public var byOperatorAndDigits: [Bucket] = []
    /// Mean vote share of the chosen answer.
    public var meanConfidence = 0.0
    /// Chains with a line repaired by `--check-subtractions`, those lines, and the
    /// repaired chains right by MathGLM's rule (nil when no question records repairs).
    public var repairs: Repairs?

    /// Chains that went on in a fresh context after the context was full, and those of them
    /// right by MathGLM's rule (nil when none did).
    public var freshContexts: Continued?

    public struct Continued: Sendable, Codable, Equatable {
        public var chains = 0
        public var rightByMathGLM = 0
    }

    public struct Repairs: Sendable, Codable, Equatable {
        public var chains = 0
        public var lines = 0
        public var rightByMathGLM = 0
    }

    /// `context`: the context length decoded with, the last bound of `byReferenceLength`.
    public init(_ questions: [GradedQuestion], context: Int? = nil) {
        var ops: [String: Accuracy] = [:], counts: [Int: Accuracy] = [:], digits: [Int: Accuracy] = [:]
        var kinds: [String: Accuracy] = [:], cells: [String: Accuracy] = [:]
        var kindCounts: [String: Int] = [:], faultCounts: [String: Int] = [:]
        var confidence = 0.0
        var parts = LongDivisionParts()
        var repaired: Repairs? = nil, continued: Continued? = nil
        let lengths = questions.compactMap(\.referenceTokens)
        let bounds = Self.lengthBounds(context: context, longest: lengths.max() ?? 0)
        var byLength: [Int: Accuracy] = [:]   // bound index (bounds.count: above the last) → accuracy
        var bySure: [Int: Accuracy] = [:]     // band index → accuracy
        for q in questions {
            if q.failed { parts.add(LongDivisionParts(chain: q.chain[...])) }
            overall.add(q)
            confidence += q.confidence
            if let n = q.repairs {
                repaired = repaired ?? Repairs()
                if n > 0 { repaired!.chains += 1; repaired!.lines += n; if q.grade.mathglm { repaired!.rightByMathGLM += 1 } }
            }
            if q.freshContexts != nil {
                continued = continued ?? Continued()
                continued!.chains += 1
                if q.grade.mathglm { continued!.rightByMathGLM += 1 }
            }
            if q.diagnosis.allStepsValid { validChains += 1 } else if q.grade.mathglm { rightAnswerThroughWrongStep += 1 }
            if let k = q.diagnosis.kind { kindCounts[k.rawValue, default: 0] += 1 }
            if let f = q.diagnosis.scratchFault { faultCounts[f.rawValue, default: 0] += 1 }
            for o in q.features.operators {
                ops[o, default: Accuracy()].add(q)
                cells["\(o)|\(q.features.maxDigits)", default: Accuracy()].add(q)
            }
            counts[q.features.operations, default: Accuracy()].add(q)
            digits[q.features.maxDigits, default: Accuracy()].add(q)
            for k in q.features.kinds { kinds[k, default: Accuracy()].add(q) }
            if let n = q.referenceTokens { byLength[bounds.firstIndex { n <= $0 } ?? bounds.count, default: Accuracy()].add(q) }
            if let p = q.leastSure { bySure[Self.leastSureBounds.lastIndex { p >= $0 }.map { $0 + 1 } ?? 0, default: Accuracy()].add(q) }
        }
        byLeastSure = bySure.isEmpty ? nil : bySure.keys.sorted().map { Bucket(key: Self.leastSureKeys[$0], accuracy: bySure[$0]!) }
        longDivisionParts = parts.blocks > 0 ? parts : nil
        byReferenceLength = lengths.isEmpty ? nil : byLength.keys.sorted().map { i in
            Bucket(key: i < bounds.count ? "≤\(bounds[i])" : ">\(bounds.last!)", accuracy: byLength[i]!)
        }
        meanConfidence = questions.isEmpty ? 0 : confidence / Double(questions.count)
        repairs = repaired
        freshContexts = continued
        errorKindCounts = kindCounts
        errorKinds = StepErrorKind.allCases.map { k in
            var a = Accuracy(); a.count = kindCounts[k.rawValue] ?? 0
            return Bucket(key: k.rawValue, accuracy: a)
        }
        scratchFaults = Verifier.ScratchFault.allCases.map { f in
            var a = Accuracy(); a.count = faultCounts[f.rawValue] ?? 0
            return Bucket(key: f.rawValue, accuracy: a)
        }
        let operatorOrder = ["+", "-", "*", "/", "^"]
        byOperator = operatorOrder.compactMap { o in ops[o].map { Bucket(key: o, accuracy: $0) } }
        byOperations = counts.keys.sorted().map { Bucket(key: String($0), accuracy: counts[$0]!) }
        byDigits = digits.keys.sorted().map { Bucket(key: String($0), accuracy: digits[$0]!) }
        byKind = QuestionFeatures.kindNames.compactMap { k in kinds[k].map { Bucket(key: k, accuracy: $0) } }
        byOperatorAndDigits = operatorOrder.flatMap { o in
            digits.keys.sorted().compactMap { d in cells["\(o)|\(d)"].map { Bucket(key: "\(o)|\(d)", accuracy: $0) } }
        }
    }

    /// Where `byLeastSure`'s bands split.
    public static let leastSureBounds = [0.5, 0.7, 0.9, 0.99]
    /// `<50%`, `50–70%`, …, `≥99%`: one key per band, from the bounds.
    static let leastSureKeys: [String] = {
        let b = leastSureBounds.map { "\(Int(($0 * 100).rounded()))" }
        return ["<\(b[0])%"] + zip(b, b.dropFirst()).map { "\($0)–\($1)%" } + ["≥\(b.last!)%"]
    }()

    /// 128, 256, … doubling while below `context`, then `context`; without a context, doubling
    /// until `longest` fits.
    static func lengthBounds(context: Int?, longest: Int) -> [Int] {
        var bounds = [128]
        while bounds.last! < (context ?? longest) { bounds.append(2 * bounds.last!) }
        if let context {
            bounds.removeAll { $0 >= context }
            bounds.append(context)
        }
        return bounds
    }
}
