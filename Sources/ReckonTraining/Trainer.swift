import Foundation
import Synchronization
import ReckonKernels
import ReckonModel

/// Options of a training run. `steps` or `minutes` (or both) bound it.
public struct TrainerOptions: Sendable {
    public var steps: Int?
    public var minutes: Double?
    public var batchSize = 32
    /// Length bucketing: the examples of this many consecutive steps are sorted by length and
    /// cut into that many batches, so a batch pads to similar lengths (1 = off).
    public var lengthGroup = 1
    public var learningRate = 1e-3
    public var minLearningRateFraction = 0.1
    /// Warm-up steps; default min(100, totalSteps/10).
    public var warmupSteps: Int?
    public var optimizer = OptimizerSettings()
    public var seed: UInt64 = 0
    public var threads = 2
    /// Write a checkpoint every this many steps (0 = only at the end).
    public var checkpointEvery = 500
    /// Run the held-out check every this many steps (0 = never; it also runs at the end).
    public var evalEvery = 0
    /// Append a log line every this many steps.
    public var logEvery = 10
    /// Description of the data, stored in the checkpoint.
    public var dataDescription = ""
    public var recipe: String?
    public var format: String?
    /// Whether a new run may replace a checkpoint already in its output directory (without
    /// this, `Trainer.init` refuses: that checkpoint may be days of training).
    public var replacesExistingRun = false
    public init() {}
}

/// What `reckon train --resume` may change about a run; nil keeps the run's own setting.
public struct ResumeOverrides: Sendable {
    /// The run's new length: larger stretches the cosine schedule, smaller compresses what is
    /// left of it; it must exceed the steps done.
    public var steps: Int?
    /// Bounds this session only.
    public var minutes: Double?
    public var checkpointEvery: Int?
    public var evalEvery: Int?
    public var logEvery: Int?
    /// Needed equal to the saved count for a bit-identical continuation.
    public var threads: Int?
    public init(steps: Int? = nil, minutes: Double? = nil, checkpointEvery: Int? = nil, evalEvery: Int? = nil,
                logEvery: Int? = nil, threads: Int? = nil) {
        self.steps = steps; self.minutes = minutes; self.checkpointEvery = checkpointEvery
        self.evalEvery = evalEvery; self.logEvery = logEvery; self.threads = threads
    }
}

/// One progress report, passed to the caller's callback after each step.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Double
    public var learningRate: Double
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    public var heldOutAccuracy: Double?
    /// Estimated seconds left.
    public var etaSeconds: Double
}

/// How a run ended.
public enum TrainingOutcome: Sendable, Equatable {
    case completed
    case interrupted
    case timeUp
}

/// The training loop: data → batches → `TrainingEngine` steps, with the learning-rate schedule,
/// JSON-lines logging, periodic checkpoints, resume, held-out checks, NaN guard and Ctrl-C.
///
/// Determinism: the examples of step `s` are `source.example(index: s·B + i, …)` (with length
/// bucketing, the examples of its group of steps, sorted and dealt in a seeded order), parameters and
/// moments are restored bit-exactly from safetensors, and the engine's arithmetic is fixed
/// for a thread count; so a resumed run reproduces the uninterrupted loss curve bit for bit.
public final class Trainer {
    public let model: Model
    public let source: ExampleSource
    public let output: URL
    public let options: TrainerOptions
    public let engine: TrainingEngine
    public private(set) var info: TrainingInfo
    /// Held-out accuracy check; called every `evalEvery` steps and at the end.
    public var heldOut: ((Model) -> Double)?
    /// Steps completed (== optimizer steps).
    public var step: Int { engine.step }
    public private(set) var lastCheckpointStep: Int?
    /// Loss of every step run by this trainer object (for tests and summaries).
    public private(set) var losses: [Double] = []

    private let batch: TokenBatch
    /// Saved and restored with the optimizer state. Nothing in the current loop draws from it
    /// (data order is a pure function of seed and example index); it is there so stochastic
    /// additions (e.g. Abacus random offsets) resume exactly too.
    private var rng: Xoshiro256
    private let stopFlag = StopFlag()
    private var interruptInstalled = false

