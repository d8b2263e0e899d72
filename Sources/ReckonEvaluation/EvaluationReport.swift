import Foundation

/// A finished evaluation run: what was run, every figure, every failed question.
public struct EvaluationReport: Sendable, Codable {
    public struct Run: Sendable, Codable {
        public var checkpoint: String
        public var checkpointStep: Int
        /// `recipe:<path>` or `input:<path>`.
        public var source: String
        public var format: String
        public var count: Int
        public var seed: UInt64
        public var votes: Int
        public var temperature: Double
        public var seconds: Double
        /// The checkpoint's training so far, from its config.json (nil when unknown).
        public var trainingRecipe: String?
        public var trainingTokens: Int?
        public var trainingCPUHours: Double?
        /// The checkpoint its training started from, when it did not start from random weights.
        public var trainingStartedFrom: String?
        /// Optimizer steps behind the weights it started from (the training curves count from 0
        /// before them).
        public var stepsBefore: Int?
        /// The steps whose weights were averaged into the checkpoint (`reckon average`).
        public var averagedSteps: [Int]?
        /// The context length decoded with, when `--context` replaced the checkpoint's.
        public var decodeContext: Int?
        /// The context length decoded with (nil in reports from before it was recorded).
        public var contextLength: Int?
        /// How the KV cache stored keys and values (nil in reports from before the choice existed:
        /// float32).
        public var kvCache: CachePrecision?
        /// `--check-subtractions`: most lines repaired per chain (nil or 0: off).
        public var subtractionChecks: Int?
        /// `--fresh-context`: chains the context cut off went on in a fresh one (nil: off).
        public var freshContexts: Bool?
        /// The files of saved answers graded (`SavedAnswers`), when the model did not solve the
        /// questions in this run: `seconds` is then the grading's alone.
        public var answers: [String]?
        public init(checkpoint: String, checkpointStep: Int, source: String, format: String, count: Int, seed: UInt64,
                    votes: Int, temperature: Double, seconds: Double) {
            self.checkpoint = checkpoint; self.checkpointStep = checkpointStep; self.source = source; self.format = format
            self.count = count; self.seed = seed; self.votes = votes; self.temperature = temperature; self.seconds = seconds
        }
    }

    public var run: Run
    public var summary: EvaluationSummary
    /// The questions that `failed` (`GradedQuestion.failed`).
    public var failures: [GradedQuestion]

    public init(run: Run, questions: [GradedQuestion]) {
        self.run = run
        summary = EvaluationSummary(questions, context: run.contextLength)
        failures = questions.filter(\.failed)
    }

