import ReckonArithmetic
import ReckonGenerator
import ReckonModel

extension Solver {
    /// Most fresh contexts one chain goes on in.
    public static let maxFreshContexts = 8

    /// Goes on with every chain in `results` that the context cut off (stop `.contextFull`), in a
    /// fresh context: the expression of its last whole step, as the model wrote it, is put to the
    /// model as a question (`BOS expression =`), and what the model writes from there replaces
    /// the chain after that step's `=`. Returns how many fresh contexts each chain took.
    ///
    /// Every step format rewrites the whole remaining expression, so a step depends only on the
    /// expression before it: the model writes on as it would have with room, except that it no
    /// longer sees the chain's earlier steps (session 28 measured that as slightly worse on chains
    /// that fit, so only chains that would otherwise have no answer are continued). The solver
    /// only copies the model's own text. A continuation is checked like the chain it continues,
    /// with what is left of the chain's repair budget, and decoded with the request's temperature
    /// and a seed of its own. A chain with no whole step, whose last step does not parse, or
    /// whose fresh context was cut before it wrote a whole step, stays cut.
    func continueInFreshContexts(_ requests: [DecodeRequest], results: inout [DecodeResult],
                                 repairs: inout [Int]?) throws -> [Int] {
        let tokenizer = model.tokenizer, context = model.config.contextLength
        let ids = try tokenizer.encode("{}="), (open, close, equals) = (ids[0], ids[1], ids[2])
        var contexts = [Int](repeating: 0, count: results.count)
        // Where each chain last went on: a fresh context must get past it by a whole step.
        var kept = [Int](repeating: 0, count: results.count)
        for round in 1 ... Self.maxFreshContexts {
            // The chains to go on with: where each is cut, and its step's expression as a question.
            var cut: [(chain: Int, kept: Int)] = [], asked: [DecodeRequest] = []
            for (i, r) in results.enumerated() where r.stop == .contextFull {
                guard let step = Self.lastWholeStep(r.tokens, open: open, close: close, equals: equals),
                      step.end + 1 > kept[i], (try? ReckonArithmetic.Expression(parsing: tokenizer.decode(Array(r.tokens[step.expression])))) != nil else { continue }
                let prompt = [Tokenizer.bos] + r.tokens[step.expression] + [equals]
                guard prompt.count + 2 <= context else { continue }
                cut.append((i, step.end + 1))
                asked.append(DecodeRequest(prompt: prompt, temperature: requests[i].temperature,
                                           seed: SplitMix64(seed: requests[i].seed, stream: UInt64(round)).state))
            }
            if cut.isEmpty { break }
            var continued = try BatchDecoder(model: model, threads: options.threads, expectedRequests: asked.count,
                                             cachePrecision: options.cachePrecision)
                .decode(asked, maxNewTokens: context)
            if let used = repairs {
                // Each budget left is its own group: `repairSubtractions` takes one for all.
                let left = cut.map { options.subtractionChecks - used[$0.chain] }
                for budget in Set(left) where budget > 0 {
                    let group = left.indices.filter { left[$0] == budget }
                    var groupResults = group.map { continued[$0] }
                    let made = try repairSubtractions(prompts: group.map { asked[$0].prompt }, results: &groupResults, maxRepairs: budget)
                    for (k, c) in group.enumerated() {
                        continued[c] = groupResults[k]
                        repairs![cut[c].chain] += made?[k] ?? 0
                    }
                }
            }
            for (k, c) in cut.enumerated() {
                results[c.chain] = results[c.chain].prefix(c.kept).appending(continued[k])
                contexts[c.chain] = round
                kept[c.chain] = c.kept
            }
        }
        return contexts
    }

    /// The last whole step of a chain's tokens: the token range of its expression (after the
    /// step's scratch blocks) and the index of the `=` that ends it, outside every block; nil if
    /// no step is whole.
    static func lastWholeStep(_ tokens: [Int], open: Int, close: Int, equals: Int) -> (expression: Range<Int>, end: Int)? {
        var depth = 0, start = 0
        var last: (expression: Range<Int>, end: Int)? = nil
        for (k, t) in tokens.enumerated() {
            if t == open { depth += 1 }
            else if t == close { depth -= 1; if depth == 0 { start = k + 1 } }
            else if t == equals && depth == 0 {
                if start < k { last = (start ..< k, k) }
                start = k + 1
            }
        }
        return last
    }
}
