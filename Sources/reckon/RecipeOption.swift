import ArgumentParser
import Foundation
import ReckonEvaluation
import ReckonGenerator
import ReckonModel

/// `--recipe` accepts a path or the name of a file in Generators/ (`mathglm` → Generators/mathglm.json),
/// looked up in the working directory, then in the repository this executable was built in.
func loadRecipe(_ nameOrPath: String) throws -> Recipe {
    var path: String? = FileManager.default.fileExists(atPath: nameOrPath) ? nameOrPath : nil
    if path == nil && !nameOrPath.hasSuffix(".json") { path = repositoryPath("Generators/\(nameOrPath).json") }
    guard let path else {
        let generators = repositoryPath("Generators")
        let shipped = generators.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0) }?
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted() ?? []
        let hint = shipped.isEmpty
            ? " (no Generators/ in \(FileManager.default.currentDirectoryPath) or around this executable: pass the recipe's path)"
            : " (shipped recipes: \(shipped.joined(separator: ", ")))"
        throw CommandError("recipe '\(nameOrPath)' not found\(hint)")
    }
    do { return try Recipe(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw CommandError("recipe '\(path)': \(error)")
    }
}

extension StepFormat: ExpressibleByArgument {}
extension Split: ExpressibleByArgument {}
extension CachePrecision: ExpressibleByArgument {}
extension NumberOrder: ExpressibleByArgument {}
