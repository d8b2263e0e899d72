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

    @Test func shortDivision() throws {
        // The quotient so far and the remainder, one line per digit: 25 = 4·6 + 1, 13 = 4·3 + 1,
        // 10 = 4·2 + 2, 20 = 4·5; the division terminated, so no rounding closes the block.
        #expect(try chain("253/4-193", .shortdiv) == "253/4-193={253/4:6r1;63r1;63.2r2;63.25r0}63.25-193=-129.75")
        #expect(try chain("0.9/0.04", .shortdiv) == "0.9/0.04={0.9/0.04=90/4:2r1;22r2;22.5r0}22.5")
        // A quotient below one starts at its first non-zero digit.
        #expect(try chain("0.75/4", .shortdiv) == "0.75/4={0.75/4:0.1r3;0.18r3;0.187r2;0.1875r0}0.1875")
        // Lines go on to the units place even when nothing is left to divide.
        #expect(try chain("250/5", .shortdiv) == "250/5={250/5:5r0;50r0}50")
        #expect(try chain("123/100", .shortdiv) == "123/100=1.23")
        // Multiplication as in products.
        #expect(try chain("12*345", .shortdiv) == "12*345={345*12=345*10+345*2=3450+690=4140}4140")
    }

    @Test func shortDivisionStopsAtTheGuardDigitAndRounds() throws {
        // Under the standard policy 2/3 keeps 20 decimals: 21 lines, the last one the guard digit.
        let text = try chain("2/3", .shortdiv)
        #expect(text.hasPrefix("2/3={2/3:0.6r2;0.66r2;0.666r2;"))
        #expect(text.hasSuffix(";0.666666666666666666666r2~0.66666666666666666667}0.66666666666666666667"))
        #expect(text.split(separator: ";").count == 21)
        #expect(Verifier().check(text[...]) == nil)
    }

    @Test func limitsAreEnforced() throws {
        let tight = StepChain(format: .mathglm, limits: .init(maxIntegerDigits: 5))
        #expect(throws: LimitExceeded.self) { try tight.text(for: Expression(parsing: "999*999")) }
        #expect(throws: EvaluationError.self) { try tight.text(for: Expression(parsing: "1/(3-3)")) }
    }
}
