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
    /// terms by a 1 are shifts and are not checked.
    @Test func partialProductsAreCheckedByDivision() {
        #expect(divisions("{45817*6293=45817*6000+45817*200+45817*90+45817*3=274902000+9163400+4123530+137451=284065400+4123530+137451}")
                == ["274902000: 274902/6=45817", "9163400: 91634/2=45817", "4123530: 412353/9=45817", "137451: 137451/3=45817"])
        #expect(divisions("{557.07*0.37=557.07*0.3+557.07*0.07=167.121+38.9949=206.1159}")
                == ["167.121: 1671.21/3=557.07", "38.9949: 3899.49/7=557.07"])
        #expect(divisions("{999*921=999*900+999*20+999*1=899100+19980+999=919080+999=918079}")
                == ["899100: 8991/9=999", "19980: 1998/2=999"])
    }

    /// Only products written whole are read, and only in blocks of the form `a*b=a*m+…=p+…`:
    /// a division block's table is not a product block.
    @Test func onlyWholeProductsOfProductBlocksAreRead() {
        #expect(divisions("{4335*1093=4335*1000+4335*90+4335*3=4335000+390150+1200") == ["390150: 39015/9=4335"])
        #expect(divisions("{274902/6:6*2=12,6*3=18|27-24=3,4}") == [])
        #expect(divisions("{12*34=12*30+13*4=360+48=408}") == [])
        #expect(divisions("3*4=12") == [])
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
        return PartialProduct.mainLine(in: text, from: from, complete: complete).map { p in
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
        #expect(divisions("1000*77", "77000") == [])
        #expect(divisions("12*34", "{12*34=12*30+12*4=360+48=408}408") == [])
        #expect(divisions("12+3", "15") == [])
        #expect(divisions("13127*4", "52408", complete: false) == [])
    }
}
