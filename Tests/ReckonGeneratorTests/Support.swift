import Foundation
import ReckonGenerator

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedRecipe(_ name: String) throws -> Recipe {
    try Recipe(contentsOf: repositoryRoot.appendingPathComponent("Generators/\(name).json"))
}

/// Every recipe in `Generators/`, so that a new one is tested without being listed here.
let shippedRecipeNames: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Generators").path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
}()

/// A corpus as text.
func corpus(_ writer: CorpusWriter, count: Int) throws -> String {
    var bytes: [UInt8] = []
    try writer.run(count: count, emit: { bytes += $0 })
    return String(decoding: bytes, as: UTF8.self)
}
