import Testing
import ReckonArithmetic
import ReckonGenerator
@testable import ReckonEvaluation

@Suite struct RoundedResultTests {
    /// The shipped model's chains: 10 significant digits, at least 6 after the point.
    private let policy = RoundingPolicy(significantDigits: 10, minimumFractionDigits: 6)

    /// The rounded result when the cut rounds down, or the unit question and the result from an
    /// answer to it when it rounds up.
    private func rounded(_ exact: String, unitAnswer: String? = nil) -> (question: String?, result: String?)? {
        RoundedResult(exact: exact, policy: policy).map { ($0.unitQuestion, $0.result(from: unitAnswer)) }
    }

    @Test func resultsThePolicyKeepsAreWrittenAsTheyAre() {
        #expect(rounded("4004.697738") == nil)
        #expect(rounded("-39316499") == nil)
        #expect(rounded("1.25") == nil)
        #expect(rounded("0.0001234567891") == nil)   // 13 fraction digits kept below 0.001
    }

    @Test func aCutThatRoundsDownIsTheResult() throws {
        let r = try #require(rounded("384239.916312117"))
        #expect(r.question == nil && r.result == "384239.916312")
        #expect(rounded("0.000123456789012")?.result == "0.000123456789")   // trailing zero dropped
        #expect(rounded("-12.30000000004")?.result == "-12.3")
    }

    /// A round-up asks the model to add one unit at the last place kept, to the magnitude; the
    /// sign goes back on its answer, and an answer that is no number gives no result.
    @Test func aCutThatRoundsUpIsTheModelsSumWithAUnit() {
        #expect(rounded("1920.023809524", unitAnswer: "1920.02381")! == ("1920.023809+0.000001", "1920.02381"))
        #expect(rounded("-39316500.277563528", unitAnswer: "39316500.277564")! == ("39316500.277563+0.000001", "-39316500.277564"))
        #expect(rounded("9.9999999995", unitAnswer: "10.000000000")?.result == "10")
        #expect(rounded("1920.023809524", unitAnswer: "19x")?.result == nil)
        #expect(rounded("1920.023809524")?.result == nil)
    }

    /// With the unit added exactly, the rounded text is the policy's rounding of the exact value,
    /// for random values of every size the chains write.
    @Test func roundingAgreesWithThePolicy() throws {
        var random = SplitMix64(seed: 60)
        for _ in 0 ..< 2000 {
            let digits = Int.random(in: 1 ... 18, using: &random)
            let significand = Int64.random(in: 1 ..< Int64(pow10(digits)), using: &random) * (Bool.random(using: &random) ? -1 : 1)
            let exact = DecimalValue(significand: ExactInteger(significand), scale: Int.random(in: 1 ... 18, using: &random))
            let expected = policy.apply(exact).description
            guard let cut = RoundedResult(exact: exact.description, policy: policy) else {
                #expect(expected == exact.description); continue
            }
            // The unit sum, done exactly here (the solver asks the model).
            let unitAnswer = try cut.unitQuestion.map { q in
                try q.split(separator: "+").map { try decimal(String($0)) }.reduce(DecimalValue.zero, +).description
            }
            #expect(cut.result(from: unitAnswer) == expected, "\(exact)")
        }
    }

    private func pow10(_ n: Int) -> Int { (0 ..< n).reduce(1) { r, _ in r * 10 } }

    /// `text` (digits with an optional point) as an exact decimal.
    private func decimal(_ text: String) throws -> DecimalValue {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let digits = try #require(ExactInteger(digits: Array((parts[0] + (parts.count > 1 ? parts[1] : "")).utf8)))
        return DecimalValue(significand: digits, scale: parts.count > 1 ? parts[1].count : 0)
    }
}
