import ArgumentParser
import Foundation
import ReckonArithmetic
import ReckonGenerator

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a recipe's distribution from a sample.",
        discussion: """
        Shares of questions with decimals, percents, brackets and negatives, operation counts, \
        answer kinds, chain lengths, and how often the chain's answer (with Reckon's rounding \
        policy) equals the exact answer when both are rounded to 2 decimals (MathGLM's grading).
        """)

    @Option(help: "Recipe file, or the name of one in Generators/.")
    var recipe: String

    @Option(help: "Sample size.")
    var count: Int = 10_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Step format (default: the recipe's).")
    var format: StepFormat?

    @Option(help: ArgumentHelp("Explore another rounding policy: significant digits kept.", visibility: .hidden))
    var significantDigits: Int?

    @Option(help: ArgumentHelp("Explore another rounding policy: minimum decimals kept.", visibility: .hidden))
    var fractionDigits: Int?

    @Flag(help: "Also list up to 10 questions whose chain answer disagrees at 2 decimals.")
    var showDisagreements = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be ≥ 1, got \(count)") }
        if let significantDigits, significantDigits < 1 { throw ValidationError("--significant-digits must be ≥ 1, got \(significantDigits)") }
        if let fractionDigits, fractionDigits < 0 { throw ValidationError("--fraction-digits must be ≥ 0, got \(fractionDigits)") }
    }

    func run() throws {
        let recipe = try loadRecipe(self.recipe)
        let base = recipe.precision
        let policy = RoundingPolicy(significantDigits: significantDigits ?? base.significantDigits,
                                    minimumFractionDigits: fractionDigits ?? base.minimumFractionDigits)
        let generator = ExampleGenerator(recipe: recipe, format: format, seed: seed, policy: policy)
        var stats = RecipeStatistics()
        var bar = Terminal.ProgressBar(total: count, label: "sample")
        for i in 0..<count {
            try stats.add(try generator.example(index: i, progress: Double(i) / Double(max(count, 1))))
            if i % 1000 == 0 { bar.update(i) }
        }
        bar.finish()
        print("recipe \(recipe.name), format \(format ?? recipe.format), seed \(seed)")
        print(stats.report)
        if showDisagreements { stats.disagreements.forEach { print("  differs: \($0)") } }
    }
}
