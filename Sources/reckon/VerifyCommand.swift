import ArgumentParser
import Dispatch
import Foundation
import ReckonGenerator

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every chain of a corpus with exact arithmetic.",
        discussion: """
        Each step must be the previous expression with its next operation performed (exact, then \
        rounded by Reckon's policy), scratch blocks must hold, and the answer must be right. \
        Reports the first bad step of each bad line; exits 1 if any line fails. Reads text lines \
        or the JSON lines `reckon generate --jsonl` writes.
        """)

    @Argument(help: "Corpus file.")
    var file: String

    @Option(help: "Recipe the corpus was generated from, for its rounding precision (default: Reckon's standard policy).")
    var recipe: String?

    @Option(help: "Report at most this many bad lines.")
    var maxReports: Int = 20

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let data = try readFile(file)
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let count = lines.last?.isEmpty == true ? lines.count - 1 : lines.count
        guard count > 0 else { throw CommandError("'\(file)' is empty") }
        let verifier = Verifier(policy: try recipe.map(loadRecipe)?.precision ?? .standard)
        let workers = max(1, threads)
        var failures = [(Int, String)?](repeating: nil, count: count)
        failures.withUnsafeMutableBufferPointer { results in
            let out = results.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < count {
                    let line = lines[i]
                    if let chain = Self.chain(from: line) {
                        if let failure = verifier.check(chain[...]) { out[i] = (i + 1, failure.description) }
                    } else {
                        out[i] = (i + 1, "not a chain or a JSON line with question, steps and answer")
                    }
                    i += workers
                }
            }
        }
        let bad = failures.compactMap { $0 }
        for (line, message) in bad.prefix(maxReports) { print("line \(line), \(message)") }
        if bad.count > maxReports { print("… and \(bad.count - maxReports) more bad lines") }
        print("\(count - bad.count) of \(count) lines passed")
        if !bad.isEmpty { throw ExitCode(1) }
    }

    /// The chain text of a line: the line itself, or question=steps… rebuilt from a JSON line.
    static func chain(from line: Substring) -> String? {
        guard line.first == "{" else { return String(line) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let question = object["question"] as? String, let steps = object["steps"] as? [String] else { return nil }
        return ([question] + steps).joined(separator: "=")
    }
}
