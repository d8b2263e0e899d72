import Foundation
import ReckonArithmetic

/// The model's answers as `reckon solve --input … --output` saved them (`Solver.Record`, one JSON
/// object per line), looked up by question. A run too long for one sitting (the checks make the
/// 2,000 mathglm questions take longer than a session) is solved in parts and graded together.
public struct SavedAnswers: Sendable {
    /// Where a record came from, for messages: `part1.jsonl:17`.
    public struct Origin: Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var description: String { "\(file):\(line)" }
    }

    /// Records with steps, by the question's canonical text (`Expression.text`).
    private var records: [String: (record: Solver.Record, origin: Origin)] = [:]

    public init() {}

    /// Adds the records of one file. Records without steps (lines `solve` could not put to the
    /// model) answer nothing and are skipped. The same question saved twice must have the same
    /// chain.
    public mutating func add(jsonLines data: Data, file: String) throws {
        let decoder = JSONDecoder()
        for (i, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let origin = Origin(file: file, line: i + 1)
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            let record: Solver.Record
            do { record = try decoder.decode(Solver.Record.self, from: Data(line)) } catch {
                throw QuestionError(message: "\(origin): not a record of `reckon solve --output` (\(Self.reason(error)))")
            }
            guard let steps = record.steps else { continue }
            let key: String
            do { key = try Solver.parseQuestion(record.question).text } catch {
                throw QuestionError(message: "\(origin): \(error)")
            }
            if let earlier = records[key] {
                guard earlier.record.steps == steps else {
                    throw QuestionError(message: "\(origin): '\(key)' has another chain at \(earlier.origin)")
                }
                continue
            }
            records[key] = (record, origin)
        }
    }

    /// The saved solution of each item's question, in order, with everything grading reads
    /// (`Solution.stop` is not saved: it is `.endToken`). `subtractionChecks` is how the answers
    /// are said to have been solved: with N > 0 every record must carry the lines it repaired (at
    /// most N), with 0 none may. Without `freshContexts`, no chain may have gone on in a fresh
    /// context (with it, a chain that did not is one the context did not cut).
    public func solutions(for items: [GradingItem], subtractionChecks: Int, freshContexts: Bool = false) throws -> [Solution] {
        var missing: [(Int, String)] = []
        var solutions: [Solution] = []
        for (i, item) in items.enumerated() {
            let question = item.question.text
            guard let (r, origin) = records[question] else { missing.append((i, question)); continue }
            switch (r.repairs, subtractionChecks) {
            case (nil, 1...):
                throw QuestionError(message: "\(origin): solved without --check-subtractions (no \"repairs\"), but the answers are said to be checked (\(subtractionChecks))")
            case (let n?, 0):
                throw QuestionError(message: "\(origin): solved with --check-subtractions (\"repairs\": \(n)), but the answers are said to be greedy: give --check-subtractions N")
            case (let n?, _) where n > subtractionChecks:
                throw QuestionError(message: "\(origin): \(n) lines repaired, more than the --check-subtractions \(subtractionChecks) given")
            default: break
            }
            if let n = r.freshContexts, !freshContexts {
                throw QuestionError(message: "\(origin): solved with --fresh-context (\"freshContexts\": \(n)), but the answers are said to be solved without: give --fresh-context")
            }
            let steps = r.steps ?? []
            let chain = ([question] + steps).joined(separator: "=")
            var s = Solution(chain: chain, steps: steps, answer: r.answer, confidence: r.confidence ?? 1,
                             votes: 1, stop: .endToken)
            s.leastSure = r.leastSure ?? 1
            s.repairs = r.repairs
            s.freshContexts = r.freshContexts ?? 0
            solutions.append(s)
        }
        guard missing.isEmpty else {
            let shown = missing.prefix(3).map { "#\($0.0 + 1) '\($0.1)'" }.joined(separator: ", ")
            throw QuestionError(message: "no saved answer to \(missing.count) of \(items.count) questions: \(shown)\(missing.count > 3 ? ", …" : "") (are these the questions the answers were solved for?)")
        }
        return solutions
    }

    private static func reason(_ error: Error) -> String {
        guard let e = error as? Swift.DecodingError else { return "\(error)" }
        switch e {
        case .keyNotFound(let key, _): return "key '\(key.stringValue)' not found"
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return "'\(context.codingPath.map { $0.stringValue }.joined(separator: "."))' is not \(type)"
        default: return "not valid JSON"
        }
    }
}
