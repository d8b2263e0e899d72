import Testing
import ReckonArithmetic
@testable import ReckonEvaluation

@Suite struct GraderTests {
    let grader = Grader()

    func grade(_ answer: String?, _ question: String) throws -> Grade {
        let (truth, canonical) = try grader.reference(for: try ReckonArithmetic.Expression(parsing: question))
        return grader.grade(answer: answer, truth: truth, canonical: canonical)
    }

    @Test func finalAnswerIsTextAfterLastTopLevelEquals() {
        #expect(finalAnswerText(ofChain: "12+34*2=12+68=80") == "80")
        #expect(finalAnswerText(ofChain: "12*345+6={345*12=345*10+345*2=3450+690=4140}4140+6=4146") == "4146")
        #expect(finalAnswerText(ofChain: "2*3={2*3=6}6") == "6")
        #expect(finalAnswerText(ofChain: "12+34") == nil)
    }

    @Test func exactAnswer() throws {
        let g = try grade("80", "12+34*2")
        #expect(g == Grade(exact: true, mathglm: true, relative1e2: true, relative1e4: true, relativeError: 0))
    }

    @Test func mathglmRuleRoundsBothSidesToTwoDecimals() throws {
        // 1/3: canonical answer has 20 digits; 0.33333 is right by MathGLM's rule but not exact.
        let short = try grade("0.33333", "1/3")
        #expect(!short.exact && short.mathglm && short.relative1e2 && short.relative1e4)
        let wrong = try grade("0.3", "1/3")
        #expect(!wrong.mathglm && !wrong.relative1e2 && !wrong.relative1e4)
        #expect(abs(wrong.relativeError! - 0.1) < 1e-12)
        // Halves round away from zero on both sides: truth 2.675 → 2.68.
        #expect(try grade("2.68", "2.675*1").mathglm)
        #expect(try !grade("2.67", "2.675*1").mathglm)
        #expect(try grade("-2.68", "-2.675*1").mathglm)
        #expect(try grade("-80.004", "-80*1").mathglm)
    }

    @Test func relativeErrorThresholds() throws {
        let g = try grade("1.004", "1*1")
        #expect(g.relative1e2 && !g.relative1e4 && g.mathglm && !g.exact)
        let h = try grade("1.00009", "1*1")
        #expect(h.relative1e4 && h.relative1e2)
        // Truth 0: only an exact 0 is within any relative error.
        #expect(try grade("0", "5-5").relative1e4)
        let z = try grade("0.001", "5-5")
        #expect(!z.relative1e2 && z.mathglm && z.relativeError == nil)
    }

    @Test func nonNumericAnswersAreWrong() throws {
        #expect(try grade("12+3", "12+3") == .wrong)
        #expect(try grade(nil, "12+3") == .wrong)
        #expect(try grade("", "12+3") == .wrong)
        #expect(try grade("1.2.3", "12+3") == .wrong)
    }

    @Test func percentAnswerMeansHundredths() throws {
        #expect(try grade("50%", "1/2").mathglm)
    }
}