    /// A fresh run writing to `output`.
    public init(model: Model, source: ExampleSource, output: URL, options: TrainerOptions) throws {
        guard options.steps != nil || options.minutes != nil else { throw TrainingError.options("give a step or a time budget") }
        if let s = options.steps, s < 1 { throw TrainingError.options("steps must be ≥ 1") }
        if let m = options.minutes, !(m > 0) { throw TrainingError.options("minutes must be > 0") }
        guard options.batchSize >= 1, options.threads >= 1 else { throw TrainingError.options("batch and threads must be ≥ 1") }
        guard options.lengthGroup >= 1 else { throw TrainingError.options("length group must be ≥ 1") }
        if !options.replacesExistingRun, FileManager.default.fileExists(atPath: output.appendingPathComponent("config.json").path) {
            throw TrainingError.existingRun(path: output.path, step: try? Checkpoint.loadConfig(from: output).step)
        }
        self.model = model; self.source = source; self.output = output; self.options = options
        engine = TrainingEngine(model: model, maxBatch: options.batchSize, threads: options.threads, settings: options.optimizer)
        batch = TokenBatch(batch: options.batchSize, tokens: model.config.contextLength)
        rng = Xoshiro256(seed: options.seed)
        var i = TrainingInfo()
        i.seed = options.seed
        i.totalSteps = options.steps ?? 0
        i.batchSize = options.batchSize
        i.lengthGroup = options.lengthGroup > 1 ? options.lengthGroup : nil
        i.learningRate = options.learningRate
        i.minLearningRateFraction = options.minLearningRateFraction
        i.warmupSteps = options.warmupSteps ?? (options.steps.map { min(100, $0 / 10) } ?? 100)
        // Via the shortest decimal text, so config.json shows 0.9 rather than 0.8999999761581421.
        func d(_ f: Float) -> Double { Double("\(f)") ?? Double(f) }
        i.weightDecay = d(options.optimizer.weightDecay)
        i.beta1 = d(options.optimizer.beta1); i.beta2 = d(options.optimizer.beta2)
        i.eps = d(options.optimizer.eps); i.gradClip = d(options.optimizer.gradClip)
        i.threads = options.threads
        i.checkpointEvery = options.checkpointEvery; i.evalEvery = options.evalEvery; i.logEvery = options.logEvery
        i.data = options.dataDescription; i.recipe = options.recipe; i.format = options.format
        info = i
    }

    /// Continues the run saved in `directory` (model, optimizer, RNG, schedule, and its checkpoint,
    /// eval and log intervals), writing new checkpoints there. Hyper-parameters come from the
    /// checkpoint; `overrides` may change the run's length, this session's time and the intervals.
    public static func resume(from directory: URL, source: ExampleSource, overrides: ResumeOverrides = ResumeOverrides()) throws -> Trainer {
        let (model, config) = try Checkpoint.loadModel(from: directory)
        guard let saved = config.training else { throw ModelError.checkpoint("config.json has no training section; cannot resume") }
        let state = try Checkpoint.loadOptimizer(from: directory, parameterCount: model.parameterCount, expectedStep: config.step)
        var o = TrainerOptions()
        if let steps = overrides.steps, steps <= config.step {
            throw TrainingError.options("--steps \(steps) must exceed the \(config.step) steps this run has done")
        }
        o.steps = overrides.steps ?? saved.totalSteps
        o.minutes = overrides.minutes
        if overrides.minutes != nil && overrides.steps == nil { o.steps = nil }
        o.batchSize = saved.batchSize
        o.lengthGroup = saved.lengthGroup ?? 1
        o.learningRate = saved.learningRate
        o.minLearningRateFraction = saved.minLearningRateFraction
        o.warmupSteps = saved.warmupSteps
        o.optimizer.weightDecay = Float(saved.weightDecay)
        o.optimizer.beta1 = Float(saved.beta1); o.optimizer.beta2 = Float(saved.beta2)
        o.optimizer.eps = Float(saved.eps); o.optimizer.gradClip = Float(saved.gradClip)
        o.seed = saved.seed
        o.threads = overrides.threads ?? saved.threads
        // Older checkpoints did not keep their intervals: those fall back to the defaults.
        o.checkpointEvery = overrides.checkpointEvery ?? saved.checkpointEvery ?? o.checkpointEvery
        o.evalEvery = overrides.evalEvery ?? saved.evalEvery ?? o.evalEvery
        o.logEvery = overrides.logEvery ?? saved.logEvery ?? o.logEvery
        o.dataDescription = saved.data; o.recipe = saved.recipe; o.format = saved.format
        o.replacesExistingRun = true   // the run continues in its own directory
        let t = try Trainer(model: model, source: source, output: directory, options: o)
        t.engine.restore(state)
        t.rng = Xoshiro256(state: state.rngState)
        t.info.totalSteps = o.steps ?? saved.totalSteps
        t.carryTotals(from: saved)
        t.lastCheckpointStep = config.step
        try t.writeLog(from: directory, upTo: (saved.stepsBefore ?? 0) + config.step)
        return t
    }

