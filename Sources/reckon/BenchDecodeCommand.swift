import ArgumentParser
import Foundation
import ReckonEvaluation
import ReckonModel

/// `reckon bench decode`: greedy decoding tokens/s with the KV cache, like
/// `torch_gpt_bench.py --mode decode` (register as a subcommand of `Bench`).
struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decoding throughput: generated tokens/s with the KV cache, batched and single-prompt.",
        discussion: """
        Same definition as the PyTorch reference: --batch prompts of --prompt-len random tokens, \
        --new-tokens greedy tokens each, prefill included in the time, one untimed warm-up \
        generation, median of --reps timed generations. tokens/s = batch·new_tokens / seconds.
        """)

    @OptionGroup var shape: BenchShape
    @Option(name: .customLong("prompt-len")) var promptLength: Int = 16
    @Option(name: .customLong("new-tokens")) var newTokens: Int = 48
    @Option(help: "Timed generations (median reported).") var reps: Int = 5
    @Flag(help: "Skip the single-prompt measurement.") var noSingle = false
    @Option(help: "How the KV cache stores keys and values (float32 is what the PyTorch reference does).")
    var kvCache: CachePrecision = .float32

    func validate() throws {
        guard reps > 0, promptLength > 0, newTokens > 0 else { throw ValidationError("--reps, --prompt-len and --new-tokens must be positive") }
        guard promptLength + newTokens <= shape.ctx else { throw ValidationError("--prompt-len + --new-tokens exceed --ctx") }
    }

    func run() throws {
        let s = shape, t = s.threadCount, batch = s.batch
        func measure(_ b: Int) throws -> DecodeBenchmark.Result {
            try DecodeBenchmark.run(layers: s.layers, dModel: s.dModel, heads: s.heads, context: s.ctx, batch: b, vocab: s.vocab,
                                    promptLength: promptLength, newTokens: newTokens, reps: reps, threads: t, positions: s.scheme,
                                    cachePrecision: kvCache)
        }
        let batched = try measure(batch)
        print("reckon | threads \(t) | model: \(s.modelLine) params=\(batched.parameters)")
        print("decode: prompt_len=\(promptLength) new_tokens=\(newTokens) (median of \(reps) runs, greedy, \(kvCache.rawValue) KV cache)")
        func line(_ name: String, _ r: DecodeBenchmark.Result) {
            print(String(format: "  %-14@ gen tokens/s %10.1f   %.3f ms/step   total %.1f ms   (%d worker(s) × %d thread(s))   other procs %.1f%% CPU",
                         name, r.tokensPerSecond, 1000 * r.medianSeconds / Double(newTokens), 1000 * r.medianSeconds,
                         r.workers, r.innerThreads, 100 * (r.foreignCPU ?? 0)))
        }
        line("batch \(batch)", batched)
        var single: DecodeBenchmark.Result? = nil
        if !noSingle && batch != 1 {
            single = try measure(1)
            line("single prompt", single!)
        }
        if s.json {
            var obj = s.jsonFields
            obj["params"] = batched.parameters
            obj["decode_kv_tokens_per_s"] = batched.tokensPerSecond
            obj["decode_kv_seconds"] = batched.medianSeconds
            if let f = batched.foreignCPU { obj["decode_kv_foreign_cpu_frac"] = f }
            if let s = single {
                obj["decode_single_tokens_per_s"] = s.tokensPerSecond
                if let f = s.foreignCPU { obj["decode_single_foreign_cpu_frac"] = f }
            }
            let d = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
            print("JSON " + String(decoding: d, as: UTF8.self))
        }
    }
}
