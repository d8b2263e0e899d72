import Foundation
import Testing
import ReckonArithmetic
import ReckonModel
@testable import ReckonEvaluation

@Suite struct SolverTests {
    @Test func votesWithOneChainEqualGreedy() throws {
        let model = try tinyModel()
        let questions = ["12*34", "5672*2933/(690/5715)", "7-2"].map { try! ReckonArithmetic.Expression(parsing: $0) }
        var options = SolverOptions()
        options.votes = 1; options.temperature = 5; options.maxNewTokens = 20; options.threads = 2
        let solver = Solver(model: model, options: options)
        let prompts = try questions.map { ($0, try solver.prompt(for: $0)) }
        let solutions = try solver.solve(prompts)
        let greedy = try BatchDecoder(model: model, threads: 1).decode(prompts.map { DecodeRequest(prompt: $0.1) }, maxNewTokens: 20)
        for (q, (s, g)) in zip(questions, zip(solutions, greedy)) {
            #expect(s.chain == q.text + "=" + model.tokenizer.decode(g.tokens))
            #expect(s.confidence == 1 && s.votes == 1)
        }
    }

    /// Progress counts the chains decoded, then, with subtraction checks, the chains checked, from
    /// none to all; without checks there is no checking phase.
    @Test func progressCountsDecodedThenCheckedChains() throws {
        let model = try tinyModel()
        let questions = ["12*34", "5672*2933/(690/5715)", "7-2"].map { try! ReckonArithmetic.Expression(parsing: $0) }
        for checks in [0, 1] {
            var options = SolverOptions()
            options.maxNewTokens = 20; options.threads = 2; options.subtractionChecks = checks
            let solver = Solver(model: model, options: options)
            let prompts = try questions.map { ($0, try solver.prompt(for: $0)) }
            var decoded: [Int] = [], checked: [Int] = []
            let lock = NSLock()
            _ = try solver.solve(prompts) { progress in
                lock.lock(); defer { lock.unlock() }
                switch progress {
                case .decoded(let n): decoded.append(n); #expect(checked.isEmpty)
                case .checked(let n, let total): checked.append(n); #expect(total == 3)
                }
            }
            #expect(decoded.last == 3 && decoded == decoded.sorted())
            #expect(checked == (checks == 0 ? [] : checked.sorted()))
            if checks > 0 { #expect(checked.first == 0 && checked.last == 3) }
        }
    }

    @Test func majorityVoteWithDeterministicTies() {
        func chains(_ answers: [String]) -> [(line: String, result: DecodeResult)] {
            answers.map { ("1+1=" + $0, DecodeResult(tokens: [], stop: .endToken)) }
        }
        let majority = Solver.vote(chains(["5", "6", "6.0", "7"]))
        #expect(majority.answer == "6" && majority.confidence == 0.5 && majority.votes == 4)
        let tie = Solver.vote(chains(["5", "6", "6", "5"]))
        #expect(tie.answer == "5" && tie.confidence == 0.5)   // first-seen wins: chain 0 is the greedy one
        let noAnswer = Solver.vote([("1+1", DecodeResult(tokens: [], stop: .tokenLimit))])
        #expect(noAnswer.answer == nil && noAnswer.confidence == 0)
        // Samples that agree with each other outvote a lone greedy answer.
        #expect(Solver.vote(chains(["9", "2", "2"])).answer == "2")
    }

    @Test func leastSureTokenIsLocatedInTheChain() {
        let digits = "0123456789", base = 3   // Tokenizer's ids of "0"... (default characters)
        func result(_ text: String, _ p: [Float], stop: DecodeResult.Stop = .endToken) -> DecodeResult {
            DecodeResult(tokens: text.map { base + digits.firstIndex(of: $0)!.utf16Offset(in: digits) }, stop: stop, probabilities: p)
        }
        let inside = Solver.vote([("12*3=36", result("36", [0.9, 0.4, 0.99]))])
        #expect(inside.leastSure == Double(Float(0.4)) && inside.leastSureOffset == 6)
        #expect(Array(inside.chain)[inside.leastSureOffset!] == "6")
        let end = Solver.vote([("12*3=36", result("36", [0.9, 0.8, 0.3]))])
        #expect(end.leastSure == Double(Float(0.3)) && end.leastSureOffset == nil)
        // Reversed numbers: the token order is not the chain's character order.
        #expect(Solver.vote([("12*3=36", result("36", [0.9, 0.4, 0.99]))], tokensInCharacterOrder: false).leastSureOffset == nil)
        // Cut at the token limit: no end token, so the last probability is the last digit's.
        let cut = Solver.vote([("12*3=36", result("36", [0.9, 0.2], stop: .tokenLimit))])
        #expect(cut.leastSureOffset == 6)
        #expect(Solver.vote([("12*3=", result("", []))]).leastSure == 1)
    }

    @Test func batchKeepsOrderAndSurvivesBadLines() throws {
        let model = try tinyModel()
        var options = SolverOptions()
        options.maxNewTokens = 12; options.threads = 2
        let solver = Solver(model: model, options: options)
        let lines = ["1+2", "", "3*", "12*34=", "1+x", "  7 - 2 = ", "1=2", "[4%]"]
        let records = try solver.solve(lines: lines)
        #expect(records.map(\.line) == Array(1...8))
        #expect(records.map(\.question) == ["1+2", "", "3*", "12*34", "1+x", "7-2", "1=2", "[4%]"])
        for bad in [1, 2, 4, 6] { #expect(records[bad].error != nil && records[bad].steps == nil, "line \(bad + 1)") }
        #expect(records[2].error!.contains("col 3"))
        // Good lines were solved, each as if alone.
        for good in [0, 3, 5, 7] {
            #expect(records[good].steps != nil)
            #expect(records[good].leastSure.map { $0 > 0 && $0 <= 1 } == true)
            let alone = try solver.solve(lines: [lines[good]])[0]
            #expect(alone.steps == records[good].steps && alone.answer == records[good].answer)
        }
    }

    @Test func questionWithoutAValueIsSolvedWithAWarning() throws {
        let solver = Solver(model: try tinyModel(), options: { var o = SolverOptions(); o.maxNewTokens = 8; return o }())
        let records = try solver.solve(lines: ["1/0", "2*(3-3)/(4-4)", "1/2"])
        #expect(records[0].warning == "division by zero in '1/0': the question has no value, so no answer is right")
        #expect(records[1].warning?.hasPrefix("division by zero in '") == true)
        #expect(records[2].warning == nil)
        for r in records { #expect(r.steps != nil) }   // still put to the model
    }

    @Test func questionOutsideTheVocabularyIsAnError() throws {
        let tokenizer = try Tokenizer(characters: "0123456789+-*/=")
        let config = ModelConfig(layers: 1, dModel: 16, heads: 2, contextLength: 16, vocabSize: tokenizer.vocabSize)
        let model = try Model(config: config, tokenizer: tokenizer, seed: 1)
        let solver = Solver(model: model)
        let records = try solver.solve(lines: ["[1+2]*3", "1+2", "123456789*123456789"])
        #expect(records[0].error?.contains("vocabulary") == true)
        #expect(records[2].error?.contains("context") == true)
        #expect(records[1].steps != nil)
    }
}
