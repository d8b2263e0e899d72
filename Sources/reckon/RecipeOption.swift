import ArgumentParser
import Foundation
import ReckonGenerator

/// `--recipe` accepts a path or the name of a file in Generators/ (`mathglm` → Generators/mathglm.json).
func loadRecipe(_ nameOrPath: String) throws -> Recipe {
    var candidates = [nameOrPath]
    if !nameOrPath.hasSuffix(".json") { candidates.append("Generators/\(nameOrPath).json") }
    guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
        let shipped = (try? FileManager.default.contentsOfDirectory(atPath: "Generators"))?
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted() ?? []
        // Names resolve against the working directory; say so when it has no Generators/.
        let hint = shipped.isEmpty
            ? " (no Generators/ in \(FileManager.default.currentDirectoryPath): run from the repository root or pass the recipe's path)"
            : " (shipped recipes: \(shipped.joined(separator: ", ")))"
        throw CommandError("recipe '\(nameOrPath)' not found\(hint)")
    }
    do { return try Recipe(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw CommandError("recipe '\(path)': \(error)")
    }
}

extension StepFormat: ExpressibleByArgument {}
extension Split: ExpressibleByArgument {}
