import ArgumentParser
import Foundation
import ReckonArithmetic
import ReckonEvaluation
import ReckonModel

/// Where `solve` and `eval` look for a model when no `--checkpoint` is given.
let defaultCheckpoint = "Checkpoints/reckon-mathglm"

/// `path`, or for the default checkpoint, where it is found from any working directory
/// (see `repositoryPath`).
func resolvedCheckpoint(_ path: String) -> String {
    path == defaultCheckpoint ? repositoryPath(path) ?? path : path
}

// `CommandError` (a run-time failure printed without usage) is defined in Terminal.swift.

/// Loads a checkpoint for inference, turning every failure into a message that names the path.
/// `context`, when given, replaces the checkpoint's context length (RoPE or Abacus positions
/// only): chains longer than the model was trained on can then finish, though beyond the
/// trained length the model is extrapolating. `subtractionChecks` > 0 asks for a model that
/// keeps numbers' digits in order (the check reads its tokens as the chain's characters).
func loadInferenceModel(_ path: String, context: Int? = nil, subtractionChecks: Int = 0) throws -> (Model, CheckpointConfig) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw CommandError("""
            no checkpoint at '\(path)'. Train one first, e.g.
              reckon generate --recipe mathglm --count 200000 --out corpus.txt
              reckon train --corpus corpus.txt --out \(path) --minutes 30
            or point --checkpoint at an existing checkpoint directory.
            """)
    }
    guard isDirectory.boolValue else { throw CommandError("'\(path)' is a file; --checkpoint expects a checkpoint directory") }
    let loaded: (Model, CheckpointConfig)
    do { loaded = try Checkpoint.loadModel(from: URL(fileURLWithPath: path)) } catch {
        throw CommandError("cannot load the checkpoint in '\(path)': \(error)")
    }
    let order = loaded.0.tokenizer.numberOrder
    if subtractionChecks > 0 && !order.keepsDigitOrder {
        throw CommandError("--check-subtractions needs a model that reads numbers' digits in order (as-written or padded); the checkpoint in '\(path)' reads them \(order.rawValue)")
    }
    guard let context, context != loaded.0.config.contextLength else { return loaded }
    do { return (try loaded.0.withContext(context), loaded.1) } catch {
        throw CommandError("--context \(context) does not fit the checkpoint in '\(path)': \(error)")
    }
}

/// The `--kv-cache` option's help, shared by `solve` and `eval`.
let kvCacheOptionHelp: ArgumentHelp = "How the KV cache stores keys and values: float32 keeps the model's own precision; float16 reads half the bytes per step (long chains are bound by that: ~1.3× faster) but changes a few chains."
/// The precision of the recipe `config`'s model was trained on (nil when its config names none):
/// its chains round long results so, and are graded and checked so. The recipe is looked up as
/// `--recipe` is, then in the Generators/ of the repository the checkpoint is in
/// (`<repository>/Checkpoints/<name>`). One named but not found is an error: any other rounding
/// would check the chains' steps, and grade their answers exactly, against the wrong numbers.
func trainingPrecision(_ config: CheckpointConfig, checkpoint: String) throws -> RoundingPolicy? {
    guard let name = config.training?.recipe else { return nil }
    let besideCheckpoint = URL(fileURLWithPath: checkpoint).standardizedFileURL.deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Generators/\(name).json").path
    let foundHere = FileManager.default.fileExists(atPath: name) || repositoryPath("Generators/\(name).json") != nil
    guard foundHere || FileManager.default.fileExists(atPath: besideCheckpoint) else {
        throw CommandError("""
            the checkpoint in '\(checkpoint)' was trained on the recipe '\(name)', which is not in Generators/ here, \
            around this executable or beside the checkpoint; its rounding is the chains': run from the repository that has it
            """)
    }
    return try loadRecipe(foundHere ? name : besideCheckpoint).precision
}

let freshContextFlagHelp = ArgumentHelp("When the context is full before the model has finished, go on in a fresh context: the expression of the chain's last whole step, as the model wrote it, is put to the model as a new question, and what it writes replaces the rest of the chain (up to \(Solver.maxFreshContexts) times per chain; checked like the chain with what is left of --check-subtractions' budget).")

