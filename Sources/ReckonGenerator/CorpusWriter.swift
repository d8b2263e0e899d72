import Dispatch
import ReckonArithmetic

/// Produces a corpus: `count` lines, in order, generated on `threads` threads.
///
/// Lines are made in chunks; worker `w` makes chunks `w, w + threads, …` of each batch, and the
/// batch is then emitted in chunk order. With `deduplicate`, a line whose question was already
/// emitted is skipped and generation continues with the next indices, so the output is still a
/// function of (recipe, format, split, seed, count) only.
public struct CorpusWriter {
    public enum LineFormat: String, CaseIterable, Sendable {
        /// `question=step=…=answer`
        case text
        /// `{"question": …, "steps": […], "answer": …}`
        case jsonl
    }

    public var generator: ExampleGenerator
    public var lineFormat: LineFormat = .text
    public var deduplicate = false
    public var threads: Int
    public var chunkSize = 4096

    public init(generator: ExampleGenerator, threads: Int) {
        self.generator = generator
        self.threads = max(1, threads)
    }

    private struct Chunk {
        var bytes: [UInt8] = []
        /// (end of line in `bytes`, hash of its question)
        var lines: [(end: Int, questionHash: UInt64)] = []
        var error: Error?
    }

    /// Generates `count` lines and hands them to `emit` in order, in large pieces.
    /// `progress` is called after each piece with the number of lines emitted so far.
    public func run(count: Int, emit: ([UInt8]) throws -> Void, progress: (Int) -> Void = { _ in }) throws {
        var emitted = 0, nextIndex = 0
        var seen = Set<UInt64>()
        let generator = self.generator, lineFormat = self.lineFormat, chunkSize = self.chunkSize
        let totalGuess = max(count, 1)
        while emitted < count {
            let needed = count - emitted
            let chunkCount = deduplicate ? threads * 4 : min(threads * 4, (needed + chunkSize - 1) / chunkSize)
            let batchStart = nextIndex
            var chunks = [Chunk](repeating: Chunk(), count: chunkCount)
            chunks.withUnsafeMutableBufferPointer { buffer in
                let chunksPointer = buffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: min(threads, chunkCount)) { worker in
                    var sampler = ExampleGenerator.Sampler(recipe: generator.recipe, progress: 0)
                    var line: [UInt8] = []
                    var c = worker
                    while c < chunkCount {
                        var chunk = Chunk()
                        chunk.bytes.reserveCapacity(chunkSize * 96)
                        let first = batchStart + c * chunkSize
                        let last = deduplicate ? first + chunkSize : min(first + chunkSize, batchStart + needed)
                        do {
                            for index in first..<last {
                                line.removeAll(keepingCapacity: true)
                                let p = Double(index) / Double(totalGuess)
                                let (questionLength, _) = try generator.write(index: index, progress: min(p, 1), to: &line, sampler: &sampler)
                                let h = TestSplit.hash(line[0..<questionLength])
                                Self.append(line, questionLength: questionLength, as: lineFormat, to: &chunk.bytes)
                                chunk.lines.append((chunk.bytes.count, h))
                            }
                        } catch {
                            chunk.error = error
                        }
                        chunksPointer[c] = chunk
                        c += threads
                    }
                }
            }
            nextIndex = batchStart + chunkCount * chunkSize
            for chunk in chunks {
                if let error = chunk.error { throw error }
                if !deduplicate && emitted + chunk.lines.count <= count {
                    try emit(chunk.bytes)
                    emitted += chunk.lines.count
                } else {
                    var out: [UInt8] = []
                    var lineStart = 0
                    for (end, h) in chunk.lines {
                        defer { lineStart = end }
                        if emitted == count { break }
                        if deduplicate && !seen.insert(h).inserted { continue }
                        out.append(contentsOf: chunk.bytes[lineStart..<end])
                        emitted += 1
                    }
                    try emit(out)
                }
                progress(emitted)
                if emitted == count { break }
            }
        }
    }

    /// Appends one output line (with newline) for the chain in `line`.
    static func append(_ line: [UInt8], questionLength: Int, as format: LineFormat, to out: inout [UInt8]) {
        switch format {
        case .text:
            out.append(contentsOf: line)
        case .jsonl:
            // Chains are ASCII without quotes or backslashes: no escaping needed.
            let text = String(decoding: line, as: UTF8.self)
            let parts = chainComponents(text[...])
            out.append(contentsOf: "{\"question\":\"".utf8)
            out.append(contentsOf: parts[0].utf8)
            out.append(contentsOf: "\",\"steps\":[".utf8)
            for (i, step) in parts.dropFirst().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\"")); out.append(contentsOf: step.utf8); out.append(UInt8(ascii: "\""))
            }
            out.append(contentsOf: "],\"answer\":\"".utf8)
            out.append(contentsOf: parts.last!.utf8)
            out.append(contentsOf: "\"}".utf8)
        }
        out.append(UInt8(ascii: "\n"))
    }
}
