import Foundation

extension Checkpoint {
    /// The element-wise mean of the weights of `directories` (checkpoints with one architecture
    /// and tokenizer, e.g. the last few of a run whose learning rate is still high), summed in
    /// double precision in the given order. The result carries the last checkpoint's step and
    /// training record, with `averagedSteps` listing the steps that went into it.
    ///
    /// - Throws: `ModelError.checkpoint` for fewer than two directories, an unreadable
    ///   checkpoint, or one whose architecture or tokenizer differs from the first's.
    public static func average(_ directories: [URL]) throws -> (model: Model, step: Int, training: TrainingInfo?) {
        guard directories.count >= 2 else { throw ModelError.checkpoint("averaging needs at least two checkpoints") }
        var sum: [Double] = []
        var steps: [Int] = []
        var first: CheckpointConfig?
        var last: CheckpointConfig?
        for directory in directories {
            let (model, config) = try loadModel(from: directory)
            if let first {
                guard config.model == first.model, config.tokenizer == first.tokenizer else {
                    throw ModelError.checkpoint("\(directory.path): architecture or tokenizer differs from \(directories[0].path)")
                }
            } else {
                first = config
                sum = [Double](repeating: 0, count: model.parameterCount)
            }
            let p = model.parameters.pointer
            for i in sum.indices { sum[i] += Double(p[i]) }
            steps.append(config.step)
            last = config
        }
        let model = try Model(config: first!.model, tokenizer: first!.tokenizer, parameters: nil)
        let p = model.parameters.pointer, n = Double(directories.count)
        for i in sum.indices { p[i] = Float(sum[i] / n) }
        var training = last!.training
        training?.averagedSteps = steps
        return (model, last!.step, training)
    }
}
