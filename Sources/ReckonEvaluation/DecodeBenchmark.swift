import Foundation
import ReckonModel

/// Decoding-throughput benchmark, defined as `torch_gpt_bench.py --mode decode`: B prompts of
/// `promptLength` random tokens, `newTokens` greedy tokens each (no stopping at the end token),
/// prefill included in the time; one untimed warm-up generation, then `reps` timed ones.
/// tokens/s = B·newTokens / median seconds.
public enum DecodeBenchmark {
    public struct Result: Sendable {
        public var batch: Int
        public var parameters: Int
        public var seconds: [Double]
        public var newTokens: Int
        public var workers: Int
        public var innerThreads: Int
        /// CPU share other processes used during the timed runs (nil off Linux).
        public var foreignCPU: Double?
        public var medianSeconds: Double {
            let s = seconds.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
        }
        public var tokensPerSecond: Double { Double(batch * newTokens) / medianSeconds }
    }

    public static func run(layers: Int, dModel: Int, heads: Int, context: Int, batch: Int, vocab: Int = 24,
                           promptLength: Int = 16, newTokens: Int = 48, reps: Int = 5, threads: Int,
                           positions: PositionScheme = .learned, seed: UInt64 = 0,
                           cachePrecision: CachePrecision = .float32) throws -> Result {
        precondition(promptLength + newTokens <= context, "prompt + new tokens exceed the context")
        let tokenizer = try Tokenizer(characters: String(Tokenizer.defaultCharacters.prefix(vocab - 3)))
        let config = ModelConfig(layers: layers, dModel: dModel, heads: heads, contextLength: context,
                                 vocabSize: tokenizer.vocabSize, positions: positions)
        let model = try Model(config: config, tokenizer: tokenizer, seed: seed)
        var rng = Xoshiro256(seed: seed &+ 1)
        let requests = (0..<batch).map { _ in
            DecodeRequest(prompt: (0..<promptLength).map { _ in Int(rng.next() % UInt64(vocab)) })
        }
        let decoder = BatchDecoder(model: model, threads: threads, slots: batch, expectedRequests: batch,
                                   cachePrecision: cachePrecision)
        _ = try decoder.decode(requests, maxNewTokens: newTokens, stopAtEnd: false)
        var times: [Double] = []
        let foreign = ForeignCPU()
        for _ in 0..<reps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let out = try decoder.decode(requests, maxNewTokens: newTokens, stopAtEnd: false)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            precondition(out.allSatisfy { $0.tokens.count == newTokens })
        }
        return Result(batch: batch, parameters: model.parameterCount, seconds: times, newTokens: newTokens,
                      workers: decoder.workers, innerThreads: decoder.innerThreads, foreignCPU: foreign.fraction())
    }
}
