import Testing
@testable import ReckonEvaluation

@Suite struct PiecewiseQuestionTests {
    /// The pieces' questions of `question`, nil where none is asked.
    private func questions(_ question: String) -> [String?]? { PiecewiseQuestion(question)?.questions }

    /// A sum's terms are cut into aligned pieces of three digits from the units (from the
    /// point's alignment for decimals), each asked without and with a carry; a piece with a zero
    /// term is copied without a carry and asked `p+1` with one.
    @Test func sumsAreCutIntoAlignedPieces() {
        #expect(questions("5009396220+591894") == ["220+894", "220+894+1", "396+591", "396+591+1", nil, "9+1", nil, "5+1"])
        #expect(questions("28329970.0238+131720.83732") == ["380+732", "380+732+1", "2+83", "2+83+1", "997+172", "997+172+1",
                                                            "832+13", "832+13+1", nil, "2+1"])
        #expect(questions("1000000+7") == [nil, "7+1", nil, "0+1", nil, "1+1"])
    }

    /// A difference is asked digit by digit, its borrows read from the digits as texts: a digit
    /// smaller than the one it loses (or equal, with a borrow from below) borrows, and is asked
    /// with a `1` before it; a borrow from below is a `-1`; a digit that loses 0 is copied.
    @Test func differencesAreAskedDigitByDigit() {
        #expect(questions("5009988114-591894") == ["4-4", "11-9", "11-8-1", "8-1-1", "18-9", "9-5-1", nil, nil, nil, nil])
        #expect(questions("1000.5-0.75") == ["10-5", "15-7-1", "10-1", "10-1", "10-1", "1-1"])
    }

    /// Any question is cut into pieces when asked to be (`always`, a false step's second try),
    /// a sum's of two digits.
    @Test func shortQuestionsAreCutWhenAsked() {
        #expect(PiecewiseQuestion("2874-2682", always: true)?.questions == ["4-2", "17-8", "8-6-1", "2-2"])
        #expect(PiecewiseQuestion("3148+3857", always: true)?.questions == ["48+57", "48+57+1", "31+38", "31+38+1"])
        #expect(PiecewiseQuestion("7+5", always: true)?.questions == ["7+5", "7+5+1"])
        #expect(PiecewiseQuestion("2874-2682") == nil)
        #expect(PiecewiseQuestion("3148+3857", always: true)?.answer(from: ["105", "106", "69", "70"]) == "7005")
        #expect(PiecewiseQuestion("2874-2682", always: true)?.answer(from: ["2", "9", "1", "0"]) == "192")
    }

    /// Short questions and other questions are asked whole.
    @Test func otherQuestionsAreAskedWhole() {
        #expect(PiecewiseQuestion("12345+678") == nil)
        #expect(PiecewiseQuestion("1234.5+6") == nil)
        #expect(PiecewiseQuestion("-12345+6") == nil)
        #expect(PiecewiseQuestion("123456--7") == nil)
        #expect(PiecewiseQuestion("123456+-7") == nil)
        #expect(PiecewiseQuestion("--123456-7") == nil)
        #expect(PiecewiseQuestion("123456+7+1") == nil)
        #expect(PiecewiseQuestion("123456/7") == nil)
        #expect(PiecewiseQuestion("1.5.6+123456") == nil)
    }

    /// A signed question is asked as the sum of its magnitudes or the difference of the larger
    /// and the smaller, and its answer takes the sign back as text.
    @Test func signedQuestionsAreAskedAsMagnitudes() {
        #expect(questions("-5009396220-591894") == questions("5009396220+591894"))
        #expect(questions("591894-5009988114") == questions("5009988114-591894"))
        #expect(questions("-5009988114+591894") == questions("5009988114-591894"))
        #expect(questions("-591894+5009988114") == questions("5009988114-591894"))
        #expect(PiecewiseQuestion("-5009396220-591894")!.answer(from: ["1114", "1115", "987", "988", nil, "10", nil, "6"]) == "-5009988114")
        let answers = ["0", "2", "2", "6", "9", "3", nil, nil, nil, nil]
        #expect(PiecewiseQuestion("591894-5009988114")!.answer(from: answers) == "-5009396220")
        #expect(PiecewiseQuestion("-5009988114+591894")!.answer(from: answers) == "-5009396220")
        #expect(PiecewiseQuestion("-591894+5009988114")!.answer(from: answers) == "5009396220")
        // Equal magnitudes leave zero, which takes no sign.
        #expect(PiecewiseQuestion("-123456+123456")!.answer(from: ["0", "0", "0", "0", "0", "0"]) == "0")
    }

    /// A sum's answers are put together from the units' piece up, the carry read from a fourth digit.
    @Test func sumsArePutTogetherWithTheirCarries() {
        let sum = PiecewiseQuestion("5009396220+591894")!
        // 220+894=1114 (carry), 396+591+1=988, 9 copied, 5 copied.
        #expect(sum.answer(from: ["1114", "1115", "987", "988", nil, "10", nil, "6"]) == "5009988114")
        // A false piece gives a false sum: nothing is corrected outside the model.
        #expect(sum.answer(from: ["1114", "1115", "987", "998", nil, "10", nil, "6"]) == "5009998114")
        // A carry out of the top piece is kept whole; one below must be a single 1.
        #expect(PiecewiseQuestion("999999+1")!.answer(from: ["1000", "1001", nil, "1000"]) == "1000000")
        #expect(sum.answer(from: ["2114", "2115", "987", "988", nil, "10", nil, "6"]) == nil)
        #expect(sum.answer(from: ["11a", "1115", "987", "988", nil, "10", nil, "6"]) == nil)
        #expect(sum.answer(from: ["1114", "1115", "987", nil, nil, "10", nil, "6"]) == nil)
        // The point goes back in place, without the zeros the fraction's padding left.
        #expect(PiecewiseQuestion("28329970.0238+131720.83732")!.answer(from: ["1112", "1113", "85", "86", "1169", "1170", "845", "846", nil, "3"])
                == "28461690.86112")
        #expect(PiecewiseQuestion("0.25+0.75005")!.answer(from: [nil, "6", "100", "101"]) == "1.00005")
        #expect(PiecewiseQuestion("0.0025+0.00005")!.answer(from: ["255", "256", nil, "1"]) == "0.00255")
        // A fraction longer than a chain keeps is asked in pieces too, its result exact.
        #expect(questions("0.1234567+1") == [nil, "567+1", nil, "234+1", "1+10", "1+10+1"])
        #expect(PiecewiseQuestion("0.1234567+1")!.answer(from: [nil, "568", nil, "235", "11", "12"]) == "1.1234567")
    }

    /// A difference's digits are the model's answers, copied digits and leading zeros aside.
    @Test func differencesArePutTogetherDigitByDigit() {
        let difference = PiecewiseQuestion("5009988114-591894")!
        #expect(difference.answer(from: ["0", "2", "2", "6", "9", "3", nil, nil, nil, nil]) == "5009396220")
        #expect(difference.answer(from: ["0", "2", "2", "6", "8", "3", nil, nil, nil, nil]) == "5009386220")
        #expect(difference.answer(from: ["0", "12", "2", "6", "9", "3", nil, nil, nil, nil]) == nil)
        #expect(difference.answer(from: ["0", "-2", "2", "6", "9", "3", nil, nil, nil, nil]) == nil)
        #expect(difference.answer(from: ["0", nil, "2", "6", "9", "3", nil, nil, nil, nil]) == nil)
        #expect(PiecewiseQuestion("1000.5-0.75")!.answer(from: ["5", "7", "9", "9", "9", "0"]) == "999.75")
        #expect(PiecewiseQuestion("1000000-999999")!.answer(from: ["1", "0", "0", "0", "0", "0", "0"]) == "1")
    }

    /// A difference's digit can be found by sums: the r whose `q+r` the model gives as the
    /// piece's minuend (after a borrow from below, as its minuend less one).
    @Test func differencesDigitsAreFoundBySums() throws {
        let difference = try #require(PiecewiseQuestion("2874-2682", always: true))
        let sums = { (q: Int) in (0 ... 9).map { "\(q)+\($0)" } }
        // 4-2: 2+r=4; 17-8: 8+r=17; 8-6 after a borrow: 6+r is the model's 8-1; 2-2: 2+r=2.
        let questions = try #require(difference.digitSumQuestions)
        #expect(questions == [sums(2), sums(8), ["8-1"] + sums(6), sums(2)])
        let right = { (q: Int) -> [String?] in (0 ... 9).map { String(q + $0) } }
        let answers = right(2) + right(8) + ["7"] + right(6) + right(2)
        #expect(difference.digits(bySums: answers) == ["2", "9", "1", "0"])
        #expect(difference.answer(from: difference.digits(bySums: answers)) == "192")
        // The model's answer to the minuend less one is what the sums must give.
        var slipped = answers
        slipped[20] = "6"
        #expect(difference.digits(bySums: slipped) == ["2", "9", "0", "0"])
        // No sum that gives the minuend, or two: no digit, and no answer.
        var none = answers
        none[19] = "18"
        #expect(difference.digits(bySums: none)[1] == nil)
        var two = answers
        two[18] = "17"
        #expect(difference.digits(bySums: two)[1] == nil)
        #expect(difference.answer(from: difference.digits(bySums: two)) == nil)
        // A sum, and a difference in wider pieces, are not asked so.
        #expect(PiecewiseQuestion("3148+3857", always: true)?.digitSumQuestions == nil)
        #expect(PiecewiseQuestion("1000.5-0.75")?.digitSumQuestions?.first == ["5+0", "5+1", "5+2", "5+3", "5+4", "5+5", "5+6", "5+7", "5+8", "5+9"])
    }
}
