import Testing
@testable import ReckonEvaluation

@Suite struct PartialProductTests {
    /// The division checks (`p'/k` and the quotient it must have) of the partial products in `chain`.
    private func divisions(_ chain: String) -> [String] {
        let text = Array(chain.utf8)
        return PartialProduct.all(in: text).map { p in
            let written = String(decoding: text[p.product], as: UTF8.self)
            return p.division(in: text).map { "\(written): \($0.question)=\($0.quotient)" } ?? "\(written): none"
        }
    }

    /// Each place term gives one division by its digit, the product's point moved by its places;
    /// terms by a 1 are shifts, read but not divided.
    @Test func partialProductsAreCheckedByDivision() {
        #expect(divisions("{45817*6293=45817*6000+45817*200+45817*90+45817*3=274902000+9163400+4123530+137451=284065400+4123530+137451}")
                == ["274902000: 274902/6=45817", "9163400: 91634/2=45817", "4123530: 412353/9=45817", "137451: 137451/3=45817"])
        #expect(divisions("{557.07*0.37=557.07*0.3+557.07*0.07=167.121+38.9949=206.1159}")
                == ["167.121: 1671.21/3=557.07", "38.9949: 3899.49/7=557.07"])
        #expect(divisions("{999*921=999*900+999*20+999*1=899100+19980+999=919080+999=918079}")
                == ["899100: 8991/9=999", "19980: 1998/2=999", "999: none"])
    }

    /// Only products written whole are read, and only in blocks of the form `a*b=a*m+…=p+…`:
    /// a division block's table is not a product block.
    @Test func onlyWholeProductsOfProductBlocksAreRead() {
        #expect(divisions("{4335*1093=4335*1000+4335*90+4335*3=4335000+390150+1200") == ["4335000: none", "390150: 39015/9=4335"])
        #expect(divisions("{274902/6:6*2=12,6*3=18|27-24=3,4}") == [])
        #expect(divisions("{12*34=12*30+13*4=360+48=408}") == [])
        #expect(divisions("3*4=12") == [])
    }

    /// Where p's digits sit, read as text: its first digit at a's moved by m's places (or one
    /// higher), none below a's last moved, the two from there those of the model's product of a's
    /// last two digits and k (where both orders agree); a shift is a's text moved. A misplaced p is rewritten with its
    /// digits where they must sit.
    @Test func partialProductsSitWhereTheirPlacesPutThem() {
        func product(_ chain: String, _ n: Int) -> (PartialProduct, [UInt8]) { (PartialProduct.all(in: Array(chain.utf8))[n], Array(chain.utf8)) }
        // Right: 45817*6000 (17*6=102), 557.07*0.3 (7*3=21), 999*1 (a shift).
        let (right, r) = product("{45817*6293=45817*6000+45817*200+45817*90+45817*3=274902000+9163400+4123530+137451=}", 0)
        #expect(right.lastDigitsQuestions == ["17*6", "6*17"] && right.placesHold(in: r, lastDigits: "102"))
        #expect(!right.placesHold(in: r, lastDigits: "112") && right.placesHold(in: r, lastDigits: nil))
        let (tenth, t) = product("{557.07*0.37=557.07*0.3+557.07*0.07=167.121+38.9949=206.1159}", 0)
        #expect(tenth.lastDigitsQuestions == ["7*3", "3*7"] && tenth.placesHold(in: t, lastDigits: "21"))
        let (shift, s) = product("{999*921=999*900+999*20+999*1=899100+19980+999=919080+999=918079}", 2)
        #expect(shift.isShift && shift.lastDigitsQuestions.isEmpty && shift.placesHold(in: s, lastDigits: nil))
        // The shipped model's misplaced points (session 70's answers): a place too high, a place
        // too low as its digits' last (55*2=110 ends in a zero), a shift a place too high.
        let (high, h) = product("{0.0006892151225*63090=0.0006892151225*60000+0.0006892151225*3000=413.5290735+2.0676453675=}", 0)
        #expect(high.lastDigitsQuestions == ["25*6", "6*25"] && !high.placesHold(in: h, lastDigits: nil))
        #expect(high.placed(in: h, lastDigits: "150") == "41.35290735")
        let (low, l) = product("{5331.510055*0.0202=5331.510055*0.02+5331.510055*0.0002=106.6302011+0.1066302011=}", 1)
        #expect(low.lastDigitsQuestions == ["55*2", "2*55"] && low.placesHold(in: l, lastDigits: nil))
        #expect(!low.placesHold(in: l, lastDigits: "110") && low.placed(in: l, lastDigits: "110") == "1.066302011")
        let (moved, m) = product("{24491080*7001=24491080*7000+24491080*1000=171437560000+244910800000=}", 1)
        #expect(!moved.placesHold(in: m, lastDigits: nil) && moved.placed(in: m, lastDigits: nil) == "24491080000")
        // A zero too many goes; digits that fit no place, or a place two zeros leave open, get
        // no rewrite; an answer that is no whole number is not compared.
        let (long, g) = product("{45817*6293=45817*6000+45817*200=2749020000+9163400=}", 0)
        #expect(!long.placesHold(in: g, lastDigits: "102") && long.placed(in: g, lastDigits: "102") == "274902000")
        let (extra, e) = product("{45817*6293=45817*6000+45817*200=2749021000+9163400=}", 0)
        #expect(!extra.placesHold(in: e, lastDigits: "102") && extra.placed(in: e, lastDigits: "102") == nil)
        let (zeros, z) = product("{1.25*4.4=1.25*4+1.25*0.4=500+0.5=}", 0)
        #expect(!zeros.placesHold(in: z, lastDigits: "100") && zeros.placed(in: z, lastDigits: "100") == nil)
        #expect(right.placesHold(in: r, lastDigits: "4.5") && PartialProduct.lastTwoDigits(of: "8") == "08")
        #expect(nonZeroPlaces(of: "0.0405")! == (-2, -4) && nonZeroPlaces(of: "7000")! == (3, 3) && nonZeroPlaces(of: "0.0") == nil)
        #expect(significantDigits(of: "0.04050") == "405" && digits(of: "120.5", at: -1 ..< 2) == "205")
    }

    /// a*k in pieces of two digits by one, asked in both orders, every other piece's product
    /// written side by side as text and the two numbers added by the model; p is its total moved
    /// to a's last place.
    @Test func aProductInPiecesIsPutTogetherAsText() {
        let p = PartialProduct.all(in: Array("{0.0001354906267*0.00404=0.0001354906267*0.004+0.0001354906267*0.00004=1+2=}".utf8))[1]
        #expect(p.pieceQuestions == ["67*4", "4*67", "62*4", "4*62", "9*4", "4*9", "54*4", "4*54", "13*4", "4*13"])
        let answers: [String?] = ["268", "268", "248", "248", "36", "36", "216", "216", "52", "52"]
        #expect(p.piecesSum(answers: answers)! == ("5203600268+216024800", true))
        #expect(p.fromPieces("5419625068", lastDigits: "268") == "0.000000005419625068")
        #expect(p.fromPieces("5419625067", lastDigits: "268") == nil && p.fromPieces("541962506800", lastDigits: "268") == nil)
        // Where the orders differ, `piece*k`'s answer is taken, and the pieces after it still read
        // their own answers.
        var differing = answers
        differing[1] = "258"
        #expect(p.piecesSum(answers: differing)! == ("5203600268+216024800", false))
        differing = answers
        differing[0] = "258"
        #expect(p.piecesSum(answers: differing)! == ("5203600258+216024800", false))
        var missing = answers
        missing[2] = nil
        #expect(p.piecesSum(answers: missing) == nil)
        missing = answers
        missing[2] = "24800"
        #expect(p.piecesSum(answers: missing) == nil)
        let one = PartialProduct(multiplicand: "7", digit: "4", places: 0, product: 0 ..< 1)
        #expect(one.pieceQuestions == ["7*4", "4*7"] && one.piecesSum(answers: ["28", "28"])! == ("28", true) && one.piecesSum(answers: []) == nil)
        let shift = PartialProduct(multiplicand: "7.5", digit: "1", places: 2, product: 0 ..< 1)
        #expect(shift.pieceQuestions.isEmpty && shift.piecesSum(answers: []) == nil)
    }

    /// A point moves as text: zeros appear where it leaves none and vanish where they lead or end a fraction.
    @Test func pointsMoveAsText() {
        #expect(movingPoint(of: "274902000", left: 3) == "274902")
        #expect(movingPoint(of: "236.3615", left: -2) == "23636.15")
        #expect(movingPoint(of: "4.5", left: 3) == "0.0045")
        #expect(movingPoint(of: "0.0045", left: -5) == "450")
        #expect(movingPoint(of: "120", left: 1) == "12")
        #expect(movingPoint(of: "7", left: 0) == "7")
        #expect(PartialProduct.placeTerm("7000")! == ("7", 3) && PartialProduct.placeTerm("0.03")! == ("3", -2))
        #expect(PartialProduct.placeTerm("8")! == ("8", 0) && PartialProduct.placeTerm("0.9")! == ("9", -1))
        #expect(PartialProduct.placeTerm("35") == nil)
    }

    /// The quotient must be the multiplicand's text, or, rounded to fewer decimals, agree with it
    /// up to its last digit.
    @Test func quotientsMatchTheMultiplicandsText() {
        let p = PartialProduct(multiplicand: "3376.5942707096", digit: "7", places: -2, product: 0 ..< 1)
        #expect(p.quotientMatches("3376.5942707096") && p.quotientMatches("3376.594271") && p.quotientMatches("3376.594270"))
        #expect(!p.quotientMatches("3376.584271") && !p.quotientMatches("3376") && !p.quotientMatches("3376.59427081"))
        let q = PartialProduct(multiplicand: "45817", digit: "6", places: 3, product: 0 ..< 1)
        #expect(q.quotientMatches("45817") && q.quotientMatches("45817.0") && !q.quotientMatches("45816") && !q.quotientMatches("45817.000001"))
    }
}

