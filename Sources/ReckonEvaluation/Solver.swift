import Foundation
import ReckonArithmetic
import ReckonGenerator
import ReckonModel

/// How the solver samples.
public struct SolverOptions: Sendable {
    /// Chains per question. 1 = the greedy chain alone; K > 1 = the greedy chain plus K − 1
    /// chains sampled at `temperature`, answered by majority vote.
    public var votes = 1
    public var temperature: Float = 0.7
    public var seed: UInt64 = 0
    /// Generated tokens per chain (default: as many as the context allows).
    public var maxNewTokens: Int?
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// How the decoder stores keys and values (`float16`: faster on long chains, not exact).
    public var cachePrecision = CachePrecision.float32
    /// Most lines (long-division lines, ± steps) repaired per greedy chain after checking them
    /// with the model's own addition (0 = off; see `repairSubtractions`). Needs `votes == 1` and
    /// a model that keeps numbers' digits in order (`NumberOrder.keepsDigitOrder`).
    public var subtractionChecks = 0
    /// How the model's chains round a long result (its training recipe's precision): the checks
    /// round the model's exact answers the same way before comparing them with a chain's steps.
    public var precision = RoundingPolicy.standard
    /// Go on with a chain the context cut off in a fresh context, from its last whole step (see
    /// `continueInFreshContexts`). Only without a token limit (`maxNewTokens` nil).
    public var freshContexts = false
    public init() {}
}

/// The model's solution of one question.
public struct Solution: Sendable {
    /// `question=…=answer` as the model wrote it (question in canonical form).
    public var chain: String
    /// Components after the question; the last is the answer.
    public var steps: [String]
    /// Text after the chain's last `=` (nil if the model wrote no `=`-separated answer).
    public var answer: String?
    /// Share of the K chains whose answer is the chosen one (1 for K = 1).
    public var confidence: Double
    public var votes: Int
    public var stop: DecodeResult.Stop
    /// The model's probability of the least likely token it wrote in `chain`, the end token
    /// included (`DecodeResult.leastSure`; 1 for an empty chain). A wrong chain has one low
    /// almost always; a right chain mostly does not.
    public var leastSure: Double = 1
    /// Character offset in `chain` of that token; nil when it is the end token, or when the
    /// model reads numbers reversed (its tokens are not in the chain's character order).
    public var leastSureOffset: Int?
    /// Long-division lines rewritten because the model's own sum did not give their c back
    /// (nil when the lines were not checked: `subtractionChecks` 0, or votes).
    public var repairs: Int?
    /// How many times the chain went on in a fresh context after the context was full.
    public var freshContexts = 0
}

/// A question the model cannot be asked, with the reason.
public struct QuestionError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Runs a model on arithmetic questions. The answer always comes from the model's own tokens;
/// nothing here computes it.
public struct Solver: Sendable {
    public let model: Model
    public var options: SolverOptions

    public init(model: Model, options: SolverOptions = SolverOptions()) {
        self.model = model
        self.options = options
    }

    /// Parses one input line (`5672*2933/(690/5715)`, trailing `=` and spaces allowed).
    public static func parseQuestion(_ line: String) throws -> ReckonArithmetic.Expression {
        var text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix("=") { text.removeLast(); text = text.trimmingCharacters(in: .whitespaces) }
        guard !text.isEmpty else { throw QuestionError(message: "empty line") }
        guard !text.contains("=") else { throw QuestionError(message: "'=' inside the question: give the question alone") }
        do { return try Expression(parsing: text) } catch let e as ParseError {
            throw QuestionError(message: "cannot parse '\(text)': \(e)")
        }
    }

    /// BOS + question + "=" as token ids, checked against the vocabulary and the context.
    public func prompt(for question: ReckonArithmetic.Expression) throws -> [Int] {
        let text = question.text + "="
        let ids: [Int]
        do { ids = try model.tokenizer.encode(text) } catch let e as ModelError {
            throw QuestionError(message: "'\(question.text)' cannot be written in this model's vocabulary: \(e)")
        }
        guard ids.count + 2 <= model.config.contextLength else {
            throw QuestionError(message: "'\(question.text)' is \(ids.count + 1) tokens; the model's context is \(model.config.contextLength)")
        }
        return [Tokenizer.bos] + ids
    }

    /// Solves every question (each already turned into a prompt), in order.
    /// `progress` receives the number of chains decoded, then, with subtraction checks, of chains
    /// checked.
    public func solve(_ questions: [(question: ReckonArithmetic.Expression, prompt: [Int])],
                      progress: ((SolveProgress) -> Void)? = nil) throws -> [Solution] {
        let K = max(1, options.votes)
        var requests: [DecodeRequest] = []
        requests.reserveCapacity(questions.count * K)
        for (q, item) in questions.enumerated() {
            for k in 0..<K {
                let seed = SplitMix64(seed: options.seed, stream: UInt64(q * K + k)).state
                requests.append(DecodeRequest(prompt: item.prompt, temperature: k == 0 ? 0 : options.temperature, seed: seed))
            }
        }
        let limit = options.maxNewTokens ?? model.config.contextLength
        // A temporary decoder: its caches are freed before the repairs allocate theirs.
        var results = try BatchDecoder(model: model, threads: options.threads, expectedRequests: requests.count,
                                       cachePrecision: options.cachePrecision)
            .decode(requests, maxNewTokens: limit, progress: progress.map { report in { report(.decoded($0)) } })
        var repairs: [Int]? = nil
        if K == 1 && options.subtractionChecks > 0 {
            let chains = results.count
            repairs = try repairSubtractions(prompts: requests.map(\.prompt), results: &results, maxRepairs: options.subtractionChecks,
                                             progress: progress.map { report in { report(.checked($0, of: chains)) } })
        }
        var freshContexts = [Int](repeating: 0, count: results.count)
        if options.freshContexts && options.maxNewTokens == nil {
            freshContexts = try continueInFreshContexts(requests, results: &results, repairs: &repairs)
        }
        return questions.indices.map { q in
            let chains = (0..<K).map { k -> (line: String, result: DecodeResult) in
                let r = results[q * K + k]
                return (questions[q].question.text + "=" + model.tokenizer.decode(r.tokens), r)
            }
            var solution = Self.vote(chains, tokensInCharacterOrder: model.tokenizer.numberOrder == .asWritten)
            solution.repairs = repairs?[q]
            solution.freshContexts = chains.firstIndex { $0.line == solution.chain }.map { freshContexts[q * K + $0] } ?? 0
            return solution
        }
    }

