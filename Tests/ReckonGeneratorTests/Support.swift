import Foundation
import ReckonGenerator

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedRecipe(_ name: String) throws -> Recipe {
    try Recipe(contentsOf: repositoryRoot.appendingPathComponent("Generators/\(name).json"))
}

let shippedRecipeNames = ["basic", "single-op", "long", "mathglm", "reckon-mathglm", "ablation"]

/// A corpus as text.
func corpus(_ writer: CorpusWriter, count: Int) throws -> String {
    var bytes: [UInt8] = []
    try writer.run(count: count, emit: { bytes += $0 })
    return String(decoding: bytes, as: UTF8.self)
}
