import ArgumentParser
import Foundation
import ReckonModel
import ReckonTraining

/// `reckon bench …`: throughput benchmarks comparable with shared/bench/torch_gpt_bench.py.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the engine's speed.",
        subcommands: [BenchTrain.self, BenchDecode.self])
}

/// The model shape and run options both benchmarks share (the reference's flags).
struct BenchShape: ParsableArguments {
    @Option(help: "Transformer blocks.") var layers: Int = 4
    @Option(name: .customLong("d-model"), help: "Model width.") var dModel: Int = 128
    @Option(help: "Attention heads (must divide --d-model).") var heads: Int = 4
    @Option(help: "Context length: tokens per sequence.") var ctx: Int = 128
    @Option(help: "Sequences per step (train) or prompts decoded together (decode).") var batch: Int = 32
    @Option(help: "Vocabulary size of the random tokens (4–98).") var vocab: Int = 24
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Position scheme: learned, rope or abacus (RoPE + digit-index embedding).") var positions: String = "learned"
    @Flag(help: "Also print one JSON line with all results.") var json = false

    func validate() throws {
        guard layers > 0, dModel > 0, heads > 0, ctx > 0, batch > 0 else { throw ValidationError("sizes must be positive") }
        guard dModel % heads == 0 else { throw ValidationError("--d-model must be a multiple of --heads") }
        guard (4...98).contains(vocab) else { throw ValidationError("--vocab must be in 4...98") }
        guard PositionScheme(rawValue: positions) != nil else { throw ValidationError("--positions must be learned, rope or abacus") }
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
    var scheme: PositionScheme { PositionScheme(rawValue: positions)! }
    var modelLine: String { "layers=\(layers) d_model=\(dModel) heads=\(heads) ctx=\(ctx) vocab=\(vocab)" }
    var jsonFields: [String: Any] {
        ["layers": layers, "d_model": dModel, "heads": heads, "ctx": ctx, "batch": batch, "vocab": vocab, "threads": threadCount]
    }
}

/// `reckon bench train`: training tokens/s on random tokens, like `torch_gpt_bench.py --mode train`.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput: tokens/s, ms/step (median), GFLOP/s, peak memory.",
        discussion: """
        Same model and data as the PyTorch reference: random tokens over --vocab symbols, loss on \
        every position, AdamW + clip each step. GFLOP/s uses the reference's formula \
        6·N + 12·layers·ctx·d_model per token (N without position embeddings).
        """)

    @OptionGroup var shape: BenchShape
    @Option(help: "Timed steps.") var steps: Int = 20
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 3
    @Option var seed: UInt64 = 0

    func validate() throws {
        guard steps > 0, warmup >= 0 else { throw ValidationError("--steps must be positive and --warmup not negative") }
    }

    func run() throws {
        let s = shape, t = s.threadCount
        let r = try TrainingBenchmark.run(layers: s.layers, dModel: s.dModel, heads: s.heads, context: s.ctx, batch: s.batch,
                                          vocab: s.vocab, steps: steps, warmup: warmup, threads: t, seed: seed,
                                          positions: s.scheme)
        let rss = TrainingBenchmark.peakRSSBytes()
        print("reckon | threads \(t) | model: \(s.modelLine) " +
              "params=\(r.parameters) (excl. wpe \(r.parametersWithoutPositions))")
        print("train: batch=\(s.batch) steps=\(steps) warmup=\(warmup)")
        print(String(format: "  tokens/s        %12.1f   (at median step: %.1f)", r.tokensPerSecond, r.medianTokensPerSecond))
        print(String(format: "  ms/step         %12.2f   (median %.2f, min %.2f)", 1000 * r.totalSeconds / Double(steps),
                     1000 * r.medianStepSeconds, 1000 * (r.stepSeconds.min() ?? 0)))
        print(String(format: "  GFLOP/s         %12.2f   (flops/token = %.4g)", r.gflops, r.flopsPerToken))
        print(String(format: "  loss            %.4f (first warm-up step) -> %.4f (last step)", r.firstLoss, r.lastLoss))
        print(String(format: "  peak memory     %12.1f MiB (maxrss)", Double(rss) / 1048576))
        if s.json {
            let obj = s.jsonFields.merging([
                "steps": steps, "params": r.parameters, "params_nonemb": r.parametersWithoutPositions,
                "train_tokens_per_s": r.tokensPerSecond, "train_ms_per_step_median": 1000 * r.medianStepSeconds,
                "train_gflops": r.gflops, "flops_per_token": r.flopsPerToken, "peak_rss_bytes": rss,
                "loss_first": r.firstLoss, "loss_last": r.lastLoss,
                "train_step_ms": r.stepSeconds.map { ($0 * 100_000).rounded() / 100 },
            ] as [String: Any]) { a, _ in a }
            let d = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
            print("JSON " + String(decoding: d, as: UTF8.self))
        }
    }
}