    /// Starts this run's totals (tokens, time, CPU time, origin) from `earlier`'s: the same run's
    /// when resuming, or those of the checkpoint whose weights a new run starts from.
    public func carryTotals(from earlier: TrainingInfo) {
        info.tokensSeen = earlier.tokensSeen
        info.trainingSeconds = earlier.trainingSeconds
        info.cpuSeconds = earlier.cpuHours.map { $0 * 3600 }
        info.initializedFrom = earlier.initializedFrom
        info.stepsBefore = earlier.stepsBefore
    }

    /// Makes this new run the continuation of the checkpoint in `directory`, whose weights the
    /// model was built from (`--init-from`): carries its totals, records it as `name (step N)`,
    /// counts its steps in `stepsBefore`, and starts this run's `log.jsonl` with the parent's log
    /// up to its checkpoint, so the training curves of the weights read as one history.
    public func continueFrom(_ parent: CheckpointConfig, in directory: URL, name: String) throws {
        var earlier = parent.training ?? TrainingInfo()
        earlier.initializedFrom = "\(name) (step \(parent.step))"
        earlier.stepsBefore = (earlier.stepsBefore ?? 0) + parent.step
        carryTotals(from: earlier)
        try writeLog(from: directory, upTo: earlier.stepsBefore!)
    }

    /// Writes this run's `log.jsonl` (atomically) as `directory`'s up to step `last` of the
    /// weights' history. Lines past a checkpoint were logged before a crash or a kill and are
    /// trained again from it: they are not history, and kept they would draw the curve twice.
    private func writeLog(from directory: URL, upTo last: Int) throws {
        let log = (try? String(contentsOf: directory.appendingPathComponent("log.jsonl"), encoding: .utf8)) ?? ""
        let kept = log.split(separator: "\n").filter { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return ((object?["step"] as? NSNumber)?.intValue).map { $0 <= last } ?? false
        }
        try createOutputDirectory()
        let text = kept.map { $0 + "\n" }.joined()
        do { try Data(text.utf8).write(to: output.appendingPathComponent("log.jsonl"), options: .atomic) }
        catch { throw TrainingError.output("\(output.path)/log.jsonl: \(error.localizedDescription)") }
    }

