import Foundation
import Testing
import ReckonGenerator
import ReckonModel

@Suite struct NumberOrderChainTests {
    /// Every number order reads the generator's own chains back exactly, in each format that
    /// writes blocks.
    @Test(arguments: NumberOrder.allCases)
    func generatedChainsRoundTrip(_ order: NumberOrder) throws {
        let recipe = try Recipe(contentsOf: repositoryRoot.appendingPathComponent("Generators/reckon-mathglm.json"))
        for format in [StepFormat.scratch, .longdiv] {
            let generator = ExampleGenerator(recipe: recipe, format: format, seed: 5)
            for i in 0..<150 {
                let line = try generator.line(index: i)
                #expect(order.writtenText(order.modelText(line)) == line, "\(format) example \(i)")
            }
        }
    }

    /// In `padded` model text, the partial products and sums of each product block share one
    /// whole-part width, one digit wider than the first partial product's, and the product fits.
    @Test func paddedProductSumsShareOneWidth() throws {
        let recipe = try Recipe(contentsOf: repositoryRoot.appendingPathComponent("Generators/reckon-mathglm.json"))
        let generator = ExampleGenerator(recipe: recipe, format: .longdiv, seed: 6)
        var blocks = 0
        for i in 0..<150 {
            let line = try generator.line(index: i)
            let seen = NumberOrder.padded.modelText(line)
            // A product block: `{a*b=terms=sums…[~rounded]}` (a long division has a `:`).
            for block in seen.split(separator: "{").dropFirst() {
                let body = block.prefix { $0 != "}" }
                let equation = body.prefix { $0 != "~" }.split(separator: "=")
                guard equation.count >= 3, equation[0].contains("*"), !body.contains(":") else { continue }
                let numbers = equation.dropFirst(2).flatMap { $0.split(separator: "+") }
                func wholeWidth(_ n: some StringProtocol) -> Int { n.prefix { $0 != "." }.count }
                // The first partial product as written: its zeros off, down to one whole digit.
                let first = wholeWidth(numbers[0]) - numbers[0].prefix { $0 == "0" }.count
                #expect(Set(numbers.map(wholeWidth)) == [max(first, 1) + 1], "\(body)")
                blocks += 1
            }
        }
        #expect(blocks > 20)
    }
}
