import Foundation
import ReckonArithmetic
import ReckonGenerator
import Testing

@Suite struct CorpusTests {
    @Test func sameOutputOnAnyNumberOfThreads() throws {
        let recipe = try shippedRecipe("mathglm")
        for dedup in [false, true] {
            var outputs: [String] = []
            for threads in [1, 2, 3] {
                var writer = CorpusWriter(generator: ExampleGenerator(recipe: recipe, seed: 42), threads: threads)
                writer.chunkSize = 97 // several chunks and batches even for a small count
                writer.deduplicate = dedup
                outputs.append(try corpus(writer, count: 3000))
            }
            #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
            #expect(outputs[0].split(separator: "\n").count == 3000)
        }
    }

    /// The ablation compares formats on the same questions: acceptance must not depend on the format.
    @Test func everyFormatGetsTheSameQuestions() throws {
        let recipe = try shippedRecipe("mathglm")
        let questionSets = try StepFormat.allCases.map { format in
            try corpus(CorpusWriter(generator: ExampleGenerator(recipe: recipe, format: format, split: .test, seed: 8), threads: 2), count: 30)
                .split(separator: "\n").map { chainComponents($0)[0] }
        }
        #expect(questionSets[0] == questionSets[1] && questionSets[1] == questionSets[2])
    }

    @Test func seedsDiffer() throws {
        let recipe = try shippedRecipe("basic")
        let a = try corpus(CorpusWriter(generator: ExampleGenerator(recipe: recipe, seed: 1), threads: 2), count: 200)
        let b = try corpus(CorpusWriter(generator: ExampleGenerator(recipe: recipe, seed: 2), threads: 2), count: 200)
        #expect(a != b)
    }

    @Test func trainAndTestSplitsAreDisjoint() throws {
        let recipe = try shippedRecipe("mathglm")
        let train = try corpus(CorpusWriter(generator: ExampleGenerator(recipe: recipe, split: .train, seed: 9), threads: 2), count: 100_000)
        let test = try corpus(CorpusWriter(generator: ExampleGenerator(recipe: recipe, split: .test, seed: 9), threads: 2), count: 300)
        func questions(_ text: String) -> Set<Substring> { Set(text.split(separator: "\n").map { chainComponents($0)[0] }) }
        let trainQuestions = questions(train), testQuestions = questions(test)
        #expect(testQuestions.allSatisfy { TestSplit.isTest(String($0)) })
        #expect(!trainQuestions.contains { TestSplit.isTest(String($0)) })
        #expect(trainQuestions.isDisjoint(with: testQuestions))
    }

    @Test func aboutOneQuestionInAThousandIsHeldOut() {
        let n = 200_000
        let held = (0..<n).filter { TestSplit.isTest("\($0)*\($0 % 977)") }.count
        #expect(abs(held - n / 1000) < 5 * Int(Double(n / 1000).squareRoot()) + 1) // within 5σ of 1/1000
    }

    @Test func jsonLinesHoldQuestionStepsAndAnswer() throws {
        var writer = CorpusWriter(generator: ExampleGenerator(recipe: try shippedRecipe("basic"), seed: 1), threads: 1)
        writer.lineFormat = .jsonl
        let text = try corpus(writer, count: 50)
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let question = try #require(object["question"] as? String)
            let steps = try #require(object["steps"] as? [String])
            #expect(object["answer"] as? String == steps.last)
            #expect(Verifier().check(([question] + steps).joined(separator: "=")[...]) == nil)
        }
    }

    @Test func dedupRemovesRepeatedQuestions() throws {
        // basic has few distinct one-operation questions: duplicates are common without dedup.
        var writer = CorpusWriter(generator: ExampleGenerator(recipe: try shippedRecipe("basic"), seed: 1), threads: 2)
        writer.deduplicate = true
        let lines = try corpus(writer, count: 5000).split(separator: "\n").map { chainComponents($0)[0] }
        #expect(Set(lines).count == lines.count)
        #expect(lines.count == 5000)
    }
}
