import ReckonArithmetic
import Testing

/// Steps of `text` under `policy`, each the whole expression, as MathGLM writes them.
func steps(_ text: String, policy: RoundingPolicy = .standard) throws -> [String] {
    var e = try Expression(parsing: text)
    e.normalize()
    var out = [e.text]
    while try e.performNextOperation(policy: policy) != nil { out.append(e.text) }
    return out
}

@Suite struct StepExpansionTests {
    // Every chain below was worked by hand.
    @Test func precedenceOrder() throws {
        #expect(try steps("2*3+4*5") == ["2*3+4*5", "6+4*5", "6+20", "26"])
        #expect(try steps("2+3-4*5") == ["2+3-4*5", "2+3-20", "5-20", "-15"])
        #expect(try steps("8/4*2") == ["8/4*2", "2*2", "4"])
        #expect(try steps("2*3^2") == ["2*3^2", "2*9", "18"])
    }

    @Test func bracketsFirstInnermostAndLeftmost() throws {
        #expect(try steps("[(1+2)*3-4]*(5+6)") == ["[(1+2)*3-4]*(5+6)", "[3*3-4]*(5+6)", "[9-4]*(5+6)", "5*(5+6)", "5*11", "55"])
        #expect(try steps("(1*2+3)*(4*5+6)") == ["(1*2+3)*(4*5+6)", "(2+3)*(4*5+6)", "5*(4*5+6)", "5*(20+6)", "5*26", "130"])
    }

    @Test func unaryMinusAndNegatives() throws {
        #expect(try steps("-(2+3)*4") == ["-(2+3)*4", "-5*4", "-20"])
        #expect(try steps("3*-7+4--2") == ["3*-7+4--2", "-21+4--2", "-17--2", "-15"])
        #expect(try steps("2*(3-8)") == ["2*(3-8)", "2*-5", "-10"])
        #expect(try steps("-(3-8)") == ["-(3-8)", "5"])
        #expect(try steps("(2-7)^2") == ["(2-7)^2", "(-5)^2", "25"])
        #expect(try steps("-5^2") == ["-5^2", "-25"])
    }

    @Test func percentBindsToItsNumber() throws {
        // 9830/48.59 = 202.305001029018316526034163408… → 20 significant digits.
        #expect(try steps("9830/4859%") == ["9830/4859%", "202.30500102901831653"])
        #expect(try steps("200*5%+1") == ["200*5%+1", "10+1", "11"])
    }

    @Test func nonTerminatingDivisionFollowsThePolicy() throws {
        // 20 significant digits: 20 decimals below 1, 19 once there is an integer digit.
        #expect(try steps("1/3+1") == ["1/3+1", "0.33333333333333333333+1", "1.3333333333333333333"])
        let short = RoundingPolicy(significantDigits: 4, minimumFractionDigits: 2)
        #expect(try steps("2/3*3000", policy: short) == ["2/3*3000", "0.6667*3000", "2000.1"])
        #expect(try steps("100000/3", policy: short) == ["100000/3", "33333.33"])
    }
}