let subtractionChecksOptionHelp = ArgumentHelp("Check each doubtful long-division line c-p=r (doubtful: a digit the model wrote below 99%) by asking the model for p+r (which must be c; or else r+p) and comparing p with c and r with d as texts (p must not be above c, r must be below d), and each step a±b=c of the main line or of a product block's sum of partial products, sure or not (a percentage read as its decimal, 5850% as 58.5), and every multiple d*k=m of a long division's table, sure or not, as the multiple before it plus d (d*7=m7: m6+d, which must be m7; the last, m9, also m9+d, which must be 10d), by asking it the sum of magnitudes the step implies (8456-8204=252: 8204+252, which must be 8456, or else 252+8204) and a difference with c in it (8456-252, which must be 8204), every sum and step asked without the zeros its terms share (848800000+50928000 as 848800+50928) and a sum or difference of more than five digits in pieces (a sum's of three digits: 220+894, then 396+591+1 for the carry; a difference's of one digit: 14-8, then 9-5-1 for the borrow; signed terms as their magnitudes, the sign put back; the result exact however long its fraction); a step's sum or difference that misses is asked again the other way (in pieces, a sum's of two digits, however short; whole if long), and holds if either way gives its text; a step whose result has fewer decimals than its operands is checked by the model's exact answer (a difference's found digit by digit by sums: the r whose q+r the model gives as the minuend's digit p, or 1p where it borrows, less 1 by the model where the digit below borrowed), which must pass those checks and, rounded as the training recipe's chains round (a round-up asked as 384239.916312+0.000001), give the result, and each doubtful partial product a*m=p (m one digit at its place, in a product block or the main line) by asking it p/m (which must be a), and every partial product of a product block or the main line (one no rounding can reach), sure or not, for where its digits sit (its first digit at a's first moved by m's places, or one higher; none below a's last moved so) and how they end (its two digits from a's last place must end the model's product of a's last two digits and k, where both orders agree: 45817*6000 ends as 17*6=102; a shift by 1, 10, 0.01 must be a's text moved) and for its digits (the model's a*k in pieces: a's digits two at a time times k, every other product written side by side as text and the two added by the model in pieces of two digits; where each piece's product and the sum agree in both orders, p must be it); a step is decided where its sum of magnitudes, asked in pieces of two digits in both orders, agrees on one total, whatever its other checks gave: it holds if that total is its own (not a step that may be rounded, d+d, or a table's last multiple that fails); and each main-line step, sure or not, for its form (the expression before it with its next operation replaced by one number, its block's value if it has a block, a product's or quotient's with the sign its operands' signs give, all else copied; a last step's number, by that sign), and every block's head, sure or not (the operands copied into a product's terms or a long division's head, points moved), and every long-division line's c, sure or not, for the text it must bring down (the last remainder and the dividend's next digit; on a block's first line the dividend's leading digits up to the first number not below d), and its quotient so far, sure or not, for the text it must copy (the last line's, the point before the tenths, and the digit p stands for in the table), and every line whose p is above c, whose r is not below d or whose p is no multiple in its table, sure or not; rewrite a false one from the model's second choices (a false step also from the model's answers to it asked on its own, in both orders, in pieces and, a difference, by sums, rounded so; a false head, quotient, or a line with a false c, from the text as it must be copied; a step out of form, as the expression before it gives it with the model's result; a partial product that fails where its digits sit, end or read, with its digits where they must sit or as the model's a*k in pieces; a line whose p is above c also from the table's next smaller multiple, and one whose r is not below d from the next larger, the model writing r): at most N repaired lines per chain (0 = plain greedy; not with --votes; 2.5-4x slower than greedy).", valueName: "N")
let contextOptionHelp: ArgumentHelp = "Decode with this context length instead of the checkpoint's (RoPE or Abacus positions only; beyond the trained length the model extrapolates)."

