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

    @Test func catchesACorruptedLongDivision() {
        let good = "253/4={253/4:4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36|25-24=1,6;13-12=1,63;10-8=2,63.2;20-20=0,63.25}63.25"
        #expect(verifier.check(good[...]) == nil)
        func corrupted(_ from: String, _ to: String) -> String? {
            verifier.check(good.replacingOccurrences(of: from, with: to)[...])?.message
        }
        func fault(_ from: String, _ to: String) -> Verifier.ScratchFault? {
            verifier.check(good.replacingOccurrences(of: from, with: to)[...])?.scratchFault
        }
        // A wrong multiple in the table, or one missing.
        #expect(corrupted("4*7=28", "4*7=27") == "long division: table entry 6 is false: '4*7=27' (expected 4*7=28)")
        #expect(corrupted(",4*9=36", "")?.contains("7 entries, not 8") == true)
        // A wrong digit brought down, product, difference or quotient digit: the message names
        // the first wrong part in the order they are written.
        #expect(corrupted("13-12=1,63", "14-12=2,63") == "long division line 2 is false: '14-12=2,63' (brought down 14, expected 13)")
        #expect(corrupted("13-12=1", "13-8=5") == "long division line 2 is false: '13-8=5,63' (took 4*2=8, expected 4*3=12, the largest multiple not above 13)")
        #expect(corrupted("13-12=1", "13-11=2") == "long division line 2 is false: '13-11=2,63' (product 11 is no multiple of 4 in the table, expected 12 = 4*3)")
        #expect(corrupted("13-12=1", "13-16=3")?.contains("took 4*4=16, expected 4*3=12") == true)
        #expect(corrupted("13-12=1", "13-12=2") == "long division line 2 is false: '13-12=2,63' (remainder 2, expected 1)")
        #expect(corrupted("10-8=2,63.2;20-20=0,63.25", "10-8=2,63.3;20-20=0,63.35") == "long division line 3 is false: '10-8=2,63.3' (digit 3, expected 2)")
        #expect(corrupted("25-24=1,6", "25-20=5,5")?.contains("line 1 is false: '25-20=5,5' (took 4*5=20, expected 4*6=24") == true)
        #expect(corrupted("25-24=1,6", "25-24=1,.")?.contains("cannot read '25-24=1,.'") == true)
        // A digit that is not ASCII (here ٣, ARABIC-INDIC THREE) is unreadable, not a crash.
        #expect(corrupted("13-12=1,63", "13-12=1,6\u{663}")?.contains("cannot read") == true)
        // A digit dropped from the quotient, a misplaced point, lines that stop early.
        #expect(corrupted(",63.2;", ",6.2;")?.contains("line 3: '10-8=2,6.2' does not extend") == true)
        #expect(corrupted(",63;", ",6.3;") == "long division line 2: the point of '13-12=1,6.3' is misplaced")
        #expect(verifier.check("2/3={2/3:3*2=6,3*3=9,3*4=12,3*5=15,3*6=18,3*7=21,3*8=24,3*9=27|20-18=2,0.6;20-18=2,0.66~0.67}0.66666666666666666667")?.message.contains("stop at place -2") == true)
        // The head must be the step's division; the rounding must be the policy's.
        #expect(corrupted("{253/4:", "{253/5:")?.contains("is not |253|/|4|") == true)
        #expect(verifier.check("0.9/0.04={0.9/0.04=9/4:4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36|9-8=1,2;10-8=2,22;20-20=0,22.5}22.5")?.message.contains("is not") == true)
        #expect(corrupted(",63.25}63.25", ",63.25~63.3}63.3") != nil)
        #expect(corrupted("|", ";")?.contains("no '|'") == true)
        // Each failure names the part of the block that is first false.
        #expect(fault("4*7=28", "4*7=27") == .table)
        #expect(fault("13-12=1,63", "14-12=2,63") == .broughtDown)
        #expect(fault("13-12=1", "13-8=5") == .choice)
        #expect(fault("13-12=1", "13-16=3") == .choice)
        #expect(fault("13-12=1", "13-11=2") == .product)
        #expect(fault("13-12=1", "13-40=27") == .product)
        #expect(fault("13-12=1", "13-12=2") == .remainder)
        #expect(fault("10-8=2,63.2;20-20=0,63.25", "10-8=2,63.3;20-20=0,63.35") == .digit)
        #expect(fault(",63;", ",6.3;") == .quotient)
        #expect(fault("{253/4:", "{253/5:") == .head)
        #expect(fault("25-24=1,6", "25-24=1,.") == .unreadable)
        #expect(fault(",63.25}63.25", ",63.25~63.3}63.25") == .ending)
        #expect(fault("4*7=28", "4*7=28") == nil)
    }

    @Test func talliesEveryLongDivisionPartOnItsOwnOperands() throws {
        typealias T = LongDivisionParts.Tally
        let good = "253/4={253/4:4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36|25-24=1,6;13-12=1,63;10-8=2,63.2;20-20=0,63.25}63.25"
        func parts(_ from: String, _ to: String) -> LongDivisionParts {
            LongDivisionParts(chain: good.replacingOccurrences(of: from, with: to)[...])
        }
        let all = LongDivisionParts(chain: good[...])
        #expect(all.blocks == 1 && all.table == T(right: 8, total: 8) && all.subtraction == T(right: 4, total: 4) && all.choice == T(right: 4, total: 4))
        #expect(parts("4*7=28", "4*7=27").table == T(right: 7, total: 8))
        // A smaller multiple subtracted correctly: the subtraction holds, the choice does not; the
        // lines after it are judged on what they wrote, not on the first error's history.
        let choice = parts("13-12=1,63;10-8=2", "13-8=5,62;50-48=2")
        #expect(choice.subtraction == T(right: 4, total: 4) && choice.choice == T(right: 3, total: 4))
        let subtraction = parts("13-12=1", "13-12=2")
        #expect(subtraction.subtraction == T(right: 3, total: 4) && subtraction.choice == T(right: 4, total: 4))
        // Unreadable parts are not counted; other blocks and lines without blocks are ignored.
        let unreadable = parts("13-12=1,63;", "13-12,63;")
        #expect(unreadable.subtraction.total == 3 && unreadable.choice.total == 3)
        #expect(LongDivisionParts(chain: "12*345+6={345*12=345*10+345*2=3450+690=4140}4140+6=4146") == LongDivisionParts())
        var twice = all
        twice.add(parts("4*7=28", "4*7=27"))
        #expect(twice.blocks == 2 && twice.table == T(right: 15, total: 16))
        // Generated chains: every part holds.
        let generator = ExampleGenerator(recipe: try shippedRecipe("division-order"), format: .longdiv, seed: 5)
        var generated = LongDivisionParts()
        for i in 0..<200 { generated.add(LongDivisionParts(chain: try generator.example(index: i).line[...])) }
        #expect(generated.blocks > 150)   // a few divisions need no block (by 1, say)
        for t in [generated.table, generated.subtraction, generated.choice] { #expect(t.total > 0 && t.right == t.total) }
    }

    @Test func reportsMalformedLines() {
        #expect(verifier.check("2*3")?.step == 0)
        #expect(verifier.check("2*(3=6")?.message.contains("col 5") == true)
        #expect(verifier.check("2*3=6+")?.step == 1)
        #expect(verifier.check("1/0=5")?.message.contains("division by zero") == true)
        #expect(verifier.check("2*3=6=6")?.step == 2)
    }
}
