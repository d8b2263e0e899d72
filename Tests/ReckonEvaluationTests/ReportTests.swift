import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ReckonArithmetic
import ReckonGenerator
@testable import ReckonEvaluation

@Suite struct ReportTests {
    /// A report grading `lines` (each a model's chain) as the answers to their questions.
    func report(_ lines: [String] = ["12+34*2=12+68=80", "12+34*2=46*2=92", "7/2=3.5", "-1-2.5=-3.5", "50%*4=3", "(1+2)*3=3*3=9"],
                source: String = "input:test", seed: UInt64 = 0) throws -> EvaluationReport {
        let grader = Grader(), diagnostics = StepDiagnostics()
        let questions = try lines.enumerated().map { i, line -> GradedQuestion in
            let q = try ReckonArithmetic.Expression(parsing: String(line.prefix { $0 != "=" }))
            let (truth, canonical) = try grader.reference(for: q)
            let answer = finalAnswerText(ofChain: line)
            return GradedQuestion(index: i, question: q.text, chain: line, answer: answer, canonical: canonical.description,
                                  truth: "", truthFraction: truth.description,
                                  grade: grader.grade(answer: answer, truth: truth, canonical: canonical),
                                  diagnosis: diagnostics.diagnose(line, truth: truth), confidence: 1, features: QuestionFeatures(q))
        }
        let run = EvaluationReport.Run(checkpoint: "ck", checkpointStep: 3, source: source, format: "mathglm",
                                       count: questions.count, seed: seed, votes: 1, temperature: 0.7, seconds: 0.1)
        return EvaluationReport(run: run, questions: questions)
    }

    @Test func figuresAndFailures() throws {
        let r = try report()
        #expect(r.summary.overall.count == 6 && r.summary.overall.exact == 4)
        #expect(r.failures.map(\.question) == ["12+34*2", "50%*4"])
        #expect(r.summary.byKind.map(\.key) == ["integer", "decimal", "percent", "negative"])
        #expect(r.terminalTable.contains("MathGLM (2 decimals)  66.7%"))
    }