/// A file's bytes, or an error that says why they cannot be read.
func readFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandError("cannot read '\(path)': \(FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")")
    }
    return data
}

/// Reads a question file: one question per line; a final newline does not make an extra line.
func readQuestionLines(_ path: String) throws -> [String] {
    let data = try readFile(path)
    guard let text = String(data: data, encoding: .utf8) else { throw CommandError("'\(path)' is not UTF-8 text") }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
    if lines.last == "" { lines.removeLast() }
    guard lines.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
        throw CommandError("'\(path)' has no questions (the file is empty)")
    }
    return lines
}

/// `reckon solve`: the model's step-by-step solution of one expression, or of a file of them.
struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve expressions with a trained model, step by step.",
        discussion: """
        The answer is whatever the model writes: nothing here computes it. With --input, each line \
        is one expression (a trailing '=' is allowed) and --output gets one JSON object per line, \
        in order: {"line", "question", "answer", "steps", "leastSure"} or, for a line that cannot be \
        solved, {"line", "question", "error"}; a question with no value (e.g. 1/0) is still put to \
        the model, and its record gets a "warning". "leastSure" is the model's probability of the least \
        likely token it wrote: a low one flags an answer to doubt. The exit code is 1 if any line failed.
        """)

    @Argument(help: "An expression in MathGLM's syntax, e.g. \"5672*2933/(690/5715)\".")
    var expression: String?
    @Option(help: "Checkpoint directory (the default is found from any working directory).")
    var checkpoint: String = defaultCheckpoint
    @Option(help: "File with one expression per line (batch mode).")
    var input: String?
    @Option(help: "JSON-lines output for --input (default: standard output).")
    var output: String?
    @Option(help: "Self-consistency: chains per question (greedy + K-1 samples), majority answer.")
    var votes: Int = 1
    @Option(help: "Sampling temperature of the extra chains when --votes > 1.")
    var temperature: Float = 0.7
    @Option(help: "Seed of the sampled chains.")
    var seed: UInt64 = 0
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?
    @Option(help: "Most tokens generated per chain (default: up to the context length).")
    var maxTokens: Int?
    @Option(help: contextOptionHelp)
    var context: Int?
    @Option(help: kvCacheOptionHelp)
    var kvCache: CachePrecision = .float32
    @Option(name: .customLong("check-subtractions"), help: subtractionChecksOptionHelp)
    var subtractionChecks: Int = 0
    @Flag(name: .customLong("fresh-context"), help: freshContextFlagHelp)
    var freshContexts = false

    func validate() throws {
        guard (expression == nil) != (input == nil) else { throw ValidationError("give an expression or --input FILE (not both)") }
        if output != nil && input == nil { throw ValidationError("--output needs --input") }
        guard votes >= 1 else { throw ValidationError("--votes must be ≥ 1") }
        guard subtractionChecks >= 0 else { throw ValidationError("--check-subtractions must be ≥ 0") }
        guard subtractionChecks == 0 || votes == 1 else { throw ValidationError("--check-subtractions works on the greedy chain: give it without --votes") }
        guard temperature > 0 else { throw ValidationError("--temperature must be > 0") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
        if let m = maxTokens, m < 1 { throw ValidationError("--max-tokens must be ≥ 1") }
        guard !freshContexts || maxTokens == nil else { throw ValidationError("--fresh-context goes on past the context: give it without --max-tokens") }
        if let c = context, c < 1 { throw ValidationError("--context must be ≥ 1") }
    }

    func run() throws {
        var options = SolverOptions()
        options.votes = votes; options.temperature = temperature; options.seed = seed
        options.maxNewTokens = maxTokens
        if let threads { options.threads = threads }
        options.cachePrecision = kvCache
        options.subtractionChecks = subtractionChecks
        options.freshContexts = freshContexts
        if let expression { try solveOne(expression, options: options) } else { try solveFile(options: options) }
    }

    private func solveOne(_ text: String, options: SolverOptions) throws {
        let question: ReckonArithmetic.Expression
        do { question = try Solver.parseQuestion(text) } catch { throw CommandError("\(error)") }
        let solver = try loadSolver(options: options)
        let prompt: [Int]
        do { prompt = try solver.prompt(for: question) } catch { throw CommandError("\(error)") }
        let s = try solver.solve([(question, prompt)])[0]
        print(question.text)
        for step in s.steps { print("  = \(step)") }
        guard let answer = s.answer, !s.steps.isEmpty, answerValue(answer) != nil else {
            Terminal.writeError("error: the model did not reach a numeric answer (\(s.stop.rawValue))" + (s.steps.isEmpty ? ": '\(s.chain)'" : "")
                                + (s.stop == .contextFull && !options.freshContexts ? "; --fresh-context goes on past the context" : ""))
            throw ExitCode(1)
        }
        var line = "answer: \(answer)"
        if votes > 1 { line += String(format: "  (%.0f%% of %d chains agree)", 100 * s.confidence, s.votes) }
        if let n = s.repairs { line += "  (\(n) line\(n == 1 ? "" : "s") repaired after checks)" }
        if s.freshContexts > 0 { line += "  (went on in \(s.freshContexts) fresh context\(s.freshContexts == 1 ? "" : "s"))" }
        print(line)
        print(leastSureLine(s))
        if s.stop != .endToken { Terminal.writeError("warning: the chain was cut at the \(s.stop == .tokenLimit ? "token limit" : "context length")") }
        if let warning = Solver.warning(for: question) { Terminal.writeError("warning: \(warning)") }
    }

    /// Where the model came closest to writing something else, e.g.
    /// `least sure: 60.2% for '2' in …10163240-9825788=[2]47452,3.97…` (the probability alone
    /// when the token has no place in the chain: the end token, or a model reading numbers reversed).
    private func leastSureLine(_ s: Solution) -> String {
        let head = String(format: "least sure: %.1f%%", 100 * s.leastSure)
        guard let offset = s.leastSureOffset else { return head }
        let chars = Array(s.chain), width = 24
        let before = String(chars[max(0, offset - width) ..< offset]), after = String(chars[offset + 1 ..< min(chars.count, offset + 1 + width)])
        return head + " for '\(chars[offset])' in " + (offset > width ? "…" : "") + before + "[\(chars[offset])]" + after
            + (offset + 1 + width < chars.count ? "…" : "")
    }

    /// A solver of the checkpoint's model, checking steps with its training recipe's precision.
    private func loadSolver(options: SolverOptions) throws -> Solver {
        let path = resolvedCheckpoint(checkpoint)
        let (model, config) = try loadInferenceModel(path, context: context, subtractionChecks: options.subtractionChecks)
        var options = options
        // Only the checks round (the model's own exact answers, as its chains do).
        if options.subtractionChecks > 0 { options.precision = try trainingPrecision(config, checkpoint: path) ?? .standard }
        return Solver(model: model, options: options)
    }

    private func solveFile(options: SolverOptions) throws {
        let lines = try readQuestionLines(input!)
        let writer = try output.map { try AtomicFileWriter(path: $0) }
        AtomicFileWriter.removePendingOnInterrupt()
        do {
            let solver = try loadSolver(options: options)
            var bar = Terminal.SolveProgressBars(chains: lines.count * votes, label: "solve")
            let lock = NSLock()
            let records = try solver.solve(lines: lines) { progress in
                lock.lock(); bar.update(progress); lock.unlock()
            }
            bar.finish()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var failed = 0
            for r in records {
                if r.error != nil { failed += 1 }
                var bytes = Array(try encoder.encode(r))
                bytes.append(UInt8(ascii: "\n"))
                if let writer { try writer.write(bytes) } else { FileHandle.standardOutput.write(Data(bytes)) }
            }
            try writer?.commit()
            if let output { Terminal.writeError("\(records.count - failed) of \(records.count) lines solved; results in \(output)") }
            if failed > 0 {
                Terminal.writeError("\(failed) line(s) failed: see their \"error\" fields")
                throw ExitCode(1)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            writer?.discard()
            throw error
        }
    }
}