@Suite struct MainLineProductTests {
    /// The division checks of the main line's products by a place term in `question=chain`.
    private func divisions(_ question: String, _ chain: String, complete: Bool = true) -> [String] {
        let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
        let generated = Array(text[from...])
        return PartialProduct.mainLine(in: text, from: from, complete: complete, exactFractionDigits: 6).map { p in
            let written = String(decoding: generated[p.product], as: UTF8.self)
            return p.division(in: generated).map { "\(written): \($0.question)=\($0.quotient)" } ?? "\(written): none"
        }
    }

    /// Either operand may be the place term; signs stay outside; products by 1, products of two
    /// many-digit numbers (they have blocks) and other steps are not read.
    @Test func productsByAPlaceTermAreReadFromTheMainLine() {
        #expect(divisions("13127*4", "52408") == ["52408: 52408/4=13127"])
        #expect(divisions("2+8*36993-5", "2+295944-5=295946-5=295941") == ["295944: 295944/8=36993"])
        #expect(divisions("-0.03*41.5", "-1.245") == ["1.245: 124.5/3=41.5"])
        #expect(divisions("2*3*4", "6*4=24") == ["6: 6/3=2", "24: 24/4=6"])   // the second operand is tried first
        #expect(divisions("100*7", "700") == ["700: 700/7=100"])
        #expect(divisions("3-(9*245)", "3-2205=-2202") == ["2205: 2205/9=245"])
        #expect(divisions("[5*2]/3", "10/3=3.333333") == ["10: 10/2=5"])
        #expect(divisions("1000*77", "77000") == [])
        #expect(divisions("12*34", "{12*34=12*30+12*4=360+48=408}408") == [])
        #expect(divisions("12+3", "15") == [])
        #expect(divisions("13127*4", "52408", complete: false) == [])
    }

    /// A main-line product is exact, and checked as a block's are, where a*m has no more decimals
    /// than the chain's rounding keeps (here 6).
    @Test func mainLineProductsAreExactWhereNoRoundingReachesThem() {
        func exact(_ question: String, _ chain: String) -> [Bool] {
            let text = Array((question + "=" + chain).utf8)
            return PartialProduct.mainLine(in: text, from: question.utf8.count + 1, complete: true, exactFractionDigits: 6).map(\.isExact)
        }
        #expect(exact("13127*4", "52508") == [true])
        #expect(exact("-0.03*41.5", "-1.245") == [true])
        #expect(exact("0.000005*3", "0.000015") == [true])
        #expect(exact("0.0000005*3", "0.0000015") == [false])
        #expect(exact("7*0.004525839385", "0.0316808757") == [false])
    }
}
