import Foundation
import ReckonArithmetic
import ReckonGenerator
import Testing

@Suite struct RecipeTests {
    /// The recipe list comes from a directory listing; an empty one would test nothing.
    @Test func everyDocumentedRecipeIsFound() {
        for name in ["basic", "single-op", "long", "mathglm", "reckon-mathglm", "reckon-mathglm-curriculum",
                     "reckon-mathglm-division", "reckon-mathglm-longdiv", "ablation"] {
            #expect(shippedRecipeNames.contains(name), "\(name)")
        }
    }

    @Test(arguments: shippedRecipeNames)
    func shippedRecipesLoad(_ name: String) throws {
        let recipe = try shippedRecipe(name)
        #expect(recipe.name == name)
        #expect(!recipe.description.isEmpty)
    }

    @Test(arguments: [
        (#"{"name": "x", "bracket": {}}"#, "bracket: unknown field"),
        (#"{"name": "x", "operands": {"digits": {"min": 3, "max": 2}}}"#, "operands.digits.max: must be ≥ min (3), got 2"),
        (#"{"name": "x", "operations": {"min": 1, "max": 3, "weights": [1, 2]}}"#, "operations.weights: needs one weight per value 1...3 (3), got 2"),
        (#"{"name": "x", "operators": {"%": 1}}"#, "operators.%: unknown operator"),
        (#"{"name": "x", "operands": {"negative": 1.5}}"#, "operands.negative: must be a probability in [0, 1], got 1.5"),
        (#"{"name": "x", "format": "steps"}"#, "format: unknown format 'steps'"),
        (#"{"name": "x", "stages": [{"operations": {"min": 1, "max": 1}}]}"#, "stages[0].until: required"),
        (#"{"name": "x", "stages": [{"until": 0.5}, {"until": 0.4}]}"#, "stages[1].until: must increase"),
        (#"{"description": "no name"}"#, "name: a non-empty string is required"),
        (#"{"name": "x", "operands": {"digits": {"min": "1", "max": 2}}}"#, "operands.digits.min: must be a number"),
        (#"{"name": "x""#, "not valid JSON"),
        (#"{"name": "x", "precision": {"significantDigits": 1}}"#, "precision.significantDigits: must be in 2...60, got 1"),
        (#"{"name": "x", "precision": {"digits": 8}}"#, "precision.digits: unknown field"),
    ])
    func invalidRecipesNameTheField(_ json: String, _ expected: String) {
        #expect {
            try Recipe(json: Data(json.utf8))
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    @Test func stagesFollowProgress() throws {
        let recipe = try Recipe(json: Data(#"""
        {"name": "c", "operations": {"min": 3, "max": 3},
         "stages": [{"until": 0.25, "operations": {"min": 1, "max": 1}}, {"until": 0.5, "operands": {"digits": {"min": 5, "max": 5}}}]}
        """#.utf8))
        #expect(recipe.stage(at: 0).operations.range == 1...1)
        #expect(recipe.stage(at: 0.3).operations.range == 3...3)
        #expect(recipe.stage(at: 0.3).digits.range == 5...5)
        #expect(recipe.stage(at: 0.9).digits.range == 1...3)
        let generator = ExampleGenerator(recipe: recipe, seed: 0)
        let early = try generator.example(index: 0, progress: 0.1), late = try generator.example(index: 0, progress: 0.9)
        #expect(early.question.nodes.filter { if case .binary = $0 { return true } else { return false } }.count == 1)
        #expect(late.question.nodes.filter { if case .binary = $0 { return true } else { return false } }.count == 3)
    }

    /// A recipe's precision is the rounding of its chains: a repeating quotient keeps that many
    /// significant digits, the verifier accepts the chain under that policy and rejects it under
    /// the standard one, and the questions are the same as with the standard policy.
    @Test func precisionSetsTheChainsRounding() throws {
        let json = #"{"name": "p", "operators": {"/": 1}, "operations": {"min": 1, "max": 1}, "operands": {"digits": {"min": 3, "max": 3}}%@}"#
        let short = try Recipe(json: Data(json.replacingOccurrences(of: "%@", with: #", "precision": {"significantDigits": 8, "minimumFractionDigits": 3}"#).utf8))
        let standard = try Recipe(json: Data(json.replacingOccurrences(of: "%@", with: "").utf8))
        #expect(short.precision == RoundingPolicy(significantDigits: 8, minimumFractionDigits: 3))
        #expect(standard.precision == .standard)
        let a = ExampleGenerator(recipe: short, format: .scratch, seed: 4), b = ExampleGenerator(recipe: standard, format: .scratch, seed: 4)
        var roundedSeen = 0
        for i in 0..<200 {
            let x = try a.example(index: i), y = try b.example(index: i)
            #expect(x.question.text == y.question.text)
            #expect(Verifier(policy: short.precision).check(x.line[...]) == nil, "\(x.line)")
            guard x.rounded else { continue }
            roundedSeen += 1
            var digits: [UInt8] = []
            x.answer.significand.appendMagnitudeDigits(to: &digits)
            #expect(digits.count <= 8, "\(x.answer) keeps more than 8 significant digits")
            #expect(Verifier().check(x.line[...]) != nil, "\(x.line) should fail the 20-digit policy")
        }
        #expect(roundedSeen > 50)
    }

    @Test func balancedSingleOperationsCoverCarryCounts() throws {
        let generator = ExampleGenerator(recipe: try shippedRecipe("single-op"), format: .direct, seed: 0)
        var digitPairs = Set<[Int]>()
        for i in 0..<3000 {
            let q = try generator.example(index: i).question
            let numbers = q.nodes.compactMap { if case .number(let l) = $0 { return l.written.significand.decimalDigitCount } else { return nil } }
            digitPairs.insert(numbers)
        }
        #expect(digitPairs.count == 25) // every (1…5) × (1…5) pair appears
    }
}
