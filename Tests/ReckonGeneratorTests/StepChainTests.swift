import ReckonArithmetic
import ReckonGenerator
import Testing

func chain(_ text: String, _ format: StepFormat) throws -> String {
    try StepChain(format: format).text(for: Expression(parsing: text))
}

@Suite struct StepChainTests {
    // Worked by hand.
    @Test func mathglmAndDirect() throws {
        #expect(try chain("2*3+4*5", .mathglm) == "2*3+4*5=6+4*5=6+20=26")
        #expect(try chain("2*3+4*5", .direct) == "2*3+4*5=26")
        #expect(try chain("(5)", .mathglm) == "(5)=5")
    }

    @Test func scratchMultiplication() throws {
        #expect(try chain("12*345+6", .scratch) == "12*345+6={345*12=345*10+345*2=3450+690=4140}4140+6=4146")
        // One factor with a single non-zero digit is one hop: no block.
        #expect(try chain("300*4567", .scratch) == "300*4567=1370100")
        // Decimals: place values of the split factor, signs applied after the block.
        #expect(try chain("-1.5*2.25", .scratch) == "-1.5*2.25={2.25*1.5=2.25*1+2.25*0.5=2.25+1.125=3.375}-3.375")
    }

    @Test func scratchDivision() throws {
        // Schoolbook: 25 = 4·6 + 1, bring down 3: 13 = 4·3 + 1, then 10 = 4·2 + 2, 20 = 4·5.
        #expect(try chain("253/4-193", .scratch) == "253/4-193={25-4*6=1;13-4*3=1;10-4*2=2;20-4*5=0;253/4=63.25}63.25-193=-129.75")
        // The divisor is made whole first: 0.9/0.04 = 90/4.
        #expect(try chain("0.9/0.04", .scratch) == "0.9/0.04={0.9/0.04=90/4;9-4*2=1;10-4*2=2;20-4*5=0;90/4=22.5}22.5")
        // A decimal dividend keeps its point; remainders stay below the divisor.
        #expect(try chain("0.75/4", .scratch) == "0.75/4={7-4*1=3;35-4*8=3;30-4*7=2;20-4*5=0;0.75/4=0.1875}0.1875")
        #expect(try chain("250/5", .scratch) == "250/5={25-5*5=0;0-5*0=0;250/5=50}50")
        // Dividing by a power of ten is a shift: no block.
        #expect(try chain("123/100", .scratch) == "123/100=1.23")
    }

    @Test func scratchNonTerminatingDivisionEndsInTheRoundedQuotient() throws {
        let text = try chain("2/3", .scratch)
        #expect(text.hasPrefix("2/3={20-3*6=2;20-3*6=2;"))
        #expect(text.hasSuffix("2/3~0.66666666666666666667}0.66666666666666666667"))
        #expect(Verifier().check(text[...]) == nil)
    }

    @Test func scratchPower() throws {
        #expect(try chain("12^3", .scratch) == "12^3={12^3=12*12*12=144*12=1728}1728")
        // products: the same blocks for multiplication only.
        #expect(try chain("12*345+6/4", .products) == "12*345+6/4={345*12=345*10+345*2=3450+690=4140}4140+6/4=4140+1.5=4141.5")
        #expect(try chain("253/4-12^3", .products) == "253/4-12^3=253/4-1728=63.25-1728=-1664.75")
    }

    @Test func longDivision() throws {
        // The divisor's multiples, then per quotient digit current − multiple = remainder and the
        // quotient so far: 25 − 24 = 1, 13 − 12 = 1, 10 − 8 = 2, 20 − 20 = 0; the division
        // terminated, so no rounding closes the block.
        let fours = "4*2=8,4*3=12,4*4=16,4*5=20,4*6=24,4*7=28,4*8=32,4*9=36"
        #expect(try chain("253/4-193", .longdiv) == "253/4-193={253/4:\(fours)|25-24=1,6;13-12=1,63;10-8=2,63.2;20-20=0,63.25}63.25-193=-129.75")
        #expect(try chain("0.9/0.04", .longdiv) == "0.9/0.04={0.9/0.04=90/4:\(fours)|9-8=1,2;10-8=2,22;20-20=0,22.5}22.5")
        // A quotient below one starts at its first non-zero digit.
        #expect(try chain("0.75/4", .longdiv) == "0.75/4={0.75/4:\(fours)|7-4=3,0.1;35-32=3,0.18;30-28=2,0.187;20-20=0,0.1875}0.1875")
        // Lines go on to the units place even when nothing is left to divide.
        #expect(try chain("250/5", .longdiv) == "250/5={250/5:5*2=10,5*3=15,5*4=20,5*5=25,5*6=30,5*7=35,5*8=40,5*9=45|25-25=0,5;0-0=0,50}50")
        #expect(try chain("123/100", .longdiv) == "123/100=1.23")
        // Multiplication as in products.
        #expect(try chain("12*345", .longdiv) == "12*345={345*12=345*10+345*2=3450+690=4140}4140")
    }

