import Foundation
import Testing
import ReckonKernels
import ReckonModel
@testable import ReckonTraining

func tempDir(_ tag: String) -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-train-\(tag)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// A fixed set of small additions, cycled by index.
struct AdditionSource: ExampleSource {
    let items: [(prompt: String, target: String)]
    init(count: Int) {
        var rng = Xoshiro256(seed: 11)
        items = (0..<count).map { _ in
            let a = Int(rng.next() % 100), b = Int(rng.next() % 100)
            return ("\(a)+\(b)=", "\(a + b)")
        }
    }
    func example(index: Int, progress: Double) -> (prompt: String, target: String) { items[index % items.count] }
}

func tinyModel(seed: UInt64 = 1, positions: PositionScheme = .learned) throws -> Model {
    let tok = try Tokenizer()
    let cfg = ModelConfig(layers: 2, dModel: 32, heads: 2, contextLength: 16, vocabSize: tok.vocabSize, positions: positions)
    return try Model(config: cfg, tokenizer: tok, seed: seed)
}

func options(steps: Int, batch: Int = 16, threads: Int = 2, lr: Double = 3e-3, lengthGroup: Int = 1) -> TrainerOptions {
    var o = TrainerOptions()
    o.steps = steps; o.batchSize = batch; o.threads = threads; o.learningRate = lr; o.lengthGroup = lengthGroup
    o.warmupSteps = 10; o.checkpointEvery = 0; o.logEvery = 5; o.seed = 9
    return o
}

@Suite("Training", .serialized)
struct TrainingTests {
    /// A tiny model memorises 16 additions: answer-only loss falls below 0.05 and greedy
    /// decoding reproduces every answer.
    @Test func memorisesSmallSet() throws {
        let source = AdditionSource(count: 16)
        let model = try tinyModel()
        let dir = tempDir("mem")
        let trainer = try Trainer(model: model, source: source, output: dir, options: options(steps: 300, lr: 1e-2))
        try trainer.run()
        let final = trainer.losses.suffix(10).reduce(0, +) / 10
        #expect(final < 0.05, "final loss \(final)")
        #expect(trainer.losses[0] > 2, "initial loss \(trainer.losses[0])")
        #expect(greedyExactMatch(model, examples: source.items) == 1)
        // The log has JSON lines with the documented fields.
        let log = try String(contentsOf: dir.appendingPathComponent("log.jsonl"), encoding: .utf8)
        let last = try #require(log.split(separator: "\n").last)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        for k in ["step", "loss", "lr", "tokens_per_s"] { #expect(obj[k] != nil, "log lacks \(k)") }
        #expect(obj["step"] as? Int == 300)
    }

    /// Same seed and thread count ⇒ identical curve; and 20 steps = 10 steps + resume + 10
    /// steps, bit for bit (parameters, moments and losses), with and without length bucketing
    /// (a group of 3 steps puts the resume point inside a group).
    @Test(arguments: [(1, 1), (2, 1), (2, 3)])
    func resumeContinuesTheSameCurve(threads: Int, lengthGroup: Int) throws {
        let source = AdditionSource(count: 40)
        let straightDir = tempDir("straight")
        let straight = try Trainer(model: try tinyModel(), source: source, output: straightDir,
                                   options: options(steps: 20, threads: threads, lengthGroup: lengthGroup))
        try straight.run()

        let again = try Trainer(model: try tinyModel(), source: source, output: tempDir("again"),
                                options: options(steps: 20, threads: threads, lengthGroup: lengthGroup))
        try again.run()
        #expect(again.losses == straight.losses)

        let splitDir = tempDir("split")
        var first = options(steps: 20, threads: threads, lengthGroup: lengthGroup)
        first.checkpointEvery = 10
        let a = try Trainer(model: try tinyModel(), source: source, output: splitDir, options: first)
        a.requestStopAfter(steps: 10)
        try a.run()
        #expect(a.step == 10)
        let b = try Trainer.resume(from: splitDir, source: source)
        #expect(b.step == 10)
        // The run's own intervals, not the defaults (500 and 10).
        #expect(b.options.checkpointEvery == 10 && b.options.logEvery == 5)
        try b.run()
        #expect(b.step == 20)
        #expect(a.losses + b.losses == straight.losses)
        #expect(b.model.parameters.array == straight.model.parameters.array)
        #expect(b.engine.m.array == straight.engine.m.array && b.engine.v.array == straight.engine.v.array)
        #expect(b.info.tokensSeen == straight.info.tokensSeen && (straight.info.tokensSeen ?? 0) > 0)
    }

