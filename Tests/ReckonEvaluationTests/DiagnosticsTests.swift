import Foundation
import Testing
import ReckonArithmetic
import ReckonGenerator
@testable import ReckonEvaluation

@Suite struct DiagnosticsTests {
    func diagnose(_ line: String) throws -> ChainDiagnosis {
        let question = String(line.prefix { $0 != "=" })
        return StepDiagnostics().diagnose(line, truth: try ReckonArithmetic.Expression(parsing: question).exactValue())
    }

    /// A model can write any string of its vocabulary: every checker must answer for every
    /// corrupted chain, never trap. Chains of every format with 1–3 characters replaced,
    /// inserted or deleted (the arithmetic alphabet, a block's separators, one non-ASCII digit).
    @Test func corruptedChainsNeverCrashTheCheckers() throws {
        let recipe = try Recipe(json: Data(#"{"name": "t", "operations": {"min": 1, "max": 3}, "operands": {"digits": {"min": 1, "max": 4}, "kinds": {"integer": 2, "decimal": 1, "percent": 1}, "negative": 0.2}, "brackets": {"probability": 0.5, "square": 0.3}}"#.utf8))
        let alphabet = Array("0123456789+-*/^().%=[]{}:|,;~\u{663}")
        var rng = SplitMix64(seed: 11)
        var corrupted = 0
        for format in StepFormat.allCases {
            let generator = ExampleGenerator(recipe: recipe, format: format, seed: 5)
            for i in 0..<60 {
                let e = try generator.example(index: i)
                let truth = try e.question.exactValue()
                for _ in 0..<4 {
                    var chars = Array(e.line)
                    for _ in 0...Int(rng.next() % 3) {
                        let at = Int(rng.next() % UInt64(chars.count)), c = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                        switch rng.next() % 3 {
                        case 0: chars[at] = c
                        case 1: chars.insert(c, at: at)
                        default: if chars.count > 1 { chars.remove(at: at) }
                        }
                    }
                    let line = String(chars)
                    let d = StepDiagnostics().diagnose(line, truth: truth)
                    let failure = Verifier().check(line[...])
                    _ = LongDivisionParts(chain: line[...])
                    _ = finalAnswerText(ofChain: line)
                    // What the strict checker passes, the diagnostics (which also take numbers
                    // written with extra zeros as values) pass too.
                    if failure == nil { #expect(d.allStepsValid, "\(line)") }
                    if line != e.line { corrupted += 1 }
                }
            }
        }
        #expect(corrupted > 1000)
    }

    @Test func validChainsPass() throws {
        for line in ["12+34*2=12+68=80", "(1+2)*[3-4]=3*[3-4]=3*-1=-3", "5=5", "12+34*2=80", "4859%*2=97.18"] {
            let d = try diagnose(line)
            #expect(d.allStepsValid && d.kind == nil && d.firstWrongStep == nil, "\(line): \(d)")
        }
    }

    @Test func generatedChainsPassInEveryFormat() throws {
        let recipe = try Recipe(json: Data(#"{"name": "t", "operations": {"min": 1, "max": 4}, "operands": {"digits": {"min": 1, "max": 4}, "kinds": {"integer": 2, "decimal": 1, "percent": 1}, "negative": 0.2}, "brackets": {"probability": 0.5, "square": 0.3}}"#.utf8))
        for format in StepFormat.allCases {
            let generator = ExampleGenerator(recipe: recipe, format: format, seed: 3)
            for i in 0..<40 {
                let e = try generator.example(index: i)
                let d = try diagnose(e.line)
                #expect(d.allStepsValid && d.kind == nil, "\(e.line): \(d)")
            }
        }
    }

    @Test func calculationError() throws {
        let d = try diagnose("12+34*2=12+67=79")
        #expect(d.kind == .calculation && d.firstWrongStep == 1 && !d.allStepsValid)
        let late = try diagnose("(7-2)*3+1=5*3+1=15+1=17")
        #expect(late.kind == .calculation && late.firstWrongStep == 3)
        let jump = try diagnose("12+34*2=12+68=81")
        #expect(jump.kind == .calculation && jump.firstWrongStep == 2)
    }

    @Test func copyError() throws {
        let d = try diagnose("12+34*2=13+68=81")
        #expect(d.kind == .copy && d.firstWrongStep == 1)
        let second = try diagnose("1+2*3-4=1+6-4=7-5=2")
        #expect(second.kind == .copy && second.firstWrongStep == 2)
    }

    @Test func orderError() throws {
        // Left to right instead of precedence.
        let d = try diagnose("12+34*2=46*2=92")
        #expect(d.kind == .order && d.firstWrongStep == 1)
        // Right bracket before the left one, even when miscomputed.
        let brackets = try diagnose("(1+2)*(3+4)=(1+2)*8=3*8=24")
        #expect(brackets.kind == .order && brackets.firstWrongStep == 1)
        // Right-to-left subtraction.
        let sub = try diagnose("10-4-3=10-1=9")
        #expect(sub.kind == .order)
    }

    @Test func malformedSteps() throws {
        #expect(try diagnose("12+34*2=12+*68=80").kind == .malformed)
        let early = try diagnose("12+34*2=12+68")
        #expect(early.kind == .malformed && early.firstWrongStep == 2)
        #expect(try diagnose("12+34*2=12+68+1=81").kind == .malformed)
        #expect(try diagnose("12+34*2").kind == .malformed)
        #expect(try diagnose("12+34*2=12+68=80=80").kind == .malformed)
    }

    @Test func scratchBlockError() throws {
        let question = try ReckonArithmetic.Expression(parsing: "12*345+6")
        let line = try StepChain(format: .scratch).text(for: question)
        #expect(line.contains("{"))
        #expect(try diagnose(line).allStepsValid)
        let broken = line.replacingOccurrences(of: "=4140}", with: "=4141}")
        #expect(broken != line)
        let d = try diagnose(broken)
        #expect(d.kind == .calculation && d.firstWrongStep == 1)
    }

    @Test func longDivisionBlockError() throws {
        let fours = "4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36"
        #expect(try diagnose("1+253/4={253/4:\(fours)|25-24=1,6;13-12=1,63;10-8=2,63.2;20-20=0,63.25}1+63.25=64.25").allStepsValid)
        let d = try diagnose("1+253/4={253/4:\(fours)|25-24=1,6;13-12=1,63;10-9=1,63.2;20-20=0,63.25}1+63.25=64.25")
        #expect(d.kind == .calculation && d.firstWrongStep == 1)
        #expect(d.message?.contains("long division line 3") == true)
        #expect(d.scratchFault == .product)
        // A wrong quotient after a wrong line: the step's error names the line where it went wrong.
        let wrong = try diagnose("1+253/4={253/4:\(fours)|25-24=1,6;13-12=1,63;10-4=6,63.1;60-60=0,63.15}1+63.15=64.15")
        #expect(wrong.kind == .calculation && wrong.firstWrongStep == 1)
        #expect(wrong.message == "253/4 = 63.25, found 63.15; scratch block: long division line 3 is false: '10-4=6,63.1' (took 4*1=4, expected 4*2=8, the largest multiple not above 10)")
        #expect(wrong.scratchFault == .choice)
    }

    @Test func accumulatedErrorThroughValidLookingSteps() throws {
        // 1/3 written with 2 decimals is correctly rounded; 0.33*3 = 0.99 is right; 0.99 ≠ 1.00.
        let d = try diagnose("1/3*3=0.33*3=0.99")
        #expect(d.allStepsValid && d.kind == .accumulated && d.firstWrongStep == nil && d.impreciseSteps == 1)
        // Rounded short but still right at 2 decimals: no error at all.
        let fine = try diagnose("1/3*300=0.333333*300=99.9999")
        #expect(fine.kind == nil && fine.impreciseSteps == 1)
    }

    @Test func summaryCountsRightAnswersThroughWrongSteps() throws {
        let grader = Grader(), diagnostics = StepDiagnostics()
        func graded(_ line: String) throws -> GradedQuestion {
            let q = try ReckonArithmetic.Expression(parsing: String(line.prefix { $0 != "=" }))
            let (truth, canonical) = try grader.reference(for: q)
            let answer = finalAnswerText(ofChain: line)
            return GradedQuestion(index: 0, question: q.text, chain: line, answer: answer, canonical: canonical.description,
                                  truth: "", truthFraction: "", grade: grader.grade(answer: answer, truth: truth, canonical: canonical),
                                  diagnosis: diagnostics.diagnose(line, truth: truth), confidence: 1, features: QuestionFeatures(q))
        }
        let fours = "4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36"
        let s = EvaluationSummary([try graded("12+34*2=12+67=80"), try graded("12+34*2=12+68=80"), try graded("2*3=7"),
                                   try graded("253/4={253/4:\(fours)|25-24=1,6;13-12=1,63;10-4=6,63.1;60-60=0,63.15}63.15")])
        #expect(s.overall.count == 4 && s.overall.mathglm == 2 && s.overall.exact == 2)
        #expect(s.rightAnswerThroughWrongStep == 1 && s.validChains == 1)
        #expect(s.errorKindCounts == ["calculation": 3])
        // Only the long division's error has a scratch block to blame.
        #expect(s.scratchFaults.map(\.key) == Verifier.ScratchFault.allCases.map(\.rawValue))
        #expect(s.scratchFaults.filter { $0.accuracy.count > 0 }.map { "\($0.key) \($0.accuracy.count)" } == ["choice 1"])
        // Every part of the failed long division, each on its own operands: its third line took 4
        // from 10 (a wrong choice, a right subtraction); the lines after it hold on what they wrote.
        let parts = try #require(s.longDivisionParts)
        #expect(parts.blocks == 1 && parts.table.right == 8 && parts.subtraction.right == 4 && parts.choice.right == 3 && parts.choice.total == 4)
        #expect(EvaluationSummary([try graded("2*3=7")]).longDivisionParts == nil)
        #expect(s.byOperator.map(\.key) == ["+", "*", "/"])
        #expect(s.byOperator.first { $0.key == "*" }!.accuracy.count == 3)
    }

    @Test func features() throws {
        let f = QuestionFeatures(try ReckonArithmetic.Expression(parsing: "-12.5*4859%+(3-1)^2"))
        #expect(f.operations == 4 && f.operators == ["+", "-", "*", "^"] && f.maxDigits == 4)
        #expect(f.kinds == ["decimal", "percent", "negative"])
        #expect(QuestionFeatures(try ReckonArithmetic.Expression(parsing: "1+2")).kinds == ["integer"])
    }
}
