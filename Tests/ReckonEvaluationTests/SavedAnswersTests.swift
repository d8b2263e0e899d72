import Foundation
import Testing
import ReckonArithmetic
@testable import ReckonEvaluation

@Suite struct SavedAnswersTests {
    static func jsonLines(_ records: [Solver.Record]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for r in records { data += try encoder.encode(r); data.append(UInt8(ascii: "\n")) }
        return data
    }

    static func items(_ texts: [String]) throws -> [GradingItem] {
        try texts.map { try GradingItem(question: Expression(parsing: $0)) }
    }

    /// Answers solved in two parts by `solve(lines:)`, saved and read back, grade exactly as the
    /// run that solves the questions itself: same chains, answers, grades, diagnoses, repairs.
    @Test func savedAnswersGradeAsTheRunThatSolvedThem() throws {
        let model = try tinyModel()
        let texts = ["12*34", "5672*2933/(690/5715)", "7-2", "(1+2)*3", "9/4"]
        let items = try Self.items(texts)
        for checks in [0, 1] {
            var options = SolverOptions()
            options.maxNewTokens = 40; options.threads = 2; options.subtractionChecks = checks
            let solver = Solver(model: model, options: options)
            let direct = try Evaluation.run(items, solver: solver)
            var saved = SavedAnswers()
            // Part 2 first, with a line solve could not put to the model: order and such lines do not matter.
            try saved.add(jsonLines: Self.jsonLines(try solver.solve(lines: ["3*", "  (1+2)*3 = "] + texts[4...])), file: "part2.jsonl")
            try saved.add(jsonLines: Self.jsonLines(try solver.solve(lines: Array(texts[..<3]))), file: "part1.jsonl")
            let graded = Evaluation.grade(items, solutions: try saved.solutions(for: items, subtractionChecks: checks), threads: 2)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for (var g, var d) in zip(graded, direct) {
                // Probabilities move in the last float bits with the batch a chain was decoded in.
                #expect(abs(g.leastSure! - d.leastSure!) <= 1e-5 * d.leastSure!)
                g.leastSure = nil; d.leastSure = nil
                #expect(String(decoding: try encoder.encode(g), as: UTF8.self) == String(decoding: try encoder.encode(d), as: UTF8.self),
                        "checks \(checks)")
            }
            #expect(graded.map(\.repairs).allSatisfy { ($0 != nil) == (checks > 0) })
        }
    }

    @Test func missingConflictingOrMislabelledAnswersAreErrors() throws {
        let items = try Self.items(["1+2", "3*4", "10-7"])
        func record(_ line: Int, _ question: String, _ steps: [String], repairs: Int? = nil) -> Solver.Record {
            Solver.Record(line: line, question: question, answer: steps.last, steps: steps, repairs: repairs)
        }
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        var saved = SavedAnswers()
        try saved.add(jsonLines: Self.jsonLines([record(1, "1+2", ["3"]), record(2, "10-7", ["3"])]), file: "a.jsonl")
        #expect(message { _ = try saved.solutions(for: items, subtractionChecks: 0) } .hasPrefix("no saved answer to 1 of 3 questions: #2 '3*4' (are these"))
        // The same question saved again with the same chain is fine; with another chain it is not.
        try saved.add(jsonLines: Self.jsonLines([record(1, "3*4", ["12"]), record(2, "1+2", ["3"])]), file: "b.jsonl")
        #expect(try saved.solutions(for: items, subtractionChecks: 0).map(\.answer) == ["3", "12", "3"])
        #expect(message { try saved.add(jsonLines: Self.jsonLines([record(1, " 1 + 2", ["4"])]), file: "c.jsonl") }
                == "c.jsonl:1: '1+2' has another chain at a.jsonl:1")
        // Greedy answers graded as checked ones, and the reverse, are caught.
        #expect(message { _ = try saved.solutions(for: items, subtractionChecks: 5) }.hasPrefix("a.jsonl:1: solved without --check-subtractions"))
        var checked = SavedAnswers()
        try checked.add(jsonLines: Self.jsonLines([record(1, "1+2", ["3"], repairs: 0), record(2, "3*4", ["12"], repairs: 6),
                                                   record(3, "10-7", ["3"], repairs: 1)]), file: "d.jsonl")
        #expect(message { _ = try checked.solutions(for: items, subtractionChecks: 0) }.hasPrefix("d.jsonl:1: solved with --check-subtractions"))
        #expect(message { _ = try checked.solutions(for: items, subtractionChecks: 5) } == "d.jsonl:2: 6 lines repaired, more than the --check-subtractions 5 given")
        #expect(try checked.solutions(for: items, subtractionChecks: 6).map(\.repairs) == [0, 6, 1])
        // Chains that went on in a fresh context are graded only as such.
        var continued = SavedAnswers()
        var long = record(2, "3*4", ["12"])
        long.freshContexts = 2
        try continued.add(jsonLines: Self.jsonLines([record(1, "1+2", ["3"]), long, record(3, "10-7", ["3"])]), file: "h.jsonl")
        #expect(message { _ = try continued.solutions(for: items, subtractionChecks: 0) }
                == "h.jsonl:2: solved with --fresh-context (\"freshContexts\": 2), but the answers are said to be solved without: give --fresh-context")
        #expect(try continued.solutions(for: items, subtractionChecks: 0, freshContexts: true).map(\.freshContexts) == [0, 2, 0])
        // Lines that are not records say where and why.
        var bad = SavedAnswers()
        #expect(message { try bad.add(jsonLines: Data("{\"line\":1,\"question\":\"1+2\"}\n{\"line\":2\n".utf8), file: "e.jsonl") }
                == "e.jsonl:2: not a record of `reckon solve --output` (not valid JSON)")
        #expect(message { try bad.add(jsonLines: Data("{\"question\":\"1+2\",\"steps\":[\"3\"]}\n".utf8), file: "f.jsonl") }
                == "f.jsonl:1: not a record of `reckon solve --output` (key 'line' not found)")
        #expect(message { try bad.add(jsonLines: Data("{\"line\":1,\"question\":\"1+\",\"steps\":[\"3\"]}\n".utf8), file: "g.jsonl") }
                == "g.jsonl:1: cannot parse '1+': col 3: unexpected end of expression")
    }
}
