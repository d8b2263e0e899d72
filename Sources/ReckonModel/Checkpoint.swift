import Foundation
import ReckonKernels

/// How a checkpoint was trained; written by the trainer, informational for everyone else.
public struct TrainingInfo: Codable, Equatable, Sendable {
    public var seed: UInt64 = 0
    public var totalSteps: Int = 0
    public var batchSize: Int = 0
    /// Steps per length-bucketing group (nil: no bucketing, as in older checkpoints).
    public var lengthGroup: Int?
    public var learningRate: Double = 1e-3
    public var minLearningRateFraction: Double = 0.1
    public var warmupSteps: Int = 0
    public var weightDecay: Double = 0.1
    public var beta1: Double = 0.9
    public var beta2: Double = 0.95
    public var eps: Double = 1e-8
    public var gradClip: Double = 1.0
    public var threads: Int = 1
    /// The run's checkpoint, held-out check and log intervals in steps, which a resumed run keeps
    /// unless told otherwise (nil in older checkpoints).
    public var checkpointEvery: Int?
    public var evalEvery: Int?
    public var logEvery: Int?
    /// Human-readable description of the data (corpus path or recipe).
    public var data: String = ""
    /// Recipe file the run was trained on, if any.
    public var recipe: String?
    /// Step format of the training text (e.g. "mathglm"), if known.
    public var format: String?
    /// Tokens of training text processed so far, padding excluded (over every session of the run).
    public var tokensSeen: Int?
    /// Wall-clock seconds spent in training steps so far (over every session of the run).
    public var trainingSeconds: Double?
    /// CPU time of those steps: each step's wall-clock time × the threads it ran on, summed, so a
    /// run resumed on another thread count still counts right (nil in older checkpoints, whose
    /// runs kept one thread count: `trainingSeconds × threads`).
    public var cpuSeconds: Double?
    /// The checkpoint whose weights this run started from (`reckon train --init-from`), e.g.
    /// `"Checkpoints/reckon-mathglm (step 26090)"`. The totals above then include that
    /// checkpoint's own, so they always describe everything the weights have been trained on.
    public var initializedFrom: String?
    /// Optimizer steps behind the weights this run started from (`--init-from`), counted over
    /// every run before it; nil for a run from random weights. The run's `log.jsonl` counts steps
    /// from there and begins with its parent's log, so it reads as the weights' whole history.
    public var stepsBefore: Int?
    /// The steps whose weights were averaged into this checkpoint (`reckon average`); nil for
    /// one the trainer wrote.
    public var averagedSteps: [Int]?

    /// CPU-hours of training behind these weights.
    public var cpuHours: Double? {
        (cpuSeconds ?? trainingSeconds.map { $0 * Double(threads) }).map { $0 / 3600 }
    }
    public init() {}
}

/// Contents of `config.json`.
public struct CheckpointConfig: Codable, Equatable, Sendable {
    public var format: String = "reckon-checkpoint"
    public var version: Int = 1
    public var model: ModelConfig
    public var tokenizer: Tokenizer
    /// Optimizer steps taken when the checkpoint was written.
    public var step: Int
    public var training: TrainingInfo?
    public init(model: ModelConfig, tokenizer: Tokenizer, step: Int, training: TrainingInfo?) {
        self.model = model; self.tokenizer = tokenizer; self.step = step; self.training = training
    }
}

/// AdamW state for resuming: first and second moments over the flat parameter vector, the
/// step count, and the training RNG state.
public struct OptimizerState {
    public var m: FloatBuffer
    public var v: FloatBuffer
    public var step: Int
    public var rngState: [UInt64]
    public init(m: FloatBuffer, v: FloatBuffer, step: Int, rngState: [UInt64]) {
        self.m = m; self.v = v; self.step = step; self.rngState = rngState
    }
}

/// A checkpoint directory: `config.json`, `model.safetensors` (reference parameter names and
/// shapes, loadable by the `safetensors` Python package and the PyTorch reference's `--load`),
/// and `optimizer.safetensors` (tensors `exp_avg`, `exp_avg_sq` of shape [N]; metadata `step`,
/// `rng`). Each file is written atomically; the step is recorded in all three and checked on load.
public enum Checkpoint {
    public static let configFile = "config.json"
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"