    private func createOutputDirectory() throws {
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }
        catch { throw TrainingError.output("the checkpoint directory \(output.path) (it cannot be created there)") }
    }

    /// Makes Ctrl-C (SIGINT) stop the run after the current step, with a checkpoint; a second
    /// Ctrl-C exits at once (checkpoint files are replaced atomically, so the last one stays
    /// whole). The default SIGINT behaviour comes back when `run` returns.
    ///
    /// A plain async-signal-safe handler setting an atomic flag, rather than a DispatchSource:
    /// on Linux a signal source only sees a process-directed SIGINT when the kernel happens to
    /// pick the right thread, and Dispatch's worker threads don't block the signal.
    public func installInterruptHandler() {
        interruptFlag.store(0, ordering: .relaxed)
        signal(SIGINT) { _ in
            if interruptFlag.exchange(1, ordering: .relaxed) != 0 { _exit(130) }
        }
        interruptInstalled = true
    }

    /// Asks the loop to stop after the current step (thread-safe).
    public func requestStop() { stopFlag.set() }

    /// Stops the next `run` (as if interrupted, with a checkpoint) once `steps` steps are done.
    /// For tests and for splitting a run into sessions.
    public func requestStopAfter(steps: Int) { stopAtStep = steps }
    private var stopAtStep: Int?

    /// Runs until the step or time budget is spent, Ctrl-C, or a non-finite loss (thrown as
    /// `TrainingError.nonFiniteLoss` after keeping the last good checkpoint untouched).
    @discardableResult
    public func run(progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingOutcome {
        try createOutputDirectory()
        let logURL = output.appendingPathComponent("log.jsonl")
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        guard let log = try? FileHandle(forWritingTo: logURL) else { throw TrainingError.output(logURL.path) }
        defer {
            try? log.close()
            if interruptInstalled { signal(SIGINT, SIG_DFL); interruptInstalled = false }
        }
        _ = try? log.seekToEnd()

        let start = Date()
        let deadline = options.minutes.map { start.addingTimeInterval($0 * 60) }
        var totalSteps = info.totalSteps > 0 ? info.totalSteps : Int.max
        var windowTokens = 0
        var windowStart = DispatchTime.now().uptimeNanoseconds
        let firstStep = step
        let stepsBefore = info.stepsBefore ?? 0   // the log counts the steps of the weights' whole history
        var timingStart = start
        var outcome = TrainingOutcome.completed

        while step < totalSteps {
            if stopFlag.isSet || step == stopAtStep || (interruptInstalled && interruptFlag.load(ordering: .relaxed) != 0) {
                outcome = .interrupted; break
            }
            if let d = deadline, Date() >= d { outcome = .timeUp; break }
            let s = step
            // With only a time budget, fix the schedule's length from the speed of the steps after
            // the first (which pays for page faults), a whole length group of them. The run then
            // ends when the schedule does
            // or when time is up, whichever comes first.
            if info.totalSteps == 0 && s - firstStep == 1 { timingStart = Date() }
            let probeSteps = max(5, options.lengthGroup)
            if info.totalSteps == 0 && s - firstStep == 1 + probeSteps {
                let perStep = Date().timeIntervalSince(timingStart) / Double(probeSteps)
                totalSteps = max(s + 1, s + Int(deadline!.timeIntervalSinceNow / perStep))
                info.totalSteps = totalSteps
            }
            let schedule = LearningRateSchedule(peak: info.learningRate, minFraction: info.minLearningRateFraction,
                                                warmupSteps: info.warmupSteps, totalSteps: info.totalSteps > 0 ? info.totalSteps : 1_000_000)
            let lr = schedule.rate(at: s)
            try batch.fill(batchExamples(forStep: s), tokenizer: model.tokenizer)

            let stepStart = DispatchTime.now().uptimeNanoseconds
            let r = engine.trainStep(batch, learningRate: Float(lr))
            info.tokensSeen = (info.tokensSeen ?? 0) + batch.realTokens
            let stepSeconds = Double(DispatchTime.now().uptimeNanoseconds - stepStart) / 1e9
            info.trainingSeconds = (info.trainingSeconds ?? 0) + stepSeconds
            info.cpuSeconds = (info.cpuSeconds ?? 0) + stepSeconds * Double(options.threads)
            guard r.loss.isFinite else {
                writeLog(log, ["step": stepsBefore + s + 1, "loss": r.loss.isNaN ? "nan" : "inf", "event": "non-finite loss"])
                throw TrainingError.nonFiniteLoss(step: s + 1, loss: r.loss, lastCheckpointStep: lastCheckpointStep)
            }
            losses.append(r.loss)
            windowTokens += batch.realTokens
            let now = DispatchTime.now().uptimeNanoseconds
            let tps = Double(windowTokens) / max(1e-9, Double(now - windowStart) / 1e9)

            var acc: Double?
            let done = step >= totalSteps
            if let h = heldOut, (options.evalEvery > 0 && step % options.evalEvery == 0) || done { acc = h(model) }
            if step % max(1, options.logEvery) == 0 || acc != nil || done {
                var line: [String: Any] = ["step": stepsBefore + step, "loss": r.loss, "lr": lr, "tokens_per_s": tps.rounded(),
                                           "grad_norm": r.gradNorm, "elapsed_s": Date().timeIntervalSince(start)]
                if let acc { line["heldout_acc"] = acc }
                writeLog(log, line)
                windowTokens = 0; windowStart = now
            }
            if options.checkpointEvery > 0 && step % options.checkpointEvery == 0 && !done { try saveCheckpoint() }
            if let progress {
                let elapsed = Date().timeIntervalSince(start)
                let rate = elapsed / Double(max(1, step - firstStep))
                var eta = info.totalSteps > 0 ? rate * Double(info.totalSteps - step) : 0
                if let d = deadline { eta = min(eta > 0 ? eta : .infinity, max(0, d.timeIntervalSinceNow)) }
                progress(TrainingProgress(step: step, totalSteps: info.totalSteps, loss: r.loss, learningRate: lr,
                                          tokensPerSecond: tps, elapsedSeconds: elapsed, heldOutAccuracy: acc, etaSeconds: eta))
            }
        }
        if outcome == .timeUp { info.totalSteps = step }
        try saveCheckpoint()
        return outcome
    }

    /// Curriculum position of step `s` ∈ [0, 1].
    private func progress(atStep s: Int) -> Double {
        info.totalSteps > 0 ? min(1, Double(s) / Double(info.totalSteps)) : 0
    }

    private var cachedGroup = -1
    private var groupBatches: [[(prompt: String, target: String)]] = []

    /// The examples of step `s`. Without bucketing: indices s·B ..< (s+1)·B. With a length
    /// group G: the G·B examples of the group g = s/G (at the group's curriculum position),
    /// sorted by length (ties by index), cut into G batches and dealt to the group's steps in
    /// an order seeded by (seed, g), so short and long batches alternate unpredictably.
    func batchExamples(forStep s: Int) -> [(prompt: String, target: String)] {
        let B = options.batchSize, G = options.lengthGroup
        guard G > 1 else {
            return (0..<B).map { source.example(index: s * B + $0, progress: progress(atStep: s)) }
        }
        let g = s / G
        if g != cachedGroup {
            let prog = progress(atStep: g * G)
            let pool = (0..<G * B).map { source.example(index: g * G * B + $0, progress: prog) }
            let length = pool.map { $0.prompt.utf8.count + $0.target.utf8.count }
            let order = pool.indices.sorted { length[$0] != length[$1] ? length[$0] < length[$1] : $0 < $1 }
            var rng = Xoshiro256(seed: options.seed ^ (UInt64(g) &* 0x9E37_79B9_7F4A_7C15))
            groupBatches = rng.permutation(G).map { k in order[k * B ..< (k + 1) * B].map { pool[$0] } }
            cachedGroup = g
        }
        return groupBatches[s % G]
    }

    /// Writes model, optimizer state and config to the output directory.
    public func saveCheckpoint() throws {
        let state = OptimizerState(m: engine.m, v: engine.v, step: engine.step, rngState: rng.stateArray)
        try Checkpoint.save(model: model, step: engine.step, training: info, optimizer: state, to: output)
        lastCheckpointStep = engine.step
    }

    private func writeLog(_ h: FileHandle, _ fields: [String: Any]) {
        guard let d = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        try? h.write(contentsOf: d + Data("\n".utf8))
    }
}

