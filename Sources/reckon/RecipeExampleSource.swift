import ReckonGenerator
import ReckonTraining

/// Training examples streamed from a recipe: example i is the generator's example i (train
/// split only, so no test-split question is ever trained on), cut after the question's `=`.
/// Deterministic in (recipe, format, seed, index, progress), which is what resuming needs.
struct RecipeExampleSource: ExampleSource {
    let generator: ExampleGenerator

    init(recipe: Recipe, format: StepFormat?, seed: UInt64) throws {
        generator = ExampleGenerator(recipe: recipe, format: format, split: .train, seed: seed)
        // Fails here, with the generator's message, if the recipe cannot produce examples.
        _ = try generator.line(index: 0)
    }

    func example(index: Int, progress: Double) -> (prompt: String, target: String) {
        guard let line = try? generator.line(index: index, progress: progress) else {
            // Unreachable in practice: example 0 succeeded and every index draws from the same
            // distribution with 200,000 attempts.
            fatalError("recipe '\(generator.recipe.name)' produced no example for index \(index)")
        }
        let cut = line.firstIndex(of: "=")!
        return (String(line[...cut]), String(line[line.index(after: cut)...]))
    }
}
