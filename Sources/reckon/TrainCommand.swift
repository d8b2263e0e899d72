import ArgumentParser
import Foundation
import ReckonEvaluation
import ReckonGenerator
import ReckonModel
import ReckonTraining

/// `reckon train`: trains the decoder on a corpus file or a generator recipe.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the decoder from scratch on a corpus file or a recipe.",
        discussion: """
        Each example is "prompt=target" (split at the first '='); the model sees BOS+prompt+target+EOS \
        and the loss is taken on target+EOS only. Checkpoints (config.json, model.safetensors, \
        optimizer.safetensors) and log.jsonl go to --out. Ctrl-C saves a checkpoint and exits; \
        --resume DIR continues the same loss curve. --init-from DIR starts a new run (new data, \
        format, schedule and optimizer) from DIR's weights, e.g. to move a model to a new format.
        """)

    @Option(help: "Corpus file: one example per line, prompt and target split at the first '='.")
    var corpus: String?
    @Option(help: "Generator recipe (path, or a name in Generators/), streamed fresh every step (train split only).")
    var recipe: String?
    @Option(help: "Step format for --recipe data (default: the recipe's): \(StepFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: StepFormat?
    @Option(help: "Model size: \(ModelConfig.presetNames.joined(separator: ", ")) (default: tiny).")
    var preset: String?
    @Option(help: "Position scheme: learned, rope or abacus (RoPE + digit-index embedding; default: learned).")
    var positions: String?
    @Option(help: "Context length in tokens (default: the preset's, or --init-from's checkpoint's).")
    var context: Int?
    @Option(help: ArgumentHelp("Which numbers the model reads and writes least-significant digit first, or padded with leading zeros (default: as-written, or --init-from's). Stored in the checkpoint's tokenizer; text outside the model is unchanged.", valueName: "order"))
    var numbers: NumberOrder?
    @Option(help: "Checkpoint directory (default with --resume: the resumed directory).")
    var out: String?
    @Option(help: "Number of optimizer steps (with --resume: the run's new length, which must exceed the steps done; the rest of the cosine stretches or compresses to fit).")
    var steps: Int?
    @Option(help: "Time budget in minutes (the schedule's length is set from the first steps' speed).")
    var minutes: Double?
    @Option(help: "Sequences per step.")
    var batch: Int = 32
    @Option(help: "Length bucketing: sort the examples of this many steps by length before batching, so batches pad less (1: off).")
    var lengthGroup: Int = 16
    @Option(help: "Peak learning rate.")
    var lr: Double = 1e-3
    @Option(help: "Final learning rate as a fraction of the peak (cosine decay).")
    var minLrFraction: Double = 0.1
    @Option(help: "Warm-up steps (default min(100, steps/10)).")
    var warmup: Int?
    @Option(help: "AdamW weight decay (2-D weights only).")
    var weightDecay: Float = 0.1
    @Option(help: "Gradient-norm clip (0 disables).")
    var clip: Float = 1.0
    @Option(help: "Random seed (initialisation and data order; with --resume, the run's own).")
    var seed: UInt64 = 0
    @Option(help: "Worker threads (default: all cores). Same seed and threads give the same curve.")
    var threads: Int?
    @Option(help: "Write a checkpoint every K steps (0: only at the end; default 500, or the resumed run's own).")
    var checkpointEvery: Int?
    @Option(help: "Append to log.jsonl every K steps (default 10, or the resumed run's own).")
    var logEvery: Int?
    @Option(help: "Held-out file (same format as --corpus) for a periodic greedy exact-match check (default with --recipe: the recipe's test split).")
    var heldout: String?
    @Option(help: "Run the held-out check every K steps (0: only at the end; default 0, or the resumed run's own).")
    var evalEvery: Int?
    @Option(help: "Held-out examples per check.")
    var evalCount: Int = 64
    @Option(help: "Continue training from this checkpoint directory.")
    var resume: String?
    @Option(help: "Start a new run from this checkpoint's weights, architecture and tokenizer (--context may grow with rope or abacus positions).")
    var initFrom: String?
    @Option(help: "With --init-from: grow the model to this many layers by block expansion (new blocks start as identities, so the model computes what the checkpoint did).")
    var layers: Int?
    @Flag(help: "Let a new run replace the checkpoint and log already in --out (without it, that is an error).")
    var overwrite = false

    func validate() throws {
        if resume == nil {
            guard (corpus == nil) != (recipe == nil) else { throw ValidationError("give exactly one of --corpus or --recipe") }
            guard out != nil else { throw ValidationError("--out DIR is required (or --resume DIR)") }
            guard steps != nil || minutes != nil else { throw ValidationError("give --steps N or --minutes M") }
        } else if initFrom != nil {
            throw ValidationError("give --resume DIR (same run) or --init-from DIR (new run), not both")
        }
        if resume != nil || initFrom != nil {
            let from = resume != nil ? "--resume" : "--init-from"
            if preset != nil || positions != nil { throw ValidationError("--preset and --positions come from the \(from) checkpoint") }
        }
        if let layers {
            guard initFrom != nil else { throw ValidationError("--layers grows an --init-from checkpoint (a new model's size comes from --preset)") }
            if layers < 1 { throw ValidationError("--layers must be ≥ 1") }
        }
        if resume != nil, context != nil { throw ValidationError("--context is fixed by the resumed checkpoint") }
        if resume != nil, numbers != nil { throw ValidationError("--numbers is fixed by the resumed checkpoint") }
        if let c = context, c < 1 { throw ValidationError("--context must be ≥ 1") }
        if let s = steps, s < 1 { throw ValidationError("--steps must be ≥ 1") }
        if let m = minutes, !(m > 0) { throw ValidationError("--minutes must be > 0") }
        if batch < 1 { throw ValidationError("--batch must be ≥ 1") }
        if let k = checkpointEvery, k < 0 { throw ValidationError("--checkpoint-every must be ≥ 0") }
        if let k = evalEvery, k < 0 { throw ValidationError("--eval-every must be ≥ 0") }
        if let k = logEvery, k < 1 { throw ValidationError("--log-every must be ≥ 1") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
        if let positions, PositionScheme(rawValue: positions) == nil { throw ValidationError("--positions must be learned, rope or abacus") }
        if let preset, !ModelConfig.presetNames.contains(preset) {
            throw ValidationError("unknown preset '\(preset)' (choose \(ModelConfig.presetNames.joined(separator: ", ")))")
        }
    }

    func run() throws {
        // Progress lines reach a redirected log (`nohup … > run.log`) as they are printed, not
        // in 4 KiB lumps minutes apart.
        setvbuf(stdout, nil, _IOLBF, 0)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        // A resumed run reads the same stream: its own seed, and its recipe and format unless
        // named again (a corpus must be named again).
        var saved: TrainingInfo?
        if let resume {
            do { saved = try Checkpoint.loadConfig(from: URL(fileURLWithPath: resume)).training } catch { throw CommandError("\(error)") }
            guard saved != nil else { throw CommandError("\(resume)/config.json has no training section; cannot resume") }
            guard corpus != nil || recipe != nil || saved?.recipe != nil else {
                throw ValidationError("\(resume) was trained on a corpus: name it again with --corpus")
            }
        }
        let (source, dataDescription) = try makeSource(seed: saved?.seed ?? seed, recipe: recipe ?? saved?.recipe,
                                                       format: format ?? saved?.format.flatMap(StepFormat.init(rawValue:)))
        let trainer: Trainer
        do {
            if let resume {
                let overrides = ResumeOverrides(steps: steps, minutes: minutes, checkpointEvery: checkpointEvery,
                                                evalEvery: evalEvery, logEvery: logEvery, threads: threads)
                if let out, URL(fileURLWithPath: out).standardized != URL(fileURLWithPath: resume).standardized {
                    throw ValidationError("--resume writes back into \(resume); drop --out or copy the checkpoint first")
                }
                trainer = try Trainer.resume(from: URL(fileURLWithPath: resume), source: source, overrides: overrides)
                print("resuming \(resume) at step \(trainer.step) of \(trainer.info.totalSteps)")
            } else {
                // A new run, from random weights of a preset or from --init-from's weights.
                let model: Model, origin: String
                var parentConfig: CheckpointConfig?
                var parentName = initFrom ?? ""
                if let initFrom {
                    let (parent, config) = try Checkpoint.loadModel(from: URL(fileURLWithPath: initFrom))
                    var grown = try parent.withContext(context ?? parent.config.contextLength)
                        .withNumberOrder(numbers ?? parent.tokenizer.numberOrder)
                    if let layers, layers != parent.config.layers {
                        guard layers > parent.config.layers else {
                            throw ValidationError("--layers \(layers): the checkpoint has \(parent.config.layers) layers, and a model can only grow")
                        }
                        grown = try grown.deepened(to: layers, seed: seed)
                        parentName = "\(initFrom) deepened from \(parent.config.layers) to \(layers) layers"
                    }
                    model = grown
                    parentConfig = config
                    origin = "weights of \(parentName) (step \(config.step))"
                } else {
                    let tokenizer = try Tokenizer(numberOrder: numbers ?? .asWritten)
                    let presetName = preset ?? "tiny"
                    var config = ModelConfig.preset(presetName, vocabSize: tokenizer.vocabSize,
                                                    positions: PositionScheme(rawValue: positions ?? "learned")!)!
                    if let context { config.contextLength = context }
                    model = try Model(config: config, tokenizer: tokenizer, seed: seed)
                    origin = "preset \(presetName)"
                }
                var o = TrainerOptions()
                o.steps = steps; o.minutes = minutes; o.batchSize = batch; o.lengthGroup = lengthGroup; o.learningRate = lr
                o.minLearningRateFraction = minLrFraction; o.warmupSteps = warmup
                o.optimizer.weightDecay = weightDecay; o.optimizer.gradClip = clip
                o.seed = seed; o.threads = threadCount
                if let checkpointEvery { o.checkpointEvery = checkpointEvery }
                if let evalEvery { o.evalEvery = evalEvery }
                if let logEvery { o.logEvery = logEvery }
                o.dataDescription = dataDescription; o.recipe = recipe; o.replacesExistingRun = overwrite
                if let recipe { o.format = (try format ?? loadRecipe(recipe).format).rawValue }
                trainer = try Trainer(model: model, source: source, output: URL(fileURLWithPath: out!), options: o)
                if let parentConfig, let initFrom {
                    try trainer.continueFrom(parentConfig, in: URL(fileURLWithPath: initFrom), name: parentName)
                }
                let c = model.config
                print("model: \(origin), \(c.layers)×\(c.dModel), \(c.heads) heads, ctx \(c.contextLength), " +
                      "\(c.positions.rawValue) positions, numbers \(model.tokenizer.numberOrder.rawValue), " +
                      "\(model.parameterCount) parameters; \(threadCount) thread\(threadCount == 1 ? "" : "s")")
            }
        } catch let e as ModelError { throw CommandError(e.description) }
        catch let e as TrainingError { throw CommandError(e.description) }

        if let heldout {
            let file: FileExampleSource
            do { file = try FileExampleSource(path: heldout, seed: 0) } catch let e as TrainingError { throw CommandError(e.description) }
            trainer.heldOut = heldOutCheck(Array(file.examples.prefix(evalCount)), threads: trainer.options.threads)
        } else if let recipe = trainer.info.recipe ?? self.recipe {
            // The recipe's own held-out questions, in the format trained on, from its final
            // distribution (progress 1): a curriculum's early stages are means, the last is the goal.
            let trainedFormat = trainer.info.format.flatMap(StepFormat.init(rawValue:))
            let generator = ExampleGenerator(recipe: try loadRecipe(recipe), format: trainedFormat, split: .test, seed: 0)
            let examples = try (0..<evalCount).map { i -> (prompt: String, target: String) in
                let line = try generator.line(index: i, progress: 1)
                let cut = line.firstIndex(of: "=")!
                return (String(line[...cut]), String(line[line.index(after: cut)...]))
            }
            trainer.heldOut = heldOutCheck(examples, threads: trainer.options.threads)
        }
        trainer.installInterruptHandler()

        let interactive = isatty(STDERR_FILENO) == 1
        var lastPrinted = Date.distantPast
        let logEvery = trainer.options.logEvery
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.run { p in
                let total = p.totalSteps > 0 ? "/\(p.totalSteps)" : ""
                var line = String(format: "step %d%@  loss %.4f  lr %.2e  %@ tok/s  ETA %@", p.step, total, p.loss,
                                  p.learningRate, Self.short(p.tokensPerSecond), Self.duration(p.etaSeconds))
                if let a = p.heldOutAccuracy { line += String(format: "  held-out %.1f%%", 100 * a) }
                if interactive {
                    guard Date().timeIntervalSince(lastPrinted) > 0.1 || p.heldOutAccuracy != nil else { return }
                    lastPrinted = Date()
                    FileHandle.standardError.write(Data("\r\(line)   ".utf8))
                } else if p.step % logEvery == 0 || p.heldOutAccuracy != nil {
                    print(line)
                }
            }
        } catch let e as TrainingError {
            if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CommandError(e.description)
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        let dir = trainer.output.path
        switch outcome {
        case .completed: print("done: \(trainer.step) steps, checkpoint in \(dir)")
        case .timeUp: print("time budget spent after \(trainer.step) steps, checkpoint in \(dir)")
        case .interrupted: print("interrupted at step \(trainer.step); checkpoint saved in \(dir) (continue with --resume \(dir))")
        }
        let hours = (trainer.info.trainingSeconds ?? 0) / 3600
        print(String(format: "run so far: %d tokens seen, %.2f h of training, %.2f CPU-hours%@", trainer.info.tokensSeen ?? 0,
                     hours, trainer.info.cpuHours ?? 0, trainer.info.initializedFrom.map { ", counting \($0), whose weights it started from" } ?? ""))
    }

    /// The data source named on the command line.
    func makeSource(seed: UInt64, recipe name: String?, format: StepFormat?) throws -> (ExampleSource, String) {
        if let corpus {
            do { return (try FileExampleSource(path: corpus, seed: seed), "corpus:\(corpus)") } catch let e as TrainingError {
                throw CommandError(e.description)
            }
        }
        let (source, recipe) = try recipeExampleSource(recipe: name!, format: format, seed: seed)
        return (source, "recipe:\(name!) format:\((format ?? recipe.format).rawValue)")
    }

    static func short(_ x: Double) -> String {
        x >= 10_000 ? String(format: "%.1fk", x / 1000) : String(format: "%.0f", x)
    }
    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let n = Int(s.rounded())
        if n >= 3600 { return "\(n / 3600)h\(String(format: "%02d", (n % 3600) / 60))m" }
        if n >= 60 { return "\(n / 60)m\(String(format: "%02d", n % 60))s" }
        return "\(n)s"
    }
}