    static func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }

    /// The compact table printed on the terminal.
    public var terminalTable: String {
        let s = summary, a = s.overall
        var lines = [
            "questions \(a.count) (\(run.source), \(run.format) format\(run.votes > 1 ? ", \(run.votes) votes" : "")) \(run.answers == nil ? "solved" : "saved answers graded") in \(String(format: "%.1f", run.seconds)) s",
            "",
            "  exact match           \(Self.pct(a.exactRate))",
            "  MathGLM (2 decimals)  \(Self.pct(a.mathglmRate))",
            "  relative error ≤1e-2  \(Self.pct(a.relative1e2Rate))",
            "  relative error ≤1e-4  \(Self.pct(a.relative1e4Rate))",
            "  every step valid      \(Self.pct(a.validChainRate))",
            "  right answer via a wrong step  \(s.rightAnswerThroughWrongStep)",
        ]
        if run.votes > 1 { lines.append("  mean vote share       \(Self.pct(s.meanConfidence))") }
        if let r = s.repairs { lines.append("  repaired by subtraction checks  \(r.chains) chains (\(r.lines) lines), \(r.rightByMathGLM) of them right") }
        if let c = s.freshContexts { lines.append("  went on in a fresh context  \(c.chains) chains, \(c.rightByMathGLM) of them right") }
        lines.append("")
        lines.append("  first errors: " + s.errorKinds.map { "\($0.key) \($0.accuracy.count)" }.joined(separator: ", "))
        let faults = s.scratchFaults.filter { $0.accuracy.count > 0 }
        if !faults.isEmpty {
            lines.append("  in scratch blocks, first false part: " + faults.map { "\($0.key) \($0.accuracy.count)" }.joined(separator: ", "))
        }
        if let p = s.longDivisionParts {
            lines.append("  long-division parts right in failed chains: "
                         + [("table", p.table), ("subtraction", p.subtraction), ("multiple", p.choice)]
                             .map { "\($0) \(Self.pct($1.rate)) of \($1.total)" }.joined(separator: ", "))
        }
        func table(_ title: String, _ buckets: [Bucket]) {
            guard !buckets.isEmpty else { return }
            lines.append("")
            lines.append("  " + title.padding(toLength: 12, withPad: " ", startingAt: 0) + "      n   exact  MathGLM  steps ok")
            for b in buckets {
                let x = b.accuracy
                lines.append("  " + b.key.padding(toLength: 12, withPad: " ", startingAt: 0)
                             + String(format: " %6d  %6.1f%%  %6.1f%%  %6.1f%%", x.count, 100 * x.exactRate, 100 * x.mathglmRate, 100 * x.validChainRate))
            }
        }
        table("operator", s.byOperator)
        table("operations", s.byOperations)
        table("digits", s.byDigits)
        table("kind", s.byKind)
        table("chain tokens", s.byReferenceLength ?? [])
        table("least sure", s.byLeastSure ?? [])
        return lines.joined(separator: "\n")
    }

    /// report.json: every figure and every failed question.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads a report.json written by `json()` (or by an older Reckon: fields added since are nil).
    public init(json data: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        self = try decoder.decode(EvaluationReport.self, from: data)
    }

    /// Chart files of the Markdown report: name → SVG text.
    public func charts(trainingLog: [TrainingLogEntry]) -> [(name: String, svg: String)] {
        let s = summary
        let kindColors = ["calculation": "#d73027", "copy": "#fc8d59", "order": "#91bfdb", "malformed": "#4575b4", "accumulated": "#999999"]
        var out: [(String, String)] = [
            ("accuracy-heatmap.svg", SVGCharts.heatmap(s, value: { $0.mathglmRate }, rule: "MathGLM rule: round(answer, 2) = round(truth, 2)")),
            ("accuracy-by-operations.svg", SVGCharts.bars(
                title: "Accuracy by number of operations", xLabel: "binary operations in the question",
                keys: s.byOperations.map(\.key), counts: s.byOperations.map(\.accuracy.count),
                series: [("exact", "#4575b4", s.byOperations.map(\.accuracy.exactRate)),
                         ("MathGLM rule", "#1a9850", s.byOperations.map(\.accuracy.mathglmRate)),
                         ("every step valid", "#fdae61", s.byOperations.map(\.accuracy.validChainRate))])),
            ("error-kinds.svg", SVGCharts.mix(
                title: "First error in each chain", items: s.errorKinds.map { ($0.key, $0.accuracy.count, kindColors[$0.key] ?? "#777") },
                note: "\(s.overall.count - s.errorKinds.reduce(0) { $0 + $1.accuracy.count }) of \(s.overall.count) chains have no error; \(s.rightAnswerThroughWrongStep) reach the right answer through a wrong step")),
        ]
        if let lengths = s.byReferenceLength {
            out.append(("accuracy-by-chain-length.svg", SVGCharts.bars(
                title: "Accuracy by the length of the reference chain", xLabel: "tokens of the generator's chain"
                    + (run.contextLength.map { " (context \($0))" } ?? ""),
                keys: lengths.map(\.key), counts: lengths.map(\.accuracy.count),
                series: [("exact", "#4575b4", lengths.map(\.accuracy.exactRate)),
                         ("MathGLM rule", "#1a9850", lengths.map(\.accuracy.mathglmRate)),
                         ("every step valid", "#fdae61", lengths.map(\.accuracy.validChainRate))])))
        }
        if let sure = s.byLeastSure {
            out.append(("accuracy-by-least-sure-token.svg", SVGCharts.bars(
                title: "Accuracy by the model's own doubt", xLabel: "the model's probability of the least likely token it wrote",
                keys: sure.map(\.key), counts: sure.map(\.accuracy.count),
                series: [("exact", "#4575b4", sure.map(\.accuracy.exactRate)),
                         ("MathGLM rule", "#1a9850", sure.map(\.accuracy.mathglmRate)),
                         ("every step valid", "#fdae61", sure.map(\.accuracy.validChainRate))])))
        }
        out.append(("training-curves.svg", SVGCharts.trainingCurves(trainingLog, title: "Training curves (\(run.checkpoint))")))
        return out
    }

    /// report.md, referring to the chart files by name.
    public func markdown(charts: [String]) -> String {
        let s = summary, a = s.overall
        var m = "# Reckon evaluation\n\n"
        let averaged = run.averagedSteps.map { "; weights averaged over steps \($0.map(String.init).joined(separator: ", "))" } ?? ""
        let history = run.stepsBefore.map { ", \($0 + run.checkpointStep) since random initialisation" } ?? ""
        m += "Checkpoint `\(run.checkpoint)` (step \(run.checkpointStep)\(history)\(averaged)), \(a.count) questions from `\(run.source)`, "
        m += "\(run.format) format, seed \(run.seed)"
        m += run.decodeContext.map { ", decoded with a \($0)-token context" } ?? ""
        m += run.votes > 1 ? ", self-consistency over \(run.votes) chains (greedy + \(run.votes - 1) at T=\(run.temperature))" : ", greedy decoding"
        if let n = run.subtractionChecks, n > 0 {
            m += " with subtraction checks (each doubtful long-division line c-p=r checked by the model's own p+r (in either order) and for p ≤ c and r < d as texts, and each main-line step a±b=c and step of a product block's sum (sure or not) (a percentage as its decimal) and every table multiple d*k=m (as the one before it plus d; the last plus d must give 10d) by the model's own sum of the magnitudes (in either order) and a difference, asked again in pieces (or whole) where they miss, every sum asked without the zeros its terms share, a long sum in pieces of three digits and a long difference digit by digit (signed terms as magnitudes, the result exact; a step with fewer decimals than its operands by the model's exact result, rounded as the chain rounds), and each doubtful partial product a*m=p by the model's own p/m, and every partial product of a product block for where its digits sit and, by the model's product of a's last two digits and k in both orders, how they end, and for its digits by the model's a*k in pieces of two digits (each piece and their sum asked in both orders; a false one rewritten with its digits so placed, or as that a*k), and every step checked as written, however its checks went, by its sum in pieces of two digits in both orders where they agree, and each main-line step, sure or not, for its form (its operation done, its block's value carried, a product's or quotient's sign its operands', all else copied; a step out of form rewritten to that form), and every block head and long-division line's c and quotient so far for the text it must copy, and every long-division line whose p is above c, whose r is not below d or whose multiple is not in its table; a line is doubtful if the model wrote one of its digits below 99%; up to \(n) lines repaired per chain)"
        }
        if run.freshContexts == true {
            m += "; a chain the context cut off went on in a fresh context from its last whole step (that step's expression, as the model wrote it, asked as a question)"
        }
        m += run.kvCache.map { ", \($0.rawValue) KV cache" } ?? ""
        m += run.answers.map { ". The model's answers were solved earlier (`reckon solve --input`) and read from \($0.map { "`\($0)`" }.joined(separator: ", "))" } ?? ""
        m += ".\n\n"
        if let tokens = run.trainingTokens, let hours = run.trainingCPUHours {
            m += "The model was trained on \(run.trainingRecipe.map { "`\($0)`" } ?? "its data") for "
            m += String(format: "%.2f CPU-hours, %.1fM tokens (padding excluded)", hours, Double(tokens) / 1e6)
            m += run.trainingStartedFrom.map { ", including that of `\($0)`, whose weights it started from" } ?? ""
            // `reckon average` keeps the last checkpoint's record: branches from a common parent
            // each trained on their own, and that training is not in these totals.
            m += (run.averagedSteps?.count ?? 0) > 1 ? ". The weights are a mean of checkpoints; these totals are the last one's lineage and leave out any training of the others that is not in it.\n\n" : ".\n\n"
        }
        m += "| rule | accuracy |\n|---|---|\n"
        m += "| exact match with the generator's answer | \(Self.pct(a.exactRate)) |\n"
        m += "| MathGLM: round(answer, 2) = round(truth, 2) | \(Self.pct(a.mathglmRate)) |\n"
        m += "| relative error ≤ 1e-2 | \(Self.pct(a.relative1e2Rate)) |\n"
        m += "| relative error ≤ 1e-4 | \(Self.pct(a.relative1e4Rate)) |\n"
        m += "| every step arithmetically valid | \(Self.pct(a.validChainRate)) |\n"
        if run.votes > 1 { m += "| mean vote share of the chosen answer | \(Self.pct(s.meanConfidence)) |\n" }
        m += "\n\(s.rightAnswerThroughWrongStep) chains reach the right answer (MathGLM rule) through a wrong step.\n\n"
        if let r = s.repairs {
            m += "Subtraction checks repaired \(r.lines) lines in \(r.chains) chains; \(r.rightByMathGLM) of those chains are right by MathGLM's rule.\n\n"
        }
        if let c = s.freshContexts {
            m += "\(c.chains) chains the context cut off went on in a fresh context; \(c.rightByMathGLM) of them are right by MathGLM's rule.\n\n"
        }
        for c in charts { m += "![\(c)](\(c))\n\n" }
        m += "## First error per chain\n\n| kind | chains |\n|---|---|\n"
        for b in s.errorKinds { m += "| \(b.key) | \(b.accuracy.count) |\n" }
        if s.scratchFaults.contains(where: { $0.accuracy.count > 0 }) {
            m += "\nCalculation errors in steps with a false scratch block, by the block's first false part "
                + "(`equation`: a false partial-product equation; `head`: the block does not start from the step's "
                + "operands; long division: `table` of multiples, number `broughtDown`, another multiple than the largest "
                + "not above it taken (`choice`), a number that is no multiple subtracted (`product`), "
                + "`remainder`, quotient `digit`, `quotient` shape; `ending`: the block's value is not the step's "
                + "result):\n\n| part | chains |\n|---|---|\n"
            for b in s.scratchFaults where b.accuracy.count > 0 { m += "| \(b.key) | \(b.accuracy.count) |\n" }
        }
        if let p = s.longDivisionParts {
            m += "\nEvery part of the \(p.blocks) long-division blocks in the failed chains, each checked on its own "
                + "written operands, so that an early error does not hide what the model does later in the block:\n\n"
                + "| part | right | of |\n|---|---|---|\n"
            for (name, t) in [("table entry d*k=m", p.table), ("subtraction c-p=r", p.subtraction),
                              ("multiple p: the largest not above c", p.choice)] {
                m += "| \(name) | \(Self.pct(t.rate)) | \(t.total) |\n"
            }
        }
        func table(_ title: String, _ buckets: [Bucket], note: String? = nil) {
            m += "\n## By \(title)\n\n" + (note.map { $0 + "\n\n" } ?? "") + "| \(title) | n | exact | MathGLM | rel ≤1e-2 | rel ≤1e-4 | steps valid |\n|---|---|---|---|---|---|---|\n"
            for b in buckets {
                let x = b.accuracy
                m += "| \(b.key) | \(x.count) | \(Self.pct(x.exactRate)) | \(Self.pct(x.mathglmRate)) | \(Self.pct(x.relative1e2Rate)) | \(Self.pct(x.relative1e4Rate)) | \(Self.pct(x.validChainRate)) |\n"
            }
        }
        table("operator", s.byOperator)
        table("number of operations", s.byOperations)
        table("operand digits", s.byDigits)
        table("number kind", s.byKind)
        if let lengths = s.byReferenceLength {
            table("reference chain tokens", lengths, note: "The generator's chain for each question, in tokens (BOS + chain + EOS), "
                  + "is how much context the model needs to write it in full" + (run.contextLength.map { "; it decoded with \($0)" } ?? "") + ".")
        }
        if let sure = s.byLeastSure {
            table("least sure token", sure, note: "While it writes a chain the model gives each token a probability; the least "
                  + "likely one is where it came closest to writing something else. Chains grouped by that probability:")
            m += "\nAnswering only when that probability is at least a threshold, and abstaining otherwise:\n\n"
                + "| threshold | answered | exact | MathGLM |\n|---|---|---|---|\n"
            let byKey = Dictionary(uniqueKeysWithValues: sure.map { ($0.key, $0.accuracy) })
            var kept = Accuracy()
            for band in stride(from: EvaluationSummary.leastSureKeys.count - 1, through: 1, by: -1) {
                if let b = byKey[EvaluationSummary.leastSureKeys[band]] { kept.count += b.count; kept.exact += b.exact; kept.mathglm += b.mathglm }
                let t = EvaluationSummary.leastSureBounds[band - 1]
                m += "| ≥ \(Self.pct(t)) | \(kept.count) (\(Self.pct(Double(kept.count) / Double(max(1, a.count))))) "
                    + "| \(Self.pct(kept.exactRate)) | \(Self.pct(kept.mathglmRate)) |\n"
            }
        }
        m += "\n## Failed examples (first 20 of \(failures.count); all are in report.json)\n\n"
        for f in failures.prefix(20) {
            let d = f.diagnosis
            let what = d.kind.map { k in "\(k.rawValue)" + (d.firstWrongStep.map { " at step \($0)" } ?? "") } ?? "steps valid"
            m += "- `\(f.question)` → `\(f.answer ?? "—")` (truth \(f.canonical)); \(what)"
            if let msg = d.message { m += ": \(msg.replacingOccurrences(of: "|", with: "\\|"))" }
            m += "\n"
        }
        return m
    }

    /// Writes report.json, report.md and the SVG charts into `directory` (created if needed),
    /// each file under a temporary name first, then renamed into place.
    public func write(to directory: URL, trainingLog: [TrainingLogEntry]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let charts = self.charts(trainingLog: trainingLog)
        var files: [(String, Data)] = [("report.json", try json())]
        files += charts.map { ($0.name, Data($0.svg.utf8)) }
        files.append(("report.md", Data(markdown(charts: charts.map(\.name)).utf8)))
        for (name, data) in files { try writeFileAtomically(data, to: directory.appendingPathComponent(name)) }
    }
}

/// Writes `data` to a temporary file next to `url`, then renames it over `url`.
public func writeFileAtomically(_ data: Data, to url: URL) throws {
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
        try data.write(to: tmp)
        guard rename(tmp.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        throw QuestionError(message: "cannot write \(url.path): \(error.localizedDescription)")
    }
}
