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

    @Test func catchesACorruptedShortDivision() {
        #expect(verifier.check("253/4={253/4:6r1;63r1;63.2r2;63.25r0}63.25") == nil)
        // A wrong digit, a wrong remainder, a remainder as large as the divisor.
        #expect(verifier.check("253/4={253/4:6r1;63r1;63.3r2;63.35r0}63.25")?.message == "short division line 3 is false: '63.3r2'")
        #expect(verifier.check("253/4={253/4:6r1;63r2;63.2r2;63.25r0}63.25")?.message == "short division line 2 is false: '63r2'")
        #expect(verifier.check("253/4={253/4:5r5;63r1;63.2r2;63.25r0}63.25")?.message.contains("line 1 is false") == true)
        // A digit dropped from the quotient, a misplaced point, lines that stop early.
        #expect(verifier.check("253/4={253/4:6r1;63r1;6.2r2;63.25r0}63.25")?.message.contains("line 3: '6.2r2' does not extend") == true)
        #expect(verifier.check("253/4={253/4:6r1;6.3r1;63.2r2;63.25r0}63.25")?.message == "short division line 2: the point of '6.3r1' is misplaced")
        #expect(verifier.check("2/3={2/3:0.6r2;0.66r2~0.67}0.66666666666666666667")?.message.contains("stop at place -2") == true)
        // The head must be the step's division; the rounding must be the policy's.
        #expect(verifier.check("253/4={253/5:6r1;63r1;63.2r2;63.25r0}63.25")?.message.contains("is not |253|/|4|") == true)
        #expect(verifier.check("0.9/0.04={0.9/0.04=9/4:2r1;22r2;22.5r0}22.5")?.message.contains("is not") == true)
        #expect(verifier.check("253/4={253/4:6r1;63r1;63.2r2;63.25r0~63.3}63.3")?.step == 1)
        #expect(verifier.check("253/4={253/4:6r1;63rx}63.25")?.message.contains("cannot read '63rx'") == true)
    }

    @Test func reportsMalformedLines() {
        #expect(verifier.check("2*3")?.step == 0)
        #expect(verifier.check("2*(3=6")?.message.contains("col 5") == true)
        #expect(verifier.check("2*3=6+")?.step == 1)
        #expect(verifier.check("1/0=5")?.message.contains("division by zero") == true)
        #expect(verifier.check("2*3=6=6")?.step == 2)
    }
}