/// Set by the SIGINT handler (lock-free, so safe in signal context).
let interruptFlag = Atomic<Int32>(0)

/// A thread-safe one-way flag (set from the signal handler's queue, read by the loop).
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Greedy exact-match accuracy over `examples`: the model continues BOS + prompt until EOS
/// (or `maxNewTokens`), and the decoded text must equal the target. Forward-only and without
/// a KV cache: meant for small held-out checks and tests.
public func greedyExactMatch(_ model: Model, examples: [(prompt: String, target: String)], maxNewTokens: Int? = nil) -> Double {
    guard !examples.isEmpty else { return 0 }
    var correct = 0
    let V = model.config.vocabSize
    for e in examples {
        guard var ids = try? [Tokenizer.bos] + model.tokenizer.encode(e.prompt) else { continue }
        let limit = maxNewTokens ?? (e.target.count + 1)
        var out: [Int] = []
        while out.count < limit && ids.count < model.config.contextLength {
            guard let logits = try? model.logits(for: ids) else { break }
            let row = logits[(ids.count - 1) * V ..< ids.count * V]
            var best = row.startIndex
            for j in row.indices where row[j] > row[best] { best = j }
            let next = best - row.startIndex
            if next == Tokenizer.eos { break }
            out.append(next); ids.append(next)
        }
        if model.tokenizer.decode(out) == e.target { correct += 1 }
    }
    return Double(correct) / Double(examples.count)
}