/// Training examples streamed from a recipe (train split only), in `format` (default: the recipe's).
func recipeExampleSource(recipe name: String, format: StepFormat?, seed: UInt64) throws -> (ExampleSource, Recipe) {
    let recipe = try loadRecipe(name)
    do { return (try RecipeExampleSource(recipe: recipe, format: format, seed: seed), recipe) } catch {
        throw CommandError("recipe '\(name)': \(error)")
    }
}

/// The trainer's periodic check: greedy chains for `examples`' prompts, decoded in one batch with
/// the KV cache, and the share that reproduce the target exactly (the whole chain, not just the answer).
func heldOutCheck(_ examples: [(prompt: String, target: String)], threads: Int) -> (Model) -> Double {
    { model in
        guard !examples.isEmpty else { return 0 }
        var requests: [DecodeRequest] = []
        for e in examples {
            guard let ids = try? model.tokenizer.encode(e.prompt) else { return 0 }
            requests.append(DecodeRequest(prompt: [Tokenizer.bos] + ids))
        }
        let longest = examples.map { $0.target.utf8.count }.max()! + 1
        let decoder = BatchDecoder(model: model, threads: threads, expectedRequests: requests.count)
        guard let results = try? decoder.decode(requests, maxNewTokens: longest) else { return 0 }
        let right = zip(examples, results).filter { e, r in model.tokenizer.decode(r.tokens) == e.target }.count
        return Double(right) / Double(examples.count)
    }
}