    /// Majority answer over chains (by numeric value when the answer is a number, else by text).
    /// Ties go to the answer that appeared first, so chain 0 (greedy) wins a tie it is part of.
    /// `tokensInCharacterOrder`: token i of a result is character i of its decoded text.
    static func vote(_ chains: [(line: String, result: DecodeResult)], tokensInCharacterOrder: Bool = true) -> Solution {
        var counts: [String: Int] = [:], first: [String: Int] = [:]
        var keys: [String?] = []
        for (k, c) in chains.enumerated() {
            let key = finalAnswerText(ofChain: c.line).map { answerValue($0)?.description ?? $0 }
            keys.append(key)
            guard let key else { continue }
            counts[key, default: 0] += 1
            if first[key] == nil { first[key] = k }
        }
        let best = counts.keys.max { a, b in
            counts[a]! != counts[b]! ? counts[a]! < counts[b]! : first[a]! > first[b]!
        }
        let chosen = best.map { first[$0]! } ?? 0
        let (line, result) = chains[chosen]
        let steps = chainComponents(line[...]).dropFirst().map(String.init)
        var solution = Solution(chain: line, steps: steps, answer: finalAnswerText(ofChain: line),
                                confidence: best.map { Double(counts[$0]!) / Double(chains.count) } ?? 0,
                                votes: chains.count, stop: result.stop)
        if let least = result.leastSure {
            solution.leastSure = Double(least.probability)
            // Every written token is one character unless the model wrote a special token.
            if tokensInCharacterOrder && least.index < result.tokens.count && result.tokens.allSatisfy({ $0 > Tokenizer.eos }) {
                solution.leastSureOffset = line.count - result.tokens.count + least.index
            }
        }
        return solution
    }

    /// One output record of `reckon solve --input`.
    public struct Record: Sendable, Codable, Equatable {
        public var line: Int
        public var question: String
        public var answer: String?
        public var steps: [String]?
        public var confidence: Double?
        /// `Solution.leastSure`.
        public var leastSure: Double?
        public var error: String?
        /// `Solver.warning(for:)`: the question has no value to check the answer against.
        public var warning: String?
        /// `Solution.repairs`, when the subtractions were checked.
        public var repairs: Int?
        /// `Solution.freshContexts`, when the chain went on in one.
        public var freshContexts: Int?
    }

    /// Why no answer to `question` can be checked, or nil: `1/0` has no value, and a power beyond
    /// `Expression.maximumExponent` is not computed. Exact arithmetic only tells the user about
    /// the question; the answer is still the model's.
    public static func warning(for question: ReckonArithmetic.Expression) -> String? {
        do { _ = try question.exactValue(); return nil } catch let e as EvaluationError {
            if case .divisionByZero = e { return "\(e): the question has no value, so no answer is right" }
            return "\(e): the answer cannot be checked"
        } catch { return "\(error): the answer cannot be checked" }
    }

    /// Solves one question per line, in input order. Lines that do not parse, or cannot be put
    /// to the model, get a record with `error`; the others still run.
    public func solve(lines: [String], progress: ((SolveProgress) -> Void)? = nil) throws -> [Record] {
        var records: [Record] = []
        var good: [(index: Int, question: ReckonArithmetic.Expression, prompt: [Int])] = []
        for (i, raw) in lines.enumerated() {
            let shown = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                let q = try Self.parseQuestion(raw)
                good.append((i, q, try prompt(for: q)))
                records.append(Record(line: i + 1, question: q.text, warning: Self.warning(for: q)))
            } catch {
                records.append(Record(line: i + 1, question: shown, error: "\(error)"))
            }
        }
        let solutions = try solve(good.map { ($0.question, $0.prompt) }, progress: progress)
        for (g, s) in zip(good, solutions) {
            records[g.index].answer = s.answer
            records[g.index].steps = s.steps
            if options.votes > 1 { records[g.index].confidence = s.confidence }
            records[g.index].leastSure = s.leastSure
            records[g.index].repairs = s.repairs
            records[g.index].freshContexts = s.freshContexts > 0 ? s.freshContexts : nil
            if s.answer == nil || answerValue(s.answer!) == nil {
                records[g.index].error = "the model did not reach a numeric answer (\(s.stop.rawValue)): '\(s.chain)'"
            } else if s.stop != .endToken {
                // The answer may be a number cut in the middle.
                records[g.index].error = "the chain was cut (\(s.stop == .tokenLimit ? "token limit" : "context length")) before the model finished"
            }
        }
        return records
    }
}

/// How far `Solver.solve` has come: chains decoded, then, with subtraction checks (which take a
/// few times as long), chains whose checks and repairs are done, of all chains.
public enum SolveProgress: Sendable {
    case decoded(Int)
    case checked(Int, of: Int)
}