    /// A run killed between checkpoints has logged steps its checkpoint does not hold; resuming
    /// drops them, so the steps trained again are logged once and the curve is drawn once.
    @Test func resumeDropsLogLinesPastTheCheckpoint() throws {
        let source = AdditionSource(count: 40)
        let dir = tempDir("killed")
        var o = options(steps: 12)
        o.checkpointEvery = 5; o.logEvery = 1
        let a = try Trainer(model: try tinyModel(), source: source, output: dir, options: o)
        a.requestStopAfter(steps: 5)
        try a.run()
        let logURL = dir.appendingPathComponent("log.jsonl")
        let handle = try FileHandle(forWritingTo: logURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\":6,\"loss\":99}\n{\"step\":7,\"loss\":99}\n".utf8))
        try handle.close()
        let b = try Trainer.resume(from: dir, source: source)
        try b.run()
        let entries = try String(contentsOf: logURL, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(entries.map { ($0["step"] as? NSNumber)?.intValue } == Array(1...12))
        #expect(entries.allSatisfy { ($0["loss"] as? Double) != 99 })
    }

    /// `--steps` on resume sets the run's length: fewer steps end it sooner and the rest of the
    /// cosine schedule is compressed into them; no fewer than the steps already done.
    @Test func resumeWithFewerStepsCompressesTheSchedule() throws {
        let source = AdditionSource(count: 40)
        let dir = tempDir("shorter")
        var o = options(steps: 20)
        o.warmupSteps = 2
        o.checkpointEvery = 5
        let a = try Trainer(model: try tinyModel(), source: source, output: dir, options: o)
        a.requestStopAfter(steps: 5)
        try a.run()
        #expect(throws: TrainingError.self) { try Trainer.resume(from: dir, source: source, overrides: ResumeOverrides(steps: 5)) }
        let b = try Trainer.resume(from: dir, source: source, overrides: ResumeOverrides(steps: 8, logEvery: 1))
        #expect(b.options.logEvery == 1 && b.options.checkpointEvery == 5)
        try b.run()
        #expect(b.step == 8 && b.info.totalSteps == 8)
        // The last logged learning rate is the 8-step schedule's, far below the 20-step one's.
        let lines = try String(contentsOf: dir.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        let lr = try #require(last["lr"] as? Double)
        let compressed = LearningRateSchedule(peak: o.learningRate, minFraction: o.minLearningRateFraction, warmupSteps: 2, totalSteps: 8)
        let original = LearningRateSchedule(peak: o.learningRate, minFraction: o.minLearningRateFraction, warmupSteps: 2, totalSteps: 20)
        #expect(abs(lr - compressed.rate(at: 7)) <= 1e-12 * o.learningRate)
        #expect(compressed.rate(at: 7) < 0.5 * original.rate(at: 7))
    }

    /// CPU time counts each step at its own thread count (a run resumed on fewer threads), and a
    /// new run started from a checkpoint's weights (`--init-from`) carries that checkpoint's
    /// totals and names it in its own checkpoint.
    @Test func totalsCountCPUTimeAndCarryOverToANewRun() throws {
        let source = AdditionSource(count: 40)
        let dir = tempDir("totals")
        var o = options(steps: 10, threads: 2)
        o.checkpointEvery = 5
        let a = try Trainer(model: try tinyModel(positions: .rope), source: source, output: dir, options: o)
        a.requestStopAfter(steps: 5)
        try a.run()
        let twoThreadSeconds = try #require(a.info.trainingSeconds)
        #expect(abs(try #require(a.info.cpuSeconds) - 2 * twoThreadSeconds) <= 1e-9 * twoThreadSeconds)

        let b = try Trainer.resume(from: dir, source: source, overrides: ResumeOverrides(threads: 1))
        try b.run()
        #expect(b.step == 10)
        let oneThreadSeconds = try #require(b.info.trainingSeconds) - twoThreadSeconds
        let cpu = try #require(b.info.cpuSeconds)
        #expect(abs(cpu - (2 * twoThreadSeconds + oneThreadSeconds)) <= 1e-9 * cpu)

        var o3 = options(steps: 3)
        o3.logEvery = 1
        let c = try Trainer(model: try b.model.withContext(32), source: source, output: tempDir("child"), options: o3)
        try c.continueFrom(try Checkpoint.loadConfig(from: dir), in: dir, name: "parent")
        try c.run()
        let saved = try Checkpoint.loadConfig(from: c.output).training
        #expect(saved?.initializedFrom == "parent (step 10)")
        #expect(saved?.stepsBefore == 10)
        // The child's log is the parent's, then its own steps counted on from the parent's.
        func steps(_ d: URL) throws -> [Int] {
            try String(contentsOf: d.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n").map {
                ((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["step"] as? NSNumber)?.intValue ?? -1
            }
        }
        let parentSteps = try steps(dir)
        #expect(parentSteps.last == 10)
        #expect(try steps(c.output) == parentSteps + [11, 12, 13])
        #expect((saved?.tokensSeen ?? 0) > (b.info.tokensSeen ?? .max))
        #expect((saved?.cpuSeconds ?? 0) > cpu)
        #expect(c.step == 3)
    }

    /// Length bucketing deals a group's examples to its steps sorted by length: every example
    /// of the group is used once, and the batches pad to fewer tokens than unsorted ones.
    @Test func lengthBucketingSortsAGroupIntoBatches() throws {
        let source = AdditionSource(count: 400)   // 1- and 2-digit operands: lengths vary
        let G = 4, B = 8
        let plain = try Trainer(model: try tinyModel(), source: source, output: tempDir("plain"), options: options(steps: 8, batch: B))
        let bucketed = try Trainer(model: try tinyModel(), source: source, output: tempDir("bucketed"),
                                   options: options(steps: 8, batch: B, lengthGroup: G))
        func length(_ e: (prompt: String, target: String)) -> Int { e.prompt.count + e.target.count }
        var padded = (plain: 0, bucketed: 0)
        for g in 0..<2 {
            let steps = g * G ..< (g + 1) * G
            let p = steps.map { plain.batchExamples(forStep: $0) }, b = steps.map { bucketed.batchExamples(forStep: $0) }
            #expect(b.allSatisfy { $0.count == B })
            #expect(Set(p.joined().map { $0.prompt + $0.target }) == Set(b.joined().map { $0.prompt + $0.target }))
            padded.plain += p.reduce(0) { $0 + B * $1.map(length).max()! }
            padded.bucketed += b.reduce(0) { $0 + B * $1.map(length).max()! }
            // Sorted: each batch's lengths lie within a range no other batch enters.
            let ranges = b.map { $0.map(length).min()! ... $0.map(length).max()! }.sorted { $0.lowerBound < $1.lowerBound }
            for (x, y) in zip(ranges, ranges.dropFirst()) { #expect(x.upperBound <= y.lowerBound) }
        }
        #expect(padded.bucketed < padded.plain, "\(padded)")
    }

    /// A thread count changes only the summation order: curves agree to float tolerance.
    @Test func threadCountsAgree() throws {
        let source = AdditionSource(count: 40)
        let one = try Trainer(model: try tinyModel(), source: source, output: tempDir("t1"), options: options(steps: 5, threads: 1))
        try one.run()
        let two = try Trainer(model: try tinyModel(), source: source, output: tempDir("t2"), options: options(steps: 5, threads: 2))
        try two.run()
        for (x, y) in zip(one.losses, two.losses) { #expect(abs(x - y) < 1e-4 * max(1, abs(x))) }
    }

    /// An output directory that cannot be created is a clear error naming it, before any step.
    @Test func unwritableOutputIsAClearError() throws {
        let t = try Trainer(model: try tinyModel(), source: AdditionSource(count: 40),
                            output: URL(fileURLWithPath: "/proc/reckon-no-such-dir/run"), options: options(steps: 2))
        #expect { try t.run() } throws: { error in
            "\(error)".contains("cannot write the checkpoint directory /proc/reckon-no-such-dir/run")
        }
        #expect(t.step == 0)
    }

    /// A new run refuses an output directory that holds a checkpoint, unless told to replace it;
    /// the refusal leaves that checkpoint as it was.
    @Test func newRunDoesNotReplaceAnExistingRun() throws {
        let source = AdditionSource(count: 40)
        let dir = tempDir("existing")
        try Trainer(model: try tinyModel(), source: source, output: dir, options: options(steps: 3)).run()
        let before = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        #expect { try Trainer(model: try tinyModel(), source: source, output: dir, options: options(steps: 2)) } throws: { error in
            "\(error)".contains("already holds a checkpoint (step 3)") && "\(error)".contains("--overwrite")
        }
        #expect(try Data(contentsOf: dir.appendingPathComponent("model.safetensors")) == before)
        var replacing = options(steps: 2)
        replacing.replacesExistingRun = true
        let t = try Trainer(model: try tinyModel(), source: source, output: dir, options: replacing)
        try t.run()
        #expect(try Checkpoint.loadConfig(from: dir).step == 2)
        // Resuming writes into its own directory and needs no permission.
        #expect(try Trainer.resume(from: dir, source: source, overrides: ResumeOverrides(steps: 4)).step == 2)
    }

    /// A non-finite loss stops training with a clear error and keeps the last good checkpoint.
    @Test func nonFiniteLossStopsAndKeepsCheckpoint() throws {
        let source = AdditionSource(count: 16)
        let dir = tempDir("nan")
        var o = options(steps: 30)
        o.checkpointEvery = 5
        let model = try tinyModel()
        let trainer = try Trainer(model: model, source: source, output: dir, options: o)
        trainer.requestStopAfter(steps: 7)
        try trainer.run()   // saves at 5 and, on stop, at 7
        let saved = try Checkpoint.loadModel(from: dir).0.parameters.array
        model.parameters[0] = .nan    // poison a weight of the embedding row every sequence reads
        for i in 0..<model.config.dModel { model.parameters[Tokenizer.bos * model.config.dModel + i] = .nan }
        let resumed = try Trainer.resume(from: dir, source: source)
        resumed.model.parameters.copy(from: model.parameters)
        do {
            try resumed.run()
            Issue.record("expected a non-finite loss error")
        } catch let e as TrainingError {
            guard case .nonFiniteLoss(let step, _, let last) = e else { Issue.record("wrong error \(e)"); return }
            #expect(step == 8 && last == 7)
            #expect(e.description.contains("last good checkpoint (step 7)"))
        }
        #expect(try Checkpoint.loadModel(from: dir).0.parameters.array == saved)
    }

    @Test func fileSourceSplitsAtFirstEquals() throws {
        let url = tempDir("corpus").appendingPathComponent("c.txt")
        try "1+2=3\n\n5*6=30=30\n7-9=-2\n".write(to: url, atomically: true, encoding: .utf8)
        let src = try FileExampleSource(path: url.path, seed: 1)
        #expect(src.examples.count == 3)
        #expect(src.examples[1].prompt == "5*6=" && src.examples[1].target == "30=30")
        // Each epoch is a permutation: every line once per 3 consecutive indices.
        for epoch in 0..<3 {
            let seen = Set((0..<3).map { src.example(index: epoch * 3 + $0, progress: 0).prompt })
            #expect(seen.count == 3)
        }
        #expect(src.example(index: 4, progress: 0) == (try FileExampleSource(path: url.path, seed: 1)).example(index: 4, progress: 0))
        try "1+2=3\nno equals here\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: TrainingError.self) { try FileExampleSource(path: url.path, seed: 1) }
        #expect(throws: TrainingError.self) { try FileExampleSource(path: "/nonexistent/x.txt", seed: 1) }
    }

    /// Loss is taken on target + EOS only; prompt and padding positions are masked.
    @Test func batchMasksPromptAndPadding() throws {
        let tok = try Tokenizer()
        let batch = TokenBatch(batch: 2, tokens: 16)
        try batch.fill([("12+3=", "15"), ("1+1=", "2")], tokenizer: tok)
        #expect(batch.tokens == 8)            // BOS + 5 + 2 + EOS = 9 tokens → 8 inputs
        #expect(batch.targetCount == 3 + 2)   // "15"+EOS, "2"+EOS
        let t0 = (0..<8).map { batch.targets[$0] }
        #expect(t0 == [-1, -1, -1, -1, -1, Int32(try tok.encode("1")[0]), Int32(try tok.encode("5")[0]), Int32(Tokenizer.eos)])
        let in1 = (8..<16).map { batch.inputs[$0] }
        #expect(in1[0] == Int32(Tokenizer.bos) && in1[7] == Int32(Tokenizer.pad))
        #expect((8..<16).map { batch.targets[$0] }.filter { $0 >= 0 }.count == 2)
    }

    @Test func scheduleWarmsUpThenDecays() {
        let s = LearningRateSchedule(peak: 1e-3, minFraction: 0.1, warmupSteps: 10, totalSteps: 110)
        #expect(abs(s.rate(at: 0) - 1e-4) < 1e-12)
        #expect(abs(s.rate(at: 9) - 1e-3) < 1e-12)
        #expect(abs(s.rate(at: 60) - 5.5e-4) < 1e-9)
        #expect(abs(s.rate(at: 110) - 1e-4) < 1e-12)
        #expect(s.rate(at: 30) > s.rate(at: 31))
    }

    /// Gradient clipping: with clip c, the applied gradient norm is min(norm, c).
    @Test func engineClipsAndReportsNorm() throws {
        let model = try tinyModel()
        var settings = OptimizerSettings()
        settings.gradClip = 1e-3
        let engine = TrainingEngine(model: model, maxBatch: 4, threads: 2, settings: settings)
        let batch = TokenBatch(batch: 4, tokens: 16)
        try batch.fill(AdditionSource(count: 4).items, tokenizer: model.tokenizer)
        let r = engine.trainStep(batch, learningRate: 1e-3)
        #expect(r.gradNorm > 1e-3 && r.loss.isFinite)
        // First Adam step: m = (1−β1)·g·clip, so |m| = 0.1·min(norm, clip).
        let mNorm = sumOfSquares(engine.m.pointer, count: engine.m.count).squareRoot()
        #expect(abs(mNorm - 0.1 * 1e-3) < 1e-6)
    }

    /// Ctrl-C: SIGINT is caught by the DispatchSource, the loop stops after the current step
    /// and a resumable checkpoint is written.
    @Test func sigintSavesAndStops() throws {
        let dir = tempDir("sigint")
        let trainer = try Trainer(model: try tinyModel(), source: AdditionSource(count: 16), output: dir,
                                  options: options(steps: 5_000, batch: 4))
        trainer.installInterruptHandler()
        var raised = false
        let outcome = try trainer.run { p in
            if p.step == 3 && !raised { raised = true; kill(getpid(), SIGINT) }
        }
        #expect(outcome == .interrupted)
        #expect(trainer.step >= 3 && trainer.step < 5_000)
        let cfg = try Checkpoint.loadConfig(from: dir)
        #expect(cfg.step == trainer.step)
        #expect(try Trainer.resume(from: dir, source: AdditionSource(count: 16)).step == trainer.step)
    }

    /// A time budget: the schedule's length is estimated from the first steps; the run ends when
    /// it completes or time is up, with a checkpoint whose schedule length is the steps taken.
    @Test func minutesBudget() throws {
        var o = options(steps: 1, batch: 4)
        o.steps = nil; o.minutes = 0.01
        let dir = tempDir("minutes")
        let trainer = try Trainer(model: try tinyModel(), source: AdditionSource(count: 16), output: dir, options: o)
        let t0 = Date()
        let outcome = try trainer.run()
        #expect(outcome == .timeUp || outcome == .completed)
        #expect(Date().timeIntervalSince(t0) < 3)
        let cfg = try Checkpoint.loadConfig(from: dir)
        #expect(cfg.step == trainer.step && cfg.training?.totalSteps == trainer.step && trainer.step > 5)
    }
}