    @Test func trainingTotalsSayWhatAMeanLeavesOut() throws {
        var r = try report()
        r.run.trainingTokens = 2_000_000
        r.run.trainingCPUHours = 1.5
        r.run.trainingStartedFrom = "runs/parent (step 100)"
        let plain = r.markdown(charts: [])
        #expect(plain.contains("for 1.50 CPU-hours, 2.0M tokens (padding excluded), including that of `runs/parent (step 100)`, whose weights it started from.\n"))
        #expect(!plain.contains("mean of checkpoints"))
        r.run.averagedSteps = [100, 3]
        #expect(r.markdown(charts: []).contains("whose weights it started from. The weights are a mean of checkpoints; these totals are the last one's lineage"))
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

    @Test func longDivisionPartsInEveryOutputAndOlderReportsStillRead() throws {
        let fours = "4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36"
        let r = try report(["253/4={253/4:\(fours)|25-24=1,6;13-12=1,63;10-4=6,63.1;60-60=0,63.15}63.15", "7/2=3.5"])
        #expect(r.terminalTable.contains("long-division parts right in failed chains: table 100.0% of 8, subtraction 100.0% of 4, multiple 75.0% of 4"))
        let md = r.markdown(charts: [])
        #expect(md.contains("Every part of the 1 long-division blocks") && md.contains("| multiple p: the largest not above c | 75.0% | 4 |"))
        // reckon compare reads reports written before the tally existed: the key is optional.
        #expect(try EvaluationReport(json: r.json()).summary.longDivisionParts == r.summary.longDivisionParts)
        var older = try JSONSerialization.jsonObject(with: r.json()) as! [String: Any]
        var summary = older["summary"] as! [String: Any]
        summary.removeValue(forKey: "longDivisionParts")
        older["summary"] = summary
        #expect(try EvaluationReport(json: JSONSerialization.data(withJSONObject: older)).summary.longDivisionParts == nil)
        #expect(try !report().terminalTable.contains("long-division parts"))
    }

    @Test func breaksDownByReferenceChainLength() throws {
        #expect(EvaluationSummary.lengthBounds(context: 3072, longest: 0) == [128, 256, 512, 1024, 2048, 3072])
        #expect(EvaluationSummary.lengthBounds(context: 512, longest: 9000) == [128, 256, 512])
        #expect(EvaluationSummary.lengthBounds(context: 100, longest: 0) == [100])
        #expect(EvaluationSummary.lengthBounds(context: nil, longest: 300) == [128, 256, 512])
        var r = try report()
        #expect(r.summary.byReferenceLength == nil && !r.markdown(charts: []).contains("chain tokens"))
        var questions = r.failures
        for (i, n) in [100, 600].enumerated() { questions[i].referenceTokens = n }   // both wrong
        var right = questions[0]
        right.grade.mathglm = true; right.grade.exact = true; right.referenceTokens = 200
        r.run.contextLength = 512
        r = EvaluationReport(run: r.run, questions: questions + [right])
        #expect(r.summary.byReferenceLength?.map { "\($0.key) \($0.accuracy.count) \($0.accuracy.exact)" } == ["≤128 1 0", "≤256 1 1", ">512 1 0"])
        #expect(r.terminalTable.contains("chain tokens") && r.markdown(charts: []).contains("| >512 | 1 | 0.0% |"))
        let chart = try #require(r.charts(trainingLog: []).first { $0.name == "accuracy-by-chain-length.svg" })
        #expect(XMLParser(data: Data(chart.svg.utf8)).parse() && chart.svg.contains("&gt;512"))   // escaped
        #expect(try !report().charts(trainingLog: []).contains { $0.name == "accuracy-by-chain-length.svg" })
    }

    @Test func breaksDownByTheLeastSureToken() throws {
        var r = try report()
        #expect(r.summary.byLeastSure == nil && !r.markdown(charts: []).contains("least sure"))
        var questions = r.failures   // both wrong
        questions[0].leastSure = 0.3; questions[1].leastSure = 0.95
        var right = questions[0]
        right.grade.mathglm = true; right.grade.exact = true; right.leastSure = 0.999
        var sure = right; sure.leastSure = 0.99   // a bound belongs to the band above it
        r = EvaluationReport(run: r.run, questions: questions + [right, sure])
        #expect(r.summary.byLeastSure?.map { "\($0.key) \($0.accuracy.count) \($0.accuracy.mathglm)" } == ["<50% 1 0", "90–99% 1 0", "≥99% 2 2"])
        let md = r.markdown(charts: [])
        #expect(r.terminalTable.contains("least sure"))
        // Answering above 99%: the two right ones; above 90%: those and the 0.95 failure.
        #expect(md.contains("| ≥ 99.0% | 2 (50.0%) | 100.0% | 100.0% |") && md.contains("| ≥ 90.0% | 3 (75.0%) | 66.7% | 66.7% |"))
        #expect(md.contains("| ≥ 70.0% | 3 (75.0%) |") && md.contains("| ≥ 50.0% | 3 (75.0%) |"))
        let chart = try #require(r.charts(trainingLog: []).first { $0.name == "accuracy-by-least-sure-token.svg" })
        #expect(XMLParser(data: Data(chart.svg.utf8)).parse())
        #expect(try EvaluationReport(json: r.json()).summary.byLeastSure == r.summary.byLeastSure)
    }

    @Test func heldOutItemsKnowTheirReferenceChainLength() throws {
        let recipe = try Recipe(json: Data(#"{"name": "t", "operators": {"+": 1, "*": 1}, "operations": {"min": 1, "max": 2}, "operands": {"digits": {"min": 1, "max": 2}}}"#.utf8))
        let items = try Evaluation.testItems(recipe: recipe, format: .mathglm, count: 20, seed: 3, threads: 2)
        for item in items {
            let chain = try StepChain(format: .mathglm).text(for: item.question)
            #expect(item.referenceTokens == chain.utf8.count + 2)
            #expect(try GradingItem(question: item.question, format: .mathglm).referenceTokens == item.referenceTokens)
        }
        #expect(try GradingItem(question: items[0].question).referenceTokens == nil)
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

    @Test func ownTimelineRunsOneClockAcrossSessions() {
        // An ancestor's session (steps 10–20), then this run's two sessions (30–40, 50–60).
        let clock: [(Int, Double?)] = [(10, 50), (20, 100), (30, 10), (40, 20), (45, nil), (50, 5), (60, 15)]
        let log = clock.map { TrainingLogEntry(step: $0.0, loss: 1, elapsedSeconds: $0.1) }
        let own = TrainingLogEntry.ownTimeline(log, after: 20)
        #expect(own.map(\.step) == [30, 40, 45, 50, 60])
        #expect(own.map(\.elapsedSeconds) == [10, 20, nil, 25, 35])
        #expect(TrainingLogEntry.ownTimeline(log).compactMap(\.elapsedSeconds) == [50, 100, 110, 120, 125, 135])
        #expect(TrainingLogEntry.ownTimeline(log, after: 60).isEmpty)
    }

    @Test func pairedComparisonCountsFixedAndBroken() throws {
        // Baseline wrong on 1 and 3; candidate wrong on 0 and 3. Question 2 is right by
        // MathGLM's rule in both, though the candidate's answer is not exact (it is listed
        // among the candidate's failures and must still count as right).
        let baseline = try report(["1+2=3", "2*3=7", "7/3=2.333333333", "9-4=6", "5*5=25"], source: "recipe:r", seed: 4)
        let candidate = try report(["1+2=4", "2*3=6", "7/3=2.3333", "9-4=6", "5*5=25"], source: "recipe:r", seed: 4)
        #expect(candidate.failures.map(\.index) == [0, 2, 3])
        let paired = try PairedComparison(baseline: baseline, candidate: candidate)
        #expect(paired.fixed == 1 && paired.broken == 1 && paired.pValue == 1)
        let reversed = try PairedComparison(baseline: candidate, candidate: baseline)
        #expect(reversed.fixed == 1 && reversed.broken == 1)
    }

    @Test func failuresListEveryQuestionWrongByMathGLMsRule() throws {
        // The canonical answer (20 significant digits) is 0.005, which rounds to 0.01; the truth
        // rounds to 0.00. An exact answer with valid steps is still wrong by MathGLM's rule.
        let r = try report(["0.004999999999999999999999+0=0.005", "1+1=2"])
        #expect(r.summary.overall.exact == 2 && r.summary.overall.mathglm == 1)
        #expect(r.failures.map(\.index) == [0])
        // A report missing such a question (as earlier ones could) cannot be paired.
        var incomplete = r
        incomplete.failures = []
        #expect(throws: ComparisonError.self) { try PairedComparison(baseline: incomplete, candidate: r) }
    }

    @Test func pairedComparisonRefusesDifferentQuestions() throws {
        let a = try report(["1+2=4", "2*3=6"], source: "recipe:r", seed: 4)
        #expect(throws: ComparisonError.self) { try PairedComparison(baseline: a, candidate: try report(["1+2=4", "2*3=6"], source: "recipe:r", seed: 5)) }
        #expect(throws: ComparisonError.self) { try PairedComparison(baseline: a, candidate: try report(["1+2=4"], source: "recipe:r", seed: 4)) }
        // Same source and seed, but index 0 is another question: caught where both failed.
        #expect(throws: ComparisonError.self) { try PairedComparison(baseline: a, candidate: try report(["1+3=5", "2*3=6"], source: "recipe:r", seed: 4)) }
        // A question file fixes the questions whatever the seed.
        let fromFile = try PairedComparison(baseline: try report(["1+2=4"], seed: 1), candidate: try report(["1+2=3"], seed: 2))
        #expect(fromFile.fixed == 1 && fromFile.broken == 0)
    }

    @Test func signTestMatchesExactBinomialTails() {
        // Reference values: 2·Σ_{i≤k} C(n,i)/2ⁿ with Python's exact math.comb.
        #expect(abs(PairedComparison.signTest(0, 10) - 0.001953125) < 1e-12)
        #expect(abs(PairedComparison.signTest(98, 104) - 0.7250853387900511) < 1e-9)
        #expect(abs(PairedComparison.signTest(225, 184) - 0.04781045452235333) < 1e-9)
        #expect(PairedComparison.signTest(0, 0) == 1 && PairedComparison.signTest(1000, 1000) == 1)
    }
}
