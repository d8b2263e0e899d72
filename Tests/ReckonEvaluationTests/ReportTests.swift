import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ReckonArithmetic
@testable import ReckonEvaluation

@Suite struct ReportTests {
    func report() throws -> EvaluationReport {
        let grader = Grader(), diagnostics = StepDiagnostics()
        let lines = ["12+34*2=12+68=80", "12+34*2=46*2=92", "7/2=3.5", "-1-2.5=-3.5", "50%*4=3", "(1+2)*3=3*3=9"]
        let questions = try lines.enumerated().map { i, line -> GradedQuestion in
            let q = try ReckonArithmetic.Expression(parsing: String(line.prefix { $0 != "=" }))
            let (truth, canonical) = try grader.reference(for: q)
            let answer = finalAnswerText(ofChain: line)
            return GradedQuestion(index: i, question: q.text, chain: line, answer: answer, canonical: canonical.description,
                                  truth: "", truthFraction: truth.description,
                                  grade: grader.grade(answer: answer, truth: truth, canonical: canonical),
                                  diagnosis: diagnostics.diagnose(line, truth: truth), confidence: 1, features: QuestionFeatures(q))
        }
        let run = EvaluationReport.Run(checkpoint: "ck", checkpointStep: 3, source: "input:test", format: "mathglm",
                                       count: questions.count, seed: 0, votes: 1, temperature: 0.7, seconds: 0.1)
        return EvaluationReport(run: run, questions: questions)
    }

    @Test func figuresAndFailures() throws {
        let r = try report()
        #expect(r.summary.overall.count == 6 && r.summary.overall.exact == 4)
        #expect(r.failures.map(\.question) == ["12+34*2", "50%*4"])
        #expect(r.summary.byKind.map(\.key) == ["integer", "decimal", "percent", "negative"])
        #expect(r.terminalTable.contains("MathGLM (2 decimals)  66.7%"))
    }

    @Test func writesEveryFileAndWellFormedCharts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-report-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = [TrainingLogEntry(step: 10, loss: 2.5), TrainingLogEntry(step: 20, loss: 1.2, heldOutAccuracy: 0.25),
                   TrainingLogEntry(step: 30, loss: 0.4, heldOutAccuracy: 0.5)]
        try report().write(to: dir, trainingLog: log)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["accuracy-by-operations.svg", "accuracy-heatmap.svg", "error-kinds.svg", "report.json",
                          "report.md", "training-curves.svg"])
        for svg in names where svg.hasSuffix(".svg") {
            let parser = XMLParser(data: try Data(contentsOf: dir.appendingPathComponent(svg)))
            #expect(parser.parse(), "\(svg) is not well-formed XML")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json"))) as! [String: Any]
        #expect((json["failures"] as! [Any]).count == 2)
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("![accuracy-heatmap.svg](accuracy-heatmap.svg)") && md.contains("| order | 1 |"))
    }

    @Test func trainingLogReading() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(getpid()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let text = """
        {"step": 10, "loss": 2.0, "lr": 0.001, "tokens_per_s": 5000}
        {"step": 20, "loss": "nan", "event": "non-finite loss"}
        {"step": 10, "loss": 1.5, "heldout_acc": 0.5}
        {"step": 30, "loss": 1.
        """
        try text.write(to: url, atomically: true, encoding: .utf8)
        let log = TrainingLogEntry.read(url)
        #expect(log.map(\.step) == [10, 20])
        #expect(log[0].loss == 1.5 && log[0].heldOutAccuracy == 0.5 && log[1].loss.isNaN)
        #expect(TrainingLogEntry.read(url.appendingPathExtension("missing")).isEmpty)
    }
}
