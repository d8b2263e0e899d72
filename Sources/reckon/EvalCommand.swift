import ArgumentParser
import Foundation
import ReckonArithmetic
import ReckonEvaluation
import ReckonGenerator
import ReckonModel

/// `reckon eval`: held-out accuracy of a checkpoint, graded three ways, with step diagnostics
/// and a report (report.json, report.md, SVG charts).
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a checkpoint's calculation accuracy on held-out questions.",
        discussion: """
        Questions come from the recipe's test split (never trained on), in the format the checkpoint \
        was trained on, or from --input (one question per line; anything after a line's first '=' \
        is ignored). Each answer is graded by exact match with the generator's answer, by MathGLM's \
        rule round(answer, 2) = round(truth, 2), and by relative error (1e-2, 1e-4); the truth is \
        computed exactly. Every chain is also checked step by step. Writes report.json, report.md \
        and SVG charts to --out (default: <checkpoint>/eval).

        With --answers, the model does not solve the questions here: their answers are read from \
        files that `reckon solve --input … --output` wrote, so a run too long for one sitting can \
        be solved in parts (say, with --check-subtractions) and graded together. Every question \
        must have an answer in them; give the --check-subtractions N they were solved with.
        """)

    @Option(help: "Checkpoint directory (the default is found from any working directory).")
    var checkpoint: String = defaultCheckpoint
    @Option(help: "Recipe of the held-out questions (path, or a name in Generators/).")
    var recipe: String?
    @Option(help: "Grade the questions of this file instead (one per line).")
    var input: String?
    @Option(help: "Questions to generate from the recipe.")
    var count: Int = 500
    @Option(help: "Seed of the generated questions and of sampled chains.")
    var seed: UInt64 = 0
    @Option(help: "Self-consistency: chains per question (greedy + K-1 samples), majority answer.")
    var votes: Int = 1
    @Option(help: "Sampling temperature of the extra chains when --votes > 1.")
    var temperature: Float = 0.7
    @Option(help: "Step format of the questions' chains (default: the checkpoint's training format, else the recipe's).")
    var format: StepFormat?
    @Option(help: "Report directory (default: <checkpoint>/eval).")
    var out: String?
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?
    @Option(help: contextOptionHelp)
    var context: Int?
    @Option(help: kvCacheOptionHelp)
    var kvCache: CachePrecision = .float32
    @Option(name: .customLong("check-subtractions"), help: subtractionChecksOptionHelp)
    var subtractionChecks: Int = 0
    @Flag(name: .customLong("fresh-context"), help: freshContextFlagHelp)
    var freshContexts = false
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Grade the answers in these files (`reckon solve --input … --output`) instead of solving.", valueName: "file"))
    var answers: [String] = []

    func validate() throws {
        guard (recipe == nil) != (input == nil) else { throw ValidationError("give --recipe NAME or --input FILE (one of them)") }
        guard count >= 1 else { throw ValidationError("--count must be ≥ 1") }
        guard votes >= 1 else { throw ValidationError("--votes must be ≥ 1") }
        guard subtractionChecks >= 0 else { throw ValidationError("--check-subtractions must be ≥ 0") }
        guard answers.isEmpty || votes == 1 else { throw ValidationError("--answers grades saved greedy answers: give it without --votes") }
        guard subtractionChecks == 0 || votes == 1 else { throw ValidationError("--check-subtractions works on the greedy chain: give it without --votes") }
        guard temperature > 0 else { throw ValidationError("--temperature must be > 0") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
        if let c = context, c < 1 { throw ValidationError("--context must be ≥ 1") }
    }

    func run() throws {
        let checkpoint = resolvedCheckpoint(self.checkpoint)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        // Inputs first: a bad recipe or file fails before the (slower) model load.
        var items: [GradingItem] = []
        var source = "", formatName = ""
        let recipeValue = try recipe.map(loadRecipe)
        var questions: [ReckonArithmetic.Expression] = []
        if let input {
            for (i, line) in try readQuestionLines(input).enumerated() {
                let questionText = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                do { questions.append(try Solver.parseQuestion(questionText)) } catch {
                    throw CommandError("\(input):\(i + 1): \(error) — fix or remove the line")
                }
            }
            source = "input:\(input)"
        }
        var saved = SavedAnswers()
        for file in answers {
            let data = try readFile(file)
            do { try saved.add(jsonLines: data, file: file) } catch { throw CommandError("\(error)") }
        }
        let (model, config) = try loadInferenceModel(checkpoint, context: context, subtractionChecks: subtractionChecks)
        // Grade against the chains the model was trained to write: its training recipe's
        // rounding (the evaluation recipe's when its config names none).
        let policy = try trainingPrecision(config, checkpoint: checkpoint) ?? recipeValue?.precision ?? .standard
        let inputFormat = format ?? config.training?.format.flatMap(StepFormat.init(rawValue:)) ?? .mathglm
        for (i, q) in questions.enumerated() {
            do { items.append(try GradingItem(question: q, policy: policy, format: inputFormat)) } catch {
                throw CommandError("\(input!):\(i + 1): \(error) — fix or remove the line")
            }
        }
        if let recipeValue {
            let chosen = format ?? config.training?.format.flatMap(StepFormat.init(rawValue:)) ?? recipeValue.format
            formatName = chosen.rawValue
            do {
                items = try Evaluation.testItems(recipe: recipeValue, format: chosen, count: count, seed: seed, policy: policy, threads: threadCount)
            } catch { throw CommandError("cannot generate held-out questions: \(error)") }
            source = "recipe:\(recipe!)"
        } else {
            formatName = inputFormat.rawValue
        }

        let start = Date()
        let graded: [GradedQuestion]
        if answers.isEmpty {
            var options = SolverOptions()
            options.votes = votes; options.temperature = temperature; options.seed = seed; options.threads = threadCount
            options.cachePrecision = kvCache
            options.subtractionChecks = subtractionChecks
            options.freshContexts = freshContexts
            options.precision = policy
            let solver = Solver(model: model, options: options)
            var bar = Terminal.SolveProgressBars(chains: items.count * votes, label: "eval")
            let lock = NSLock()
            do {
                graded = try Evaluation.run(items, solver: solver, policy: policy) { progress in lock.lock(); bar.update(progress); lock.unlock() }
            } catch { throw CommandError("\(error)") }
            bar.finish()
        } else {
            do {
                let solutions = try saved.solutions(for: items, subtractionChecks: subtractionChecks, freshContexts: freshContexts)
                graded = Evaluation.grade(items, solutions: solutions, policy: policy, threads: threadCount)
            } catch { throw CommandError("\(error)") }
        }

        var run = EvaluationReport.Run(checkpoint: checkpoint, checkpointStep: config.step, source: source, format: formatName,
                                       count: items.count, seed: seed, votes: votes, temperature: Double(temperature),
                                       seconds: Date().timeIntervalSince(start))
        run.kvCache = answers.isEmpty ? kvCache : nil
        run.answers = answers.isEmpty ? nil : answers
        run.subtractionChecks = subtractionChecks > 0 ? subtractionChecks : nil
        run.freshContexts = freshContexts ? true : nil
        if let t = config.training {
            run.trainingRecipe = t.recipe.map { r in t.format.map { "\(r) (\($0))" } ?? r }
            run.trainingTokens = t.tokensSeen
            run.trainingCPUHours = t.cpuHours
            run.trainingStartedFrom = t.initializedFrom
            run.stepsBefore = t.stepsBefore
            run.averagedSteps = t.averagedSteps
        }
        run.decodeContext = context
        run.contextLength = model.config.contextLength
        let report = EvaluationReport(run: run, questions: graded)
        print(report.terminalTable)
        let directory = URL(fileURLWithPath: out ?? (checkpoint as NSString).appendingPathComponent("eval"))
        let log = TrainingLogEntry.read(URL(fileURLWithPath: checkpoint).appendingPathComponent("log.jsonl"))
        do { try report.write(to: directory, trainingLog: log) } catch { throw CommandError("\(error)") }
        print("\nreport: \(directory.appendingPathComponent("report.md").path) (+ report.json, SVG charts)")
    }
}
