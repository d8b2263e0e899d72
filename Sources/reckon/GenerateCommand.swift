import ArgumentParser
import Foundation
import ReckonGenerator

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a stepwise arithmetic corpus from a recipe.",
        discussion: """
        One example per line: question=step=…=answer (or JSON lines with --jsonl). The same \
        recipe, format, split, seed and count give byte-identical output on any number of threads. \
        Training data never contains a test-split question.

        Examples:
          reckon generate --recipe mathglm --count 5
          reckon generate --recipe Generators/single-op.json --format scratch --count 1000000 --out single.txt
          reckon generate --recipe mathglm --split test --count 2000 --jsonl --out test.jsonl
        """)

    @Option(help: "Recipe file, or the name of one in Generators/.")
    var recipe: String

    @Option(help: "Number of examples.")
    var count: Int

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "train: questions outside the held-out split; test: only held-out questions.")
    var split: Split = .train

    @Option(help: "Step format (default: the recipe's): \(StepFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: StepFormat?

    @Option(help: "Output file, written atomically (default: stdout).")
    var out: String?

    @Flag(help: "Write JSON lines {\"question\", \"steps\", \"answer\"} instead of text lines.")
    var jsonl = false

    @Flag(help: "Drop examples whose question already appeared.")
    var dedup = false

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be ≥ 0, got \(count)") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
    }

    func run() throws {
        let recipe = try loadRecipe(self.recipe)
        var writer = CorpusWriter(generator: ExampleGenerator(recipe: recipe, format: format, split: split, seed: seed), threads: threads)
        writer.lineFormat = jsonl ? .jsonl : .text
        writer.deduplicate = dedup
        var bar = Terminal.ProgressBar(total: count, label: "generate")
        let showProgress = count >= 20_000
        if let out {
            AtomicFileWriter.removePendingOnInterrupt()
            let file = try AtomicFileWriter(path: out)
            do {
                try writer.run(count: count, emit: { try file.write($0) }, progress: { if showProgress { bar.update($0) } })
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
            if showProgress { bar.update(count, force: true); bar.finish() }
        } else {
            let stdout = FileHandle.standardOutput
            try writer.run(count: count, emit: { stdout.write(Data($0)) })
        }
    }
}
