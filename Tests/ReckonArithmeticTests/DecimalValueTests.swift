import BigInt
import PropertyBased
import ReckonArithmetic
import Testing

func decimal(_ text: String) throws -> DecimalValue {
    try #require(try Expression(parsing: text).literal(at: 0)).value
}

@Suite struct DecimalValueTests {
    @Test func printsPlainDecimals() throws {
        #expect(DecimalValue(significand: 125, scale: 4).description == "0.0125")
        #expect(DecimalValue(significand: -125, scale: 1).description == "-12.5")
        #expect(DecimalValue(significand: 1200, scale: 2).description == "12")
        #expect(DecimalValue(significand: 0, scale: 5).description == "0")
        #expect(try decimal("9830.000").description == "9830")
    }

    @Test func roundsHalfAwayFromZero() {
        #expect(DecimalValue(rounding: Rational(1, 8), fractionDigits: 2).description == "0.13")
        #expect(DecimalValue(rounding: Rational(-1, 8), fractionDigits: 2).description == "-0.13")
        #expect(DecimalValue(rounding: Rational(1, 3), fractionDigits: 4).description == "0.3333")
        #expect(DecimalValue(rounding: Rational(2, 3), fractionDigits: 0).description == "1")
    }

    @Test func policyKeepsSignificantDigitsAndIntegerDigits() {
        let p = RoundingPolicy(significantDigits: 5, minimumFractionDigits: 2)
        #expect(p.apply(Rational(1, 3)).description == "0.33333")
        #expect(p.apply(Rational(1, 300)).description == "0.0033333")
        #expect(p.apply(Rational(1_000_000, 3)).description == "333333.33")
        #expect(p.apply(DecimalValue(significand: 123456789, scale: 3)).description == "123456.79")
        #expect(p.apply(DecimalValue(significand: 12345, scale: 2)).description == "123.45")
        #expect(p.apply(Rational(99999999, 1_000_000_000)).description == "0.1") // 0.099999999 rounds up a place
    }

    /// The generator's 128-bit long division and the big-number `Rational` path must agree.
    @Test func machineQuotientAgreesWithRationalPath() async {
        // The first digit picks the scale (0...18 via 2·d), the rest are the significand's digits.
        let decimals = Gen.int(in: 0...9).array(of: 2...21).map { ds -> DecimalValue in
            let m = ds.dropFirst().reduce(BigInt(0)) { $0 * 10 + BigInt($1) } + 1
            return DecimalValue(significand: ExactInteger(m), scale: 2 * ds[0])
        }
        await propertyCheck(count: 3000, input: decimals, decimals) { a, b in
            let policy = RoundingPolicy.standard
            if let fast = DecimalValue.quotient(a, b, policy: policy) {
                #expect(fast == policy.apply(a.rational / b.rational), "\(a)/\(b)")
            }
        }
    }

    /// Checked against Python's `decimal` module with 60 digits.
    @Test func quotientNeedingBigIntermediates() throws {
        let a = try decimal("1687783.00243283331"), b = try decimal("0.003902578266207128784")
        let expected = "432478963.21453414978"
        #expect(RoundingPolicy.standard.apply(a.rational / b.rational).description == expected)
        #expect(DecimalValue.quotient(a, b, policy: .standard)?.description == expected)
    }
}