    @Test func longDivisionStopsAtTheGuardDigitAndRounds() throws {
        // Under the standard policy 2/3 keeps 20 decimals: 21 lines, the last one the guard digit.
        let text = try chain("2/3", .longdiv)
        #expect(text.hasPrefix("2/3={2/3:3*2=6,3*3=9,3*4=12,3*5=15,3*6=18,3*7=21,3*8=24,3*9=27|20-18=2,0.6;20-18=2,0.66;20-18=2,0.666;"))
        #expect(text.hasSuffix(";20-18=2,0.666666666666666666666~0.66666666666666666667}0.66666666666666666667"))
        #expect(text.split(separator: ";").count == 21)
        #expect(Verifier().check(text[...]) == nil)
    }

    @Test func limitsAreEnforced() throws {
        let tight = StepChain(format: .mathglm, limits: .init(maxIntegerDigits: 5))
        #expect(throws: LimitExceeded.self) { try tight.text(for: Expression(parsing: "999*999")) }
        #expect(throws: EvaluationError.self) { try tight.text(for: Expression(parsing: "1/(3-3)")) }
    }
}

@Suite struct RefinedQuotientTests {
    // Worked by hand: 2/3 = 0.666…; two leading digits 0.66, 3·0.66 = 1.98, residual 0.02;
    // 0.02/3 = 0.00666… → 0.0066, 3·0.0066 = 0.0198, residual 0.0002; the tail 0.0002/3 is left
    // to the rounding.
    @Test func twoRoundsThenTheTail() throws {
        #expect(try chain("2/3", .refine) == "2/3={3*0.66=3*0.6+3*0.06=1.8+0.18=1.98;2-1.98=0.02;3*0.0066=3*0.006+3*0.0006=0.018+0.0018=0.0198;0.02-0.0198=0.0002;2/3=0.66+0.0066+0.0002/3=0.6666+0.0002/3~0.66666666666666666667}0.66666666666666666667")
        // The block works on magnitudes; the step applies the sign.
        #expect(try chain("-5/3", .refine).hasSuffix("5/3=1.6+0.066+0.002/3=1.666+0.002/3~1.6666666666666666667}-1.6666666666666666667"))
    }

    // 1000/7 = 142.857…: the first round takes 130, one unit below the leading digits 140, so
    // the residual is 90 (not 20) and the second round's digits are 12 (from 90/7 = 12.857…).
    @Test func aLowEstimateIsCorrectedByTheNextRound() throws {
        #expect(try chain("1000/7", .refine) == "1000/7={7*130=7*100+7*30=700+210=910;1000-910=90;7*12=7*10+7*2=70+14=84;90-84=6;1000/7=130+12+6/7=142+6/7~142.85714285714285714}142.85714285714285714")
        // 23/350 = 0.0657…: the second round is the low one (0.0007 for 0.00071).
        #expect(try chain("23/350", .refine) == "23/350={350*0.065=350*0.06+350*0.005=21+1.75=22.75;23-22.75=0.25;350*0.0007=0.245;0.25-0.245=0.005;23/350=0.065+0.0007+0.005/350=0.0657+0.005/350~0.065714285714285714286}0.065714285714285714286")
    }

    @Test func aZeroResidualEndsTheBlockExactly() throws {
        #expect(try chain("7/4", .refine) == "7/4={4*1.7=4*1+4*0.7=4+2.8=6.8;7-6.8=0.2;4*0.05=0.2;0.2-0.2=0;7/4=1.7+0.05=1.75}1.75")
        #expect(try chain("12*345+6/4", .refine) == "12*345+6/4={345*12=345*10+345*2=3450+690=4140}4140+6/4={4*1.5=4*1+4*0.5=4+2=6;6-6=0;6/4=1.5}4140+1.5=4141.5")
        #expect(try chain("0.9/0.04", .refine) == "0.9/0.04={0.04*21=0.04*20+0.04*1=0.8+0.04=0.84;0.9-0.84=0.06;0.04*1.5=0.04*1+0.04*0.5=0.04+0.02=0.06;0.06-0.06=0;0.9/0.04=21+1.5=22.5}22.5")
        // Dividing by a power of ten is a shift: one hop.
        #expect(try chain("123/100", .refine) == "123/100=1.23")
    }

    /// A quotient that terminates with more digits than the policy keeps still ends in its
    /// rounding (found by the property test: 72.00000001/4 = 18.0000000025, 18 at 10 significant digits).
    @Test func aTerminatingQuotientIsStillRounded() throws {
        let question = try Expression(parsing: "72.00000001/4")
        let text = try StepChain(format: .refine, policy: shippedRecipe("reckon-mathglm").precision).text(for: question)
        #expect(text.hasSuffix("0.00000001-0.00000001=0;72.00000001/4=18+0.0000000025=18.0000000025~18}18"), "\(text)")
    }

    @Test func leadingDigitsAreTruncatedNotRounded() throws {
        // 5/8 = 0.625 → 0.62 (not 0.63), leaving a positive residual for the second round.
        #expect(try chain("5/8", .refine) == "5/8={8*0.62=8*0.6+8*0.02=4.8+0.16=4.96;5-4.96=0.04;8*0.005=0.04;0.04-0.04=0;5/8=0.62+0.005=0.625}0.625")
    }
}
