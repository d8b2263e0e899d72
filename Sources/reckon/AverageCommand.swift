import ArgumentParser
import Foundation
import ReckonModel

/// `reckon average`: one checkpoint whose weights are the mean of several.
struct Average: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Average the weights of checkpoints of one model (the last few of a run, or branches from one parent).",
        discussion: """
        Writes config.json (the last checkpoint's, with training.averagedSteps listing the steps \
        averaged) and model.safetensors to --out, atomically. Its steps, tokens and CPU-hours are \
        the last checkpoint's lineage: other branches' own training is not added. There is no \
        optimizer state: the result is for solve, eval and --init-from, not --resume. Copy \
        log.jsonl yourself if the report should show the training curves.
        """)

    @Argument(help: "Checkpoint directories (at least two, same architecture and tokenizer).")
    var checkpoints: [String]
    @Option(help: "Output directory.")
    var out: String

    func validate() throws {
        guard checkpoints.count >= 2 else { throw ValidationError("give at least two checkpoint directories") }
        let output = URL(fileURLWithPath: out).standardized
        if checkpoints.contains(where: { URL(fileURLWithPath: $0).standardized == output }) {
            throw ValidationError("--out must not be one of the checkpoints being averaged")
        }
    }

    func run() throws {
        do {
            let (model, step, training) = try Checkpoint.average(checkpoints.map { URL(fileURLWithPath: $0) })
            try Checkpoint.save(model: model, step: step, training: training, optimizer: nil, to: URL(fileURLWithPath: out))
            let steps = training?.averagedSteps.map { $0.map(String.init).joined(separator: ", ") } ?? "\(checkpoints.count) checkpoints"
            print("averaged steps \(steps) into \(out)")
        } catch let e as ModelError { throw CommandError(e.description) }
    }
}
