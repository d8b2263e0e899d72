import ReckonArithmetic
import Testing

@Suite struct ParserTests {
    @Test(arguments: [
        "2*3+4*5", "5672*2933/(690/5715)", "9830/4859%", "-5*3", "3*-7", "4--2", "+-5", "-(2+3)",
        "0.0125+12.5%", "[(1+2)*3-4]*(5+6)", "(4/72)+(95/72)", "-5^2", "(-5)^2", "2^-3", "-1329.9--2428",
        "--5", "123456789012345678901234567890*2", "1-(-3)",
    ])
    func canonicalTextRoundTrips(_ text: String) throws {
        let e = try Expression(parsing: text)
        #expect(e.text == text)
        #expect(try Expression(parsing: e.text).text == text)
    }

    @Test func spacesAndRedundantZerosNormalise() throws {
        #expect(try Expression(parsing: " 2 * ( 3 + 4 ) ").text == "2*(3+4)")
        #expect(try Expression(parsing: "007.50").text == "7.5")
    }

    @Test(arguments: [
        ("2*(3+4", 7, "missing ')' for '(' at col 3"),
        ("1+)", 3, "unexpected ')'"),
        ("", 1, "empty expression"),
        ("   ", 1, "empty expression"),
        ("3..4", 3, "expected a digit after '.'"),
        ("2*x", 3, "unexpected 'x'"),
        ("(1+2]", 5, "unexpected ']'"),
        ("2+", 3, "unexpected end of expression"),
        ("()", 2, "empty brackets"),
        ("1 2", 3, "unexpected '2'"),
        ("5=", 2, "unexpected '='"),
    ])
    func errorsNameTheColumn(_ text: String, _ column: Int, _ message: String) {
        #expect(throws: ParseError(column: column, message: message)) { try Expression(parsing: text) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(throws: ParseError.self) { try Expression(parsing: text) }
    }

    @Test(arguments: [
        ("-5^2", "-25"), ("(-5)^2", "25"), ("9830/4859%", "983000/4859"), ("3*-7", "-21"), ("4--2", "6"),
        ("+-5", "-5"), ("-(2+3)", "-5"), ("2^-3", "1/8"), ("2^3^2", "512"), ("8/4/2", "1"), ("8-4-2", "2"),
        ("12.5%", "1/8"), ("(4/72)+(95/72)", "11/8"),
    ])
    func exactValues(_ text: String, _ value: String) throws {
        #expect(try Expression(parsing: text).exactValue().description == value)
    }

    /// Only quotients are rounded, each where it is computed: `1/3*3000` keeps 0.33 → 990 with
    /// 2 significant digits, `2*3000/3` is untouched by rounding, and big quotients keep their integer digits.
    @Test(arguments: [
        ("1/3*3000", 2, "990"), ("1/3*3000", 6, "999999/1000"), ("2*3000/3", 2, "2000"),
        ("1/3+1/3", 2, "33/50"), ("-(1/3)", 3, "-333/1000"), ("987654/7", 2, "141093"),
        ("(1/3)*(1/3)", 1, "9/100"),
    ])
    func quotientsRoundedAlone(_ text: String, _ digits: Int, _ value: String) throws {
        let policy = RoundingPolicy(significantDigits: digits, minimumFractionDigits: 0)
        #expect(try Expression(parsing: text).value(roundingQuotientsBy: policy).description == value)
    }

    @Test func evaluationErrors() throws {
        #expect(throws: EvaluationError.divisionByZero("1/(2-2)")) { try Expression(parsing: "1/(2-2)").exactValue() }
        #expect(throws: EvaluationError.nonIntegerExponent("2^0.5")) { try Expression(parsing: "2^0.5").exactValue() }
        #expect(throws: EvaluationError.exponentOutOfRange("2^1000")) { try Expression(parsing: "2^1000").exactValue() }
    }
}
