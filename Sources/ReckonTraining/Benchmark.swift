import Foundation
import ReckonKernels
import ReckonModel

/// Training-throughput benchmark on random tokens, mirroring `torch_gpt_bench.py --mode train`:
/// same model shape, vocabulary 24 by default, loss on every position, untimed warm-up steps,
/// then timed steps of forward + backward + clip + AdamW.
public enum TrainingBenchmark {
    public struct Result: Sendable {
        public var parameters: Int
        public var parametersWithoutPositions: Int
        public var flopsPerToken: Double
        public var stepSeconds: [Double]
        public var tokensPerStep: Int
        public var firstLoss: Double
        public var lastLoss: Double

        public var totalSeconds: Double { stepSeconds.reduce(0, +) }
        public var medianStepSeconds: Double {
            let s = stepSeconds.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
        }
        /// Tokens/s over the whole timed window (the reference's definition).
        public var tokensPerSecond: Double { Double(tokensPerStep * stepSeconds.count) / totalSeconds }
        /// Tokens/s at the median step time (robust to a stray slow step).
        public var medianTokensPerSecond: Double { Double(tokensPerStep) / medianStepSeconds }
        /// FLOP/s by the reference's formula: 6·N + 12·layers·ctx·d per token.
        public var gflops: Double { flopsPerToken * tokensPerSecond / 1e9 }
    }

    public static func run(layers: Int, dModel: Int, heads: Int, context: Int, batch: Int, vocab: Int = 24,
                           steps: Int, warmup: Int = 3, threads: Int, seed: UInt64 = 0,
                           positions: PositionScheme = .learned) throws -> Result {
        let chars = String(Tokenizer.defaultCharacters.prefix(vocab - 3))
        let tok = try Tokenizer(characters: chars)
        let cfg = ModelConfig(layers: layers, dModel: dModel, heads: heads, contextLength: context,
                              vocabSize: tok.vocabSize, positions: positions)
        let model = try Model(config: cfg, tokenizer: tok, seed: seed)
        let engine = TrainingEngine(model: model, maxBatch: batch, threads: threads)
        let data = TokenBatch(batch: batch, tokens: context)
        var rng = Xoshiro256(seed: seed)
        var times: [Double] = []
        var first = 0.0, last = 0.0
        for i in 0..<(warmup + steps) {
            data.fillRandom(vocab: cfg.vocabSize, batch: batch, tokens: context, rng: &rng)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = engine.trainStep(data, learningRate: 1e-3)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if i == 0 { first = r.loss }
            if i >= warmup { times.append(dt) }
            last = r.loss
        }
        let nNonPos = model.layout.countWithoutPositions
        return Result(parameters: model.parameterCount, parametersWithoutPositions: nNonPos,
                      flopsPerToken: Double(6 * nNonPos + 12 * layers * context * dModel),
                      stepSeconds: times, tokensPerStep: batch * context, firstLoss: first, lastLoss: last)
    }

    /// Peak resident set size of this process in bytes (getrusage; Linux reports KiB).
    public static func peakRSSBytes() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Int(u.ru_maxrss) * 1024
    }
}
