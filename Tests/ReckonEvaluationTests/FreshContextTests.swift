import Foundation
import Testing
import ReckonArithmetic
import ReckonModel
@testable import ReckonEvaluation

@Suite struct FreshContextTests {
    /// The last whole step is found outside the blocks, after the last block that closes.
    @Test func lastWholeStepIsReadOutsideTheBlocks() throws {
        let tokenizer = try Tokenizer()
        let ids = try tokenizer.encode("{}="), (open, close, equals) = (ids[0], ids[1], ids[2])
        func step(_ text: String) throws -> String? {
            let tokens = try tokenizer.encode(text)
            guard let s = Solver.lastWholeStep(tokens, open: open, close: close, equals: equals) else { return nil }
            #expect(tokens[s.end] == equals && s.expression.upperBound == s.end)
            return tokenizer.decode(Array(tokens[s.expression]))
        }
        #expect(try step("84*27-7/3={84*27=84*20+84*7=1680+588=2268}2268-7/3={7/3:3*2=6|7-6=1,2;10-9") == "2268-7/3")
        #expect(try step("84*27-7/3={84*27=84*20+84*7=1680+588=2268}2268-7/3=2265.6") == "2268-7/3")
        #expect(try step("182-8.375=173.6") == "182-8.375")
        #expect(try step("{84*27=84*20+84*7=16") == nil)   // no `=` outside a block
        #expect(try step("18") == nil)
    }

    /// With a 300-token context the shipped model's chain for `(36+48)*27-7/3` is cut inside its
    /// long division. With fresh contexts, the chain keeps its steps up to `2268-7/3=` and goes on
    /// with the model's own chain for `2268-7/3`, asked as a question, to the right answer. At 256
    /// tokens that question's chain is cut too, before a whole step: the chain stays cut after
    /// one try. Skipped when the checkpoint is not at hand.
    @Test func aCutChainGoesOnFromItsLastWholeStep() throws {
        let directory = repositoryRoot.appendingPathComponent("Checkpoints/reckon-mathglm")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path) else { return }
        let (shipped, _) = try Checkpoint.loadModel(from: directory)
        func solve(_ text: String, context: Int, fresh: Bool) throws -> Solution {
            var options = SolverOptions()
            options.threads = 2; options.freshContexts = fresh
            let solver = Solver(model: try shipped.withContext(context), options: options)
            let question = try ReckonArithmetic.Expression(parsing: text)
            return try solver.solve([(question, try solver.prompt(for: question))])[0]
        }
        let cut = try solve("(36+48)*27-7/3", context: 300, fresh: false)
        #expect(cut.stop == .contextFull && cut.freshContexts == 0)
        #expect(cut.answer.flatMap(answerValue) == nil)
        let continued = try solve("(36+48)*27-7/3", context: 300, fresh: true)
        let asked = try solve("2268-7/3", context: 300, fresh: false)
        #expect(continued.stop == .endToken && continued.freshContexts == 1)
        #expect(continued.steps == Array(cut.steps.prefix(2)) + asked.steps)
        #expect(cut.steps.prefix(2).last == "{84*27=84*20+84*7=1680+588=2268}2268-7/3")
        #expect(continued.answer == "2265.666667")

        let stillCut = try solve("(36+48)*27-7/3", context: 256, fresh: true)
        #expect(stillCut.stop == .contextFull && stillCut.freshContexts == 1)
        #expect(stillCut.steps.prefix(2) == cut.steps.prefix(2))
    }
}
