import ReckonArithmetic
import ReckonGenerator
import Testing

@Suite struct VerifierTests {
    let verifier = Verifier()

    @Test func acceptsCorrectChainsOfEveryFormat() throws {
        for format in StepFormat.allCases {
            let generator = ExampleGenerator(recipe: try shippedRecipe("mathglm"), format: format, seed: 3)
            for i in 0..<300 {
                let line = try generator.example(index: i).line
                #expect(verifier.check(line[...]) == nil, "\(format): \(line)")
            }
        }
    }

    @Test func catchesACorruptedStepAndNamesIt() {
        #expect(verifier.check("2*3+4*5=6+4*5=6+21=27") == .init(step: 2, message: "expected '6+20' (4*5 = 20), found '6+21'"))
        #expect(verifier.check("2*3+4*5=6+4*5=26") == nil) // the last component may be the answer directly
        #expect(verifier.check("2*3+4*5=6+4*5=27")?.step == 2)
        #expect(verifier.check("2*3+4*5=5+4*5=5+20=25")?.step == 1)
        // Performing a later operation first is an order error.
        #expect(verifier.check("2*3+4*5=2*3+20=6+20=26")?.step == 1)
        #expect(verifier.check("1/3=0.3333")?.message.contains("wrong") == true)
    }

    @Test func catchesACorruptedScratchBlock() {
        let good = "12*345+6={345*12=345*10+345*2=3450+690=4140}4140+6=4146"
        #expect(verifier.check(good[...]) == nil)
        let badPartial = "12*345+6={345*12=345*10+345*2=3450+691=4141}4141+6=4147"
        #expect(verifier.check(badPartial[...])?.step == 1)
        let badDivision = "253/4={253-4*60=13;13-4*3=2;10-4*2=2;20-4*5=0;253/4=63.25}63.25"
        #expect(verifier.check(badDivision[...])?.message.contains("scratch equation 2") == true)
    }

    @Test func reportsMalformedLines() {
        #expect(verifier.check("2*3")?.step == 0)
        #expect(verifier.check("2*(3=6")?.message.contains("col 5") == true)
        #expect(verifier.check("2*3=6+")?.step == 1)
        #expect(verifier.check("1/0=5")?.message.contains("division by zero") == true)
        #expect(verifier.check("2*3=6=6")?.step == 2)
    }
}
