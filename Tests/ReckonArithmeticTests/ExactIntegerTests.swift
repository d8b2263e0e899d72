import BigInt
import PropertyBased
import ReckonArithmetic
import Testing

/// Random integers around the interesting sizes: 64-bit, 128-bit and beyond.
/// The first digit is the sign (odd: negative), the rest the magnitude's digits.
let integers = Gen.int(in: 0...9).array(of: 2...60).map { ds -> BigInt in
    let m = ds.dropFirst().reduce(BigInt(0)) { $0 * 10 + BigInt($1) }
    return ds[0] % 2 == 1 ? -m : m
}

@Suite struct ExactIntegerTests {
    @Test func agreesWithBigIntOnEveryOperation() async {
        await propertyCheck(count: 2000, input: integers, integers) { a, b in
            let x = ExactInteger(a), y = ExactInteger(b)
            #expect((x + y).bigValue == a + b)
            #expect((x - y).bigValue == a - b)
            #expect((x * y).bigValue == a * b)
            #expect((-x).bigValue == -a)
            #expect((x < y) == (a < b))
            #expect(x.description == a.description)
            if b != 0 {
                let (q, r) = x.quotientAndRemainder(dividingBy: y)
                let (bq, br) = a.quotientAndRemainder(dividingBy: b)
                #expect(q.bigValue == bq && r.bigValue == br)
            }
            #expect(ExactInteger.gcd(x, y).bigValue == BigInt(a.magnitude.greatestCommonDivisor(with: b.magnitude)))
            #expect(x.decimalDigitCount == a.magnitude.description.count)
            #expect(x.isMultipleOfTen == (a % 10 == 0))
        }
    }

    @Test func roundTripsThroughBigIntAtTheBoundaries() {
        let edges: [BigInt] = [BigInt(Int64.max), BigInt(Int64.min), BigInt(Int64.max) + 1,
                               (BigInt(1) << 127) - 1, -(BigInt(1) << 127), BigInt(1) << 127, -(BigInt(1) << 127) - 1,
                               BigInt(10).power(38), BigInt(10).power(39) + 7]
        for v in edges {
            #expect(ExactInteger(v).bigValue == v)
            #expect(ExactInteger(v).description == v.description)
        }
    }

    @Test func parsesDigits() {
        #expect(ExactInteger(digits: Array("0042".utf8))?.description == "42")
        #expect(ExactInteger(digits: Array("123456789012345678901234567890123456789012".utf8))?.description
                == "123456789012345678901234567890123456789012")
        #expect(ExactInteger(digits: Array("12a".utf8)) == nil)
        #expect(ExactInteger(digits: [UInt8]()) == nil)
    }
}
