import Foundation
import Testing
import ReckonModel
@testable import ReckonEvaluation

@Suite struct DecodingTests {
    @Test(arguments: [PositionScheme.learned, .rope, .abacus], CachePrecision.allCases)
    func cachedDecodingMatchesFullRecompute(positions: PositionScheme, precision: CachePrecision) throws {
        let model = try tinyModel(positions: positions)
        if let abacus = model.layout.abacus {
            // Large digit-index embeddings, so that a decoder that dropped or miscounted them
            // would pick other tokens.
            for i in abacus ..< abacus + model.config.abacusSize * model.config.dModel { model.parameters[i] *= 40 }
        }
        let prompts = ["12*34=", "5672*2933/(690/5715)=", "1+2=", "[3-4%]*-7.25="].map { [Tokenizer.bos] + (try! model.tokenizer.encode($0)) }
        let requests = prompts.map { DecodeRequest(prompt: $0) }
        // One worker; two workers with their own slots; one worker whose steps a 2-thread team splits.
        for (threads, expected) in [(1, Int.max), (2, Int.max), (2, requests.count)] {
            let decoder = BatchDecoder(model: model, threads: threads, slots: 3, expectedRequests: expected, cachePrecision: precision)
            #expect(decoder.workers * decoder.innerThreads == threads)
            let cached = try decoder.decode(requests, maxNewTokens: 24, stopAtEnd: false)
            #expect(Set(cached.flatMap(\.tokens)).count > 3, "a degenerate model would make this test vacuous")
            for (p, r) in zip(prompts, cached) {
                #expect(r.tokens == (try greedyWithoutCache(model, prompt: p, count: 24)), "threads \(threads)")
                #expect(r.stop == .tokenLimit)
            }
        }
    }

