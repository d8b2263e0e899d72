import Testing
@testable import ReckonEvaluation

@Suite struct SumStepTests {
    /// The checks (addends, total) of the ± steps of `question=chain`, and the results as written.
    private func sums(_ question: String, _ chain: String, complete: Bool = true) -> [String] {
        let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
        return SumStep.all(in: text, from: from, complete: complete).map { step in
            let generated = Array(text[from...])
            let written = String(decoding: generated[step.result], as: UTF8.self)
            return step.sum(in: generated).map { "\(written): \($0.addends)=\($0.total)" } ?? "\(written): none"
        }
    }

    /// Each sign case gives the sum of magnitudes that holds exactly when the step is right.
    @Test func signsAreGroupedIntoOneSum() {
        #expect(sums("8456-8204", "352") == ["352: 8204+352=8456"])
        #expect(sums("475-1214", "-739") == ["739: 475+739=1214"])
        #expect(sums("-79-1522", "-1601") == ["1601: 79+1522=1601"])
        #expect(sums("6497--6528", "13025") == ["13025: 6497+6528=13025"])
        #expect(sums("2421+-7316", "-4895") == ["4895: 2421+4895=7316"])
    }

    /// Steps are found through brackets and blocks; products, quotients and steps that are not
    /// done first are not read as sums, and an unfinished last expression is not read.
    @Test func stepsAreReadFromTheMainLine() {
        #expect(sums("4236+(6576+22)", "4236+6698=10934") == ["6698: 6576+22=6698", "10934: 4236+6698=10934"])
        #expect(sums("15689360-7--8265709-4655", "15689353--8265709-4655=23954062-4655=23949407")
                == ["15689353: 7+15689353=15689360", "23954062: 15689353+8265709=23954062", "23949407: 4655+23949407=23954062"])
        #expect(sums("2*3+4*5", "6+4*5={4*5=20}6+20=26") == ["26: 6+20=26"])
        #expect(sums("7-[(2+3)*4]", "7-[5*4]={5*4=20}7-20=-13") == ["5: 2+3=5", "13: 7+13=20"])
        #expect(sums("9583%-294", "9289%") == [])
        #expect(sums("12+3", "15", complete: false) == [])
        #expect(sums("12+3", "15=", complete: false) == ["15: 12+3=15"])
    }

    /// Decimal steps are read whole, point included; a malformed number is not a step.
    @Test func decimalStepsAreReadWhole() {
        #expect(sums("-205833.519675-5821", "-211654.519675") == ["211654.519675: 205833.519675+5821=211654.519675"])
        #expect(sums("3.25-7.5", "-4.25") == ["4.25: 3.25+4.25=7.5"])
        #expect(sums("1.5*2+0.25", "3+0.25=3.25") == ["3.25: 3+0.25=3.25"])
        #expect(sums("(0.5+2.25)*4", "2.75*4={2.75*4=11}11") == ["2.75: 0.5+2.25=2.75"])
        #expect(sums("1.5+2", "3.5.") == [])
        #expect(sums("1.5+2", ".35") == [])
    }

    /// A percentage operand is read as the decimal it stands for: its point moved as text.
    @Test func percentagesAreReadAsDecimals() {
        #expect(sums("396687175748.5952+5850%", "396687175807.0952") == ["396687175807.0952: 396687175748.5952+58.5=396687175807.0952"])
        #expect(sums("3466.6%+22", "56.666") == ["56.666: 34.666+22=56.666"])
        #expect(sums("-42707675+7524%", "-42707599.76") == ["42707599.76: 75.24+42707599.76=42707675"])
        #expect(sums("6.14%--524972.88", "524972.9414") == ["524972.9414: 0.0614+524972.88=524972.9414"])
        #expect(sums("100%-3%", "0.97") == ["0.97: 0.03+0.97=1"])
        #expect(movingPoint(of: "5", left: 2) == "0.05" && movingPoint(of: "12345", left: 2) == "123.45" && movingPoint(of: "0.5", left: 2) == "0.005")
    }

    /// The difference has c among its terms and subtracts the pair's smaller term; there is none
    /// when c is the pair's larger term (the model is poor at nearly equal differences).
    @Test func differencesSubtractTheSmallerTerm() {
        func difference(_ question: String, _ chain: String) -> String? {
            let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
            let steps = SumStep.all(in: text, from: from, complete: true)
            return steps.first?.sum(in: Array(text[from...]))?.difference.map { "\($0.question)=\($0.answer)" }
        }
        #expect(difference("8456-8204", "252") == "8456-252=8204")
        #expect(difference("4140+6462", "10602") == "10602-4140=6462")
        #expect(difference("-7987.5+-86.75", "-8074.25") == "8074.25-86.75=7987.5")
        #expect(difference("9-78309", "-78300") == nil)
        #expect(difference("1105-4", "1101") == nil)
        #expect(difference("10-5", "5") == "10-5=5")
    }

    /// Magnitudes compare digit by digit, whatever the texts' lengths.
    @Test func magnitudesCompareAsNumbers() {
        #expect(isSmaller("9.5", than: "12") && !isSmaller("12", than: "9.5"))
        #expect(isSmaller("0.5", than: "0.75") && !isSmaller("0.75", than: "0.5"))
        #expect(isSmaller("007", than: "8") && isSmaller("0.09", than: "0.1"))
        #expect(!isSmaller("2.50", than: "2.5") && !isSmaller("2.5", than: "2.50"))
        #expect(isSmaller("199", than: "200") && !isSmaller("200", than: "199"))
    }

    /// The step asked on its own folds b's sign into the operator.
    @Test func stepsAreAskedOnTheirOwn() {
        func question(_ question: String, _ chain: String) -> String? {
            let text = Array((question + "=" + chain).utf8)
            return SumStep.all(in: text, from: question.utf8.count + 1, complete: true).first?.question
        }
        #expect(question("15689353--8265709", "23954062") == "15689353+8265709")
        #expect(question("-26+394", "368") == "-26+394")
        #expect(question("2421+-7316", "-4895") == "2421-7316")
    }

    /// Asked in the other order, a step is `b±a`, whose answer is the step's negated when b's
    /// term is negative.
    @Test func stepsAreAskedInTheOtherOrder() {
        func swapped(_ question: String, _ chain: String) -> String? {
            let text = Array((question + "=" + chain).utf8)
            return SumStep.all(in: text, from: question.utf8.count + 1, complete: true).first
                .map { $0.swappedQuestion.question + ($0.swappedQuestion.negated ? " negated" : "") }
        }
        #expect(swapped("15499-88494", "-73095") == "88494-15499 negated")
        #expect(swapped("-26+394", "368") == "394-26")
        #expect(swapped("51200+8960", "60160") == "896+5120")
        #expect(swapped("-2.5-7", "-9.5") == "7+2.5 negated")
    }

    /// The product blocks' sums of partial products are steps too (up to a rounding `~`); the
    /// terms, the products and long-division blocks are not, nor is a block left open.
    @Test func productBlockSumsAreSteps() {
        func sums(_ chain: String) -> [String] {
            let text = Array(chain.utf8)
            return SumStep.inProductBlocks(of: text).map { step in
                let written = String(decoding: text[step.result], as: UTF8.self)
                return step.sum(in: text).map { "\(written): \($0.addends)=\($0.total)" } ?? "\(written): none"
            }
        }
        #expect(sums("9567*4393*2={9567*4393=9567*4000+9567*300+9567*90+9567*3=38268000+2870100+861030+28701=41138100+861030+28701=42099130+28701=42127831}42127831*2")
                == ["41138100: 382680+28701=411381", "42099130: 4113810+86103=4209913", "42127831: 42099130+28701=42127831"])
        #expect(sums("{0.5*31=0.5*30+0.5*1=15+0.5=15.5000~15.5}15.5") == ["15.5000: 15+0.5=15.5000"])
        #expect(sums("{576/14:14*2=28|57-56=1,4~4}4+{1+2=3") == [])
    }

    /// A long division's table `d*k=m` is read entry by entry as the multiple before it plus the
    /// head's d (d itself before the first), up to an entry not written whole or whose k is not
    /// the next digit; the last must also give 10d with d added.
    @Test func divisionTableMultiplesAreSums() {
        func tables(_ chain: String) -> [String] {
            let text = Array(chain.utf8)
            return SumStep.inDivisionTables(of: text).map { step in
                let written = String(decoding: text[step.result], as: UTF8.self)
                return step.sum(in: text).map { "\(written): \($0.addends)=\($0.total)" + ($0.difference.map { ", \($0.question)=\($0.answer)" } ?? "")
                    + ($0.next.map { ", \($0.addends)=\($0.total)" } ?? "") }!
            }
        }
        #expect(tables("{274902/6:6*2=12,6*3=18|27-24=3,4}") == ["12: 6+6=12, 12-6=6", "18: 12+6=18, 18-6=12"])
        #expect(tables("1+{9.83/4.2=98.3/42:42*2=84,42*3=126|98-84=14,2~2}2") == ["84: 42+42=84, 84-42=42", "126: 84+42=126, 126-42=84"])
        #expect(tables("{5/7:7*2=14,7*3=2") == ["14: 7+7=14, 14-7=7"])
        #expect(tables("{5/7:7*2=14,7*4=28,7*5=35|") == ["14: 7+7=14, 14-7=7"])
        #expect(tables("{95556*9=950004}") == [])
        // The shipped model's sure 28570094*7=209990658 (m6 = 171420564): the sum must be 199990658.
        let wrong = tables("{16598.569797/28570094:28570094*2=57140188,28570094*3=85710282,28570094*4=114280376,"
            + "28570094*5=142850470,28570094*6=171420564,28570094*7=209990658,28570094*8=228560752|")
        #expect(wrong.count == 7 && wrong[5] == "209990658: 171420564+28570094=209990658, 209990658-28570094=171420564")
        // The last multiple must also give 10d with d added (4442*9: 39978+4442=44420).
        let last = tables("{4134/4442:4442*2=8884,4442*3=13326,4442*4=17768,4442*5=22210,4442*6=26652,4442*7=31094,"
            + "4442*8=35536,4442*9=39978|")
        #expect(last.count == 8 && last[7] == "39978: 35536+4442=39978, 39978-4442=35536, 39978+4442=44420")
        #expect(tables("{1/500:500*2=1000,500*3=1500,500*4=2000,500*5=2500,500*6=3000,500*7=3500,500*8=4000,500*9=4500|").last
                == "4500: 40+5=45, 45-5=40, 45+5=50")
        // Shared zeros are left out: 500+500=1000 is asked as 5+5=10.
        #expect(tables("{1/500:500*2=1000|") == ["1000: 5+5=10, 10-5=5"])
    }

    /// A sum's terms are asked without the zeros they all end with, and a step's question
    /// without its operands' shared zeros, which go back on the model's answer.
    @Test func sharedZerosAreLeftOut() {
        #expect(sharedTrailingZeros(["848800000", "50928000", "899728000"]) == 3)
        #expect(sharedTrailingZeros(["848800000", "50928000", "899728001"]) == 0)
        #expect(sharedTrailingZeros(["600", "0"]) == 0)
        #expect(sharedTrailingZeros(["2.50", "10"]) == 0)
        #expect(sums("848800000+50928000", "999728000") == ["999728000: 848800+50928=999728"])
        #expect(sums("90000-79100", "10900") == ["10900: 791+109=900"])
        let text = Array("-848800000-50928000=-899728000".utf8)
        let step = SumStep.all(in: text, from: 20, complete: true)[0]
        #expect(step.question == "-848800-50928" && step.swappedQuestion.question == "50928+848800")
        #expect(step.answer(from: "-899728") == "-899728000" && step.answer(from: "0") == "0")
        #expect(step.answer(from: "8997.28") == nil)
    }

    /// Texts of numbers compare without the zeros that end a fraction.
    @Test func trailingFractionZerosAreIgnored() {
        #expect(withoutTrailingFractionZeros("2.50") == "2.5")
        #expect(withoutTrailingFractionZeros("7.000") == "7")
        #expect(withoutTrailingFractionZeros("100") == "100")
        #expect(withoutTrailingFractionZeros("0.05") == "0.05")
    }

    /// A result with fewer fraction digits than an operand may be rounded; its check then takes
    /// the exact result in c's place.
    @Test func shorterResultsMayBeRounded() throws {
        func step(_ question: String, _ chain: String) throws -> (step: SumStep, text: [UInt8]) {
            let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
            return (try #require(SumStep.all(in: text, from: from, complete: true).first), Array(text[from...]))
        }
        let rounded = try step("384249-9.083687883", "384239.916312")
        #expect(rounded.step.mayBeRounded(in: rounded.text))
        #expect(rounded.step.sum(in: rounded.text, exact: "384239.916312117")?.addends == "9.083687883+384239.916312117")
        let negative = try step("-1.277563528-39316499", "-39316500.277564")
        #expect(negative.step.sum(in: negative.text, exact: "-39316500.277563528")?.addends == "1.277563528+39316499")
        #expect(negative.step.sum(in: negative.text, exact: "-39316500.277563528")?.total == "39316500.277563528")
        let trimmed = try step("1.25+1.75", "3")
        #expect(trimmed.step.mayBeRounded(in: trimmed.text))
        let whole = try step("8456-8204", "252"), exact = try step("3.25-7.5", "-4.25")
        #expect(!whole.step.mayBeRounded(in: whole.text) && !exact.step.mayBeRounded(in: exact.text))
    }
}
