import ArgumentParser
import Foundation
import ReckonEvaluation
import ReckonModel

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare training runs side by side (e.g. an ablation of step formats).",
        discussion: """
        Reads each checkpoint directory's config.json, log.jsonl and, when present, the \
        report.json that 'reckon eval' wrote (default DIR/eval/report.json). Writes \
        comparison.md (one row per run: format, size, budget, accuracy) and curves.svg \
        (loss and held-out exact match against minutes of training) into --out. When the \
        first run's report and another's graded the same questions, that row also counts the \
        questions it fixed and broke against the first run (MathGLM's rule) and the exact \
        sign test's p-value: a gap of a point on 500 questions is often noise.
        """)

    @Argument(help: "Checkpoint directories, one per run.")
    var runs: [String]

    @Option(help: "Row names, comma-separated (default: each directory's format).")
    var names: String?

    @Option(help: "Evaluation report inside each run directory.")
    var report = "eval/report.json"

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "Chart title.")
    var title = "Training curves"

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run directory") }
        if let names, names.split(separator: ",").count != runs.count {
            throw ValidationError("--names has \(names.split(separator: ",").count) names for \(runs.count) runs")
        }
    }

    func run() throws {
        let labels = names.map { $0.split(separator: ",").map(String.init) }
        var rows: [String] = []
        var curves: [(name: String, log: [TrainingLogEntry])] = []
        var baseline: EvaluationReport?   // the first run's, which the others are paired with
        for (i, path) in runs.enumerated() {
            let dir = URL(fileURLWithPath: path)
            let config: CheckpointConfig
            do { config = try Checkpoint.loadConfig(from: dir) } catch { throw CommandError("\(path): \(error)") }
            let log = TrainingLogEntry.ownTimeline(TrainingLogEntry.read(dir.appendingPathComponent("log.jsonl")),
                                                   after: config.training?.stepsBefore ?? 0)
            let format = config.training?.format ?? "?"
            let name = labels?[i] ?? format
            curves.append((name, log))
            let minutes = log.last(where: { $0.elapsedSeconds != nil })?.elapsedSeconds.map { String(format: "%.0f", $0 / 60) } ?? "?"
            let heldOut = log.last(where: { $0.heldOutAccuracy != nil })?.heldOutAccuracy.map { percent($0) } ?? "–"
            var cells = [name, format, "\(ParameterLayout(config.model).count)", "\(config.step)",
                         "\(config.step * (config.training?.batchSize ?? 0))", minutes, heldOut]
            let reportURL = dir.appendingPathComponent(report)
            if let data = FileManager.default.contents(atPath: reportURL.path) {
                let r: EvaluationReport
                do { r = try EvaluationReport(json: data) } catch {
                    throw CommandError("\(reportURL.path): not an evaluation report (\(error))")
                }
                let a = r.summary.overall
                cells += ["\(a.count)", percent(a.mathglmRate), percent(a.exactRate), percent(a.relative1e2Rate), percent(a.validChainRate)]
                if i == 0 {
                    baseline = r
                    cells.append("(baseline)")
                } else if let baseline {
                    do {
                        let paired = try PairedComparison(baseline: baseline, candidate: r)
                        cells.append("\(paired.fixed) / \(paired.broken) (p = \(String(format: "%.2g", paired.pValue)))")
                    } catch ComparisonError.differentQuestions {
                        cells.append("other questions")
                    } catch {
                        cells.append("incomplete report")
                    }
                } else {
                    cells.append("–")
                }
            } else {
                cells += ["–", "–", "–", "–", "–", "–"]
            }
            rows.append("| " + cells.joined(separator: " | ") + " |")
        }
        let header = """
        | run | format | parameters | steps | examples seen | minutes | held-out chain exact (last check) | questions | MathGLM rule | exact answer | rel. error ≤ 1e-2 | every step valid | fixed / broken vs the first run |
        |---|---|---|---|---|---|---|---|---|---|---|---|---|
        """
        let outDir = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
            try writeFileAtomically(Data((header + "\n" + rows.joined(separator: "\n") + "\n").utf8),
                                    to: outDir.appendingPathComponent("comparison.md"))
            try writeFileAtomically(Data(SVGCharts.comparisonCurves(curves, title: title).utf8),
                                    to: outDir.appendingPathComponent("curves.svg"))
        } catch { throw CommandError("\(error)") }
        print(header + "\n" + rows.joined(separator: "\n"))
        print("\nwritten: \(outDir.path)/comparison.md, curves.svg")
    }

    private func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
}