    @Test(arguments: CachePrecision.allCases)
    func teamSplitStepsMatchFullRecompute(precision: CachePrecision) throws {
        // Wide enough MLP (d·M ≥ KVCache.splitWork) that two threads split one worker's steps.
        let tokenizer = try Tokenizer()
        let config = ModelConfig(layers: 2, dModel: 64, heads: 4, mlpWidth: 2048, contextLength: 64,
                                 vocabSize: tokenizer.vocabSize, positions: .rope)
        let model = try Model(config: config, tokenizer: tokenizer, seed: 11)
        for i in 0..<model.parameterCount { model.parameters[i] *= 3 }
        let prompts = ["99*88=", "1-2-3=", "(4+5)/6="].map { [Tokenizer.bos] + (try! tokenizer.encode($0)) }
        let decoder = BatchDecoder(model: model, threads: 2, slots: 2, expectedRequests: prompts.count, cachePrecision: precision)
        #expect(decoder.workers == 1 && decoder.innerThreads == 2)
        let cached = try decoder.decode(prompts.map { DecodeRequest(prompt: $0) }, maxNewTokens: 16, stopAtEnd: false)
        #expect(Set(cached.flatMap(\.tokens)).count > 3)
        for (p, r) in zip(prompts, cached) { #expect(r.tokens == (try greedyWithoutCache(model, prompt: p, count: 16))) }
    }

    @Test(arguments: CachePrecision.allCases)
    func cachedLogitsMatchForward(precision: CachePrecision) throws {
        try expectCachedLogitsMatchForward(try tinyModel(positions: .rope), text: "987-65*4/3=", precision: precision)
    }

    /// Head dimension 32 (the attention kernel's register-blocked paths), a prompt past 32
    /// positions (four key blocks at a time), and a context that is not a whole number of
    /// 8-position key blocks.
    @Test(arguments: CachePrecision.allCases)
    func wideHeadsAndOddContextMatchForward(precision: CachePrecision) throws {
        let tokenizer = try Tokenizer()
        let config = ModelConfig(layers: 2, dModel: 64, heads: 2, contextLength: 45,
                                 vocabSize: tokenizer.vocabSize, positions: .abacus)
        let model = try Model(config: config, tokenizer: tokenizer, seed: 5)
        for i in 0..<model.parameterCount { model.parameters[i] *= 3 }
        try expectCachedLogitsMatchForward(model, text: "5672*2933/(690/5715)+[3-4%]*-7.25-1.5=12", precision: precision)
    }

    /// Prefill the first half of `text` in one call, then one token per call: every row's
    /// logits must agree with the full forward pass, to float rounding (1e-3) with a float32
    /// cache, and to 16-bit keys' and values' rounding (2⁻¹¹ relative, times logits of size ~10
    /// here: 2e-2) with a float16 one.
    func expectCachedLogitsMatchForward(_ model: Model, text: String, precision: CachePrecision) throws {
        let ids = [Tokenizer.bos] + (try model.tokenizer.encode(text))
        let full = try model.logits(for: ids)
        #expect(full.allSatisfy { $0.isFinite })
        let V = model.config.vocabSize
        let cache = KVCache(model: model, slots: 2, maxRows: 64, precision: precision)
        let half = ids.count / 2
        cache.forward((0..<half).map { CacheRow(slot: 1, position: $0, token: ids[$0]) }, outputs: Array(0..<half))
        var worst: Float = 0, compared = 0
        func compare(_ a: Float, _ b: Float) {
            let d = abs(a - b)
            worst = d.isNaN ? .infinity : max(worst, d)
            compared += 1
        }
        for t in 0..<half { for j in 0..<V { compare(cache.logits[t * V + j], full[t * V + j]) } }
        for t in half..<ids.count {
            cache.forward([CacheRow(slot: 1, position: t, token: ids[t])], outputs: [0])
            for j in 0..<V { compare(cache.logits[j], full[t * V + j]) }
        }
        #expect(compared == ids.count * V)
        #expect(worst < (precision == .float32 ? 1e-3 : 2e-2), "largest logit difference \(worst)")
    }

    /// Each token's probability is softmax of the full forward pass's logits at its position,
    /// for greedy and sampled tokens alike, and the end token's is the last one.
    @Test func probabilitiesAreThoseOfTheFullForwardPass() throws {
        let model = try tinyModel(positions: .rope)
        for i in 0..<model.parameterCount { model.parameters[i] *= 2 }   // logits far from uniform
        let V = model.config.vocabSize
        let prompt = [Tokenizer.bos] + (try model.tokenizer.encode("57*8-9="))
        let requests = [DecodeRequest(prompt: prompt), DecodeRequest(prompt: prompt, temperature: 3, seed: 9)]
        var sawLow = false
        for r in try BatchDecoder(model: model, threads: 1).decode(requests, maxNewTokens: 16) {
            #expect(r.probabilities.count == r.tokens.count + (r.stop == .endToken ? 1 : 0))
            let written = r.tokens + (r.stop == .endToken ? [Tokenizer.eos] : [])
            let ids = prompt + r.tokens
            let full = try model.logits(for: ids)
            for (i, tok) in written.enumerated() {
                let row = full[(prompt.count - 1 + i) * V ..< (prompt.count + i) * V].map(Double.init)
                let mx = row.max()!, total = row.reduce(0) { $0 + exp($1 - mx) }
                let p = exp(row[tok] - mx) / total
                #expect(abs(Double(r.probabilities[i]) - p) < 1e-4, "token \(i): \(r.probabilities[i]) against \(p)")
                sawLow = sawLow || p < 0.9
            }
            let least = try #require(r.leastSure)
            #expect(least.probability == r.probabilities.min() && r.probabilities[least.index] == least.probability)
        }
        #expect(sawLow, "every token near-certain would make this test vacuous")
    }

    @Test func stopsAtContextAndEndToken() throws {
        let model = try tinyModel(context: 24)
        let prompt = [Tokenizer.bos] + (try model.tokenizer.encode("123+456="))
        let r = try BatchDecoder(model: model, threads: 1).decode([DecodeRequest(prompt: prompt)], maxNewTokens: 100, stopAtEnd: false)[0]
        #expect(r.stop == .contextFull)
        #expect(prompt.count + r.tokens.count == 25)   // the last token is generated but never fed back
        let tooLong = [Int](repeating: 5, count: 30)
        #expect(throws: DecodingError.self) { try BatchDecoder(model: model, threads: 1).decode([DecodeRequest(prompt: tooLong)], maxNewTokens: 4) }
    }

    /// A decoder kept across calls starts prompts from the prefixes its slots hold: in place (a
    /// chain continued from where its slot stopped), copied from a running sequence (two
    /// branches of one prefix), and cut inside a run of digits (the Abacus index must carry
    /// on). Every continuation is still the model's own greedy one.
    @Test(arguments: [PositionScheme.learned, .rope, .abacus], CachePrecision.allCases)
    func reusedPrefixesMatchFullRecompute(positions: PositionScheme, precision: CachePrecision) throws {
        let model = try tinyModel(positions: positions)
        if let abacus = model.layout.abacus {
            for i in abacus ..< abacus + model.config.abacusSize * model.config.dModel { model.parameters[i] *= 40 }
        }
        let question = "5672*2933/(690/5715)+[3-4%]*-7.25-1.5=12345678*9-8765*4321+98765/4321="
        let prompt = [Tokenizer.bos] + (try model.tokenizer.encode(question))
        #expect(prompt.count > BatchDecoder.minimumReuse + 4)
        let decoder = BatchDecoder(model: model, threads: 1, slots: 3, cachePrecision: precision)
        let first = try decoder.decode([DecodeRequest(prompt: prompt)], maxNewTokens: 6, stopAtEnd: false)[0]
        #expect(decoder.reusedPositions == 0)
        // Branches inside the prompt's last number (cut between digits), and the first chain continued.
        let cut = prompt.count - 3
        let branches = [Array(prompt[..<cut]) + (try model.tokenizer.encode("7")),
                        Array(prompt[..<cut]) + (try model.tokenizer.encode("09=")),
                        prompt + first.tokens]
        let results = try decoder.decode(branches.map { DecodeRequest(prompt: $0) }, maxNewTokens: 8, stopAtEnd: false)
        #expect(decoder.reusedPositions >= 3 * (cut - 1), "every branch should start from a cached prefix")
        for (p, r) in zip(branches, results) {
            #expect(r.tokens == (try greedyWithoutCache(model, prompt: p, count: 8)), "\(positions) \(precision)")
        }
        #expect(Set(results.flatMap(\.tokens)).count > 3, "a degenerate model would make this test vacuous")
        // Two branches sent together to a fresh decoder: the second waits a step and copies the first's prefix.
        let fresh = BatchDecoder(model: model, threads: 1, slots: 3, cachePrecision: precision)
        let together = try fresh.decode(branches.prefix(2).map { DecodeRequest(prompt: $0) }, maxNewTokens: 8, stopAtEnd: false)
        #expect(fresh.reusedPositions == cut)
        #expect(together.map(\.tokens) == Array(results.prefix(2).map(\.tokens)))
    }

    /// A request's stop rule sees what was written so far and ends the sequence where it says.
    @Test func stopRuleEndsTheSequence() throws {
        let model = try tinyModel()
        let prompt = [Tokenizer.bos] + (try model.tokenizer.encode("44*55="))
        let free = try BatchDecoder(model: model, threads: 1).decode([DecodeRequest(prompt: prompt)], maxNewTokens: 10, stopAtEnd: false)[0]
        let rule = DecodeRequest(prompt: prompt) { tokens, probabilities in
            precondition(tokens.count == probabilities.count)
            return tokens.count == 4
        }
        let stopped = try BatchDecoder(model: model, threads: 1).decode([rule], maxNewTokens: 10, stopAtEnd: false)[0]
        #expect(stopped.stop == .rule && stopped.tokens == Array(free.tokens.prefix(4)))
        #expect(free.stop == .tokenLimit && free.tokens.count == 10)
    }

    @Test func samplingIsSeededAndIndependentOfThreads() throws {
        let model = try tinyModel()
        let prompt = [Tokenizer.bos] + (try model.tokenizer.encode("44*55="))
        let requests = (0..<6).map { DecodeRequest(prompt: prompt, temperature: 50, seed: UInt64($0)) }
        let a = try BatchDecoder(model: model, threads: 1, slots: 2).decode(requests, maxNewTokens: 12, stopAtEnd: false)
        let b = try BatchDecoder(model: model, threads: 2, slots: 4).decode(requests, maxNewTokens: 12, stopAtEnd: false)
        // The same tokens; their probabilities agree to float rounding (a row's product depends on
        // which rows share its block).
        #expect(a.map(\.tokens) == b.map(\.tokens) && a.map(\.stop) == b.map(\.stop))
        for (x, y) in zip(a, b) { #expect(zip(x.probabilities, y.probabilities).allSatisfy { abs($0 - $1) <= 1e-5 * $1 }) }
        #expect(Set(a.map(\.tokens)).count > 1, "different seeds should give different samples: \(a.map(\.tokens))")
    }
}