    /// Writes model (+ optimizer state if given) to `directory`, creating it if needed.
    /// config.json goes last, so a crash mid-save leaves step numbers that disagree (detected on load).
    public static func save(model: Model, step: Int, training: TrainingInfo?, optimizer: OptimizerState?, to directory: URL) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ModelError.checkpoint("cannot create directory \(directory.path): \(error.localizedDescription)")
        }
        let p = UnsafePointer(model.parameters.pointer)
        let tensors = model.layout.tensors.map { SafeTensors.Tensor(name: $0.name, shape: $0.shape, pointer: p + $0.offset) }
        try writeAtomically(SafeTensors.encode(tensors, metadata: ["format": "pt", "step": String(step)]),
                            to: directory.appendingPathComponent(modelFile))
        if let o = optimizer {
            let n = model.parameterCount
            precondition(o.m.count == n && o.v.count == n)
            let data = SafeTensors.encode([
                .init(name: "exp_avg", shape: [n], pointer: UnsafePointer(o.m.pointer)),
                .init(name: "exp_avg_sq", shape: [n], pointer: UnsafePointer(o.v.pointer)),
            ], metadata: ["step": String(o.step), "rng": o.rngState.map(String.init).joined(separator: ",")])
            try writeAtomically(data, to: directory.appendingPathComponent(optimizerFile))
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let config = CheckpointConfig(model: model.config, tokenizer: model.tokenizer, step: step, training: training)
        try writeAtomically(try enc.encode(config), to: directory.appendingPathComponent(configFile))
    }

    /// Reads config.json.
    public static func loadConfig(from directory: URL) throws -> CheckpointConfig {
        let url = directory.appendingPathComponent(configFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError.checkpoint("\(directory.path) has no \(configFile) (not a checkpoint directory)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ModelError.checkpoint("cannot read \(url.path)") }
        let config: CheckpointConfig
        do { config = try JSONDecoder().decode(CheckpointConfig.self, from: data) } catch let e as ModelError { throw e } catch {
            throw ModelError.checkpoint("\(configFile) is not a valid checkpoint config: \(error)")
        }
        guard config.format == "reckon-checkpoint", config.version == 1 else {
            throw ModelError.checkpoint("\(configFile): unsupported format \(config.format) v\(config.version)")
        }
        guard config.tokenizer.vocabSize == config.model.vocabSize else {
            throw ModelError.checkpoint("\(configFile): tokenizer has \(config.tokenizer.vocabSize) tokens, model expects \(config.model.vocabSize)")
        }
        return config
    }

    /// Loads the model. Every tensor must be present with its expected shape, and no others.
    public static func loadModel(from directory: URL) throws -> (Model, CheckpointConfig) {
        let config = try loadConfig(from: directory)
        let model = try Model(config: config.model, tokenizer: config.tokenizer, parameters: nil)
        try loadWeights(into: model, from: directory.appendingPathComponent(modelFile), expectedStep: config.step)
        return (model, config)
    }

    /// Loads reference-named weights from a safetensors file into `model` (shapes must match).
    public static func loadWeights(into model: Model, from url: URL, expectedStep: Int? = nil) throws {
        let st = try SafeTensors(contentsOf: url)
        let expected = Set(model.layout.tensors.map(\.name))
        let extra = Set(st.entries.keys).subtracting(expected)
        guard extra.isEmpty else {
            throw ModelError.checkpoint("\(url.lastPathComponent) has tensors this config does not: \(extra.sorted().prefix(5).joined(separator: ", ")) (config mismatch)")
        }
        for t in model.layout.tensors {
            try st.copy(t.name, expectedShape: t.shape, into: model.parameters.pointer + t.offset)
        }
        if let s = expectedStep, let fileStep = st.metadata["step"], Int(fileStep) != s {
            throw ModelError.checkpoint("\(url.lastPathComponent) is from step \(fileStep) but config.json says step \(s) (interrupted save?)")
        }
    }

    /// Loads the optimizer state for `model`; the step must match config.json's.
    public static func loadOptimizer(from directory: URL, parameterCount n: Int, expectedStep: Int) throws -> OptimizerState {
        let url = directory.appendingPathComponent(optimizerFile)
        let st = try SafeTensors(contentsOf: url)
        let m = FloatBuffer(count: n), v = FloatBuffer(count: n)
        try st.copy("exp_avg", expectedShape: [n], into: m.pointer)
        try st.copy("exp_avg_sq", expectedShape: [n], into: v.pointer)
        guard let stepText = st.metadata["step"], let step = Int(stepText) else {
            throw ModelError.checkpoint("\(optimizerFile): missing step")
        }
        guard step == expectedStep else {
            throw ModelError.checkpoint("\(optimizerFile) is from step \(step) but config.json says step \(expectedStep) (interrupted save?)")
        }
        let rng = (st.metadata["rng"] ?? "").split(separator: ",").compactMap { UInt64($0) }
        guard rng.count == 4 else { throw ModelError.checkpoint("\(optimizerFile): missing or malformed rng state") }
        return OptimizerState(m: m, v: v, step: step, rngState: rng)
    }
}
