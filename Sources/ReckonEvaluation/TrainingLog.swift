import Foundation

/// One line of a checkpoint directory's `log.jsonl`, as `Trainer` writes it
/// (`step`, `loss`, `lr`, `tokens_per_s`, optional `heldout_acc`).
public struct TrainingLogEntry: Sendable, Equatable, Codable {
    public var step: Int
    /// NaN when the trainer logged a non-finite loss.
    public var loss: Double
    public var learningRate: Double?
    public var tokensPerSecond: Double?
    public var heldOutAccuracy: Double?
    /// Seconds since the start of the run (of this session, for a resumed run).
    public var elapsedSeconds: Double?

    public init(step: Int, loss: Double, learningRate: Double? = nil, tokensPerSecond: Double? = nil,
                heldOutAccuracy: Double? = nil, elapsedSeconds: Double? = nil) {
        self.step = step; self.loss = loss; self.learningRate = learningRate
        self.tokensPerSecond = tokensPerSecond; self.heldOutAccuracy = heldOutAccuracy; self.elapsedSeconds = elapsedSeconds
    }

    /// Reads `log.jsonl`; a missing file is an empty log, unreadable lines are skipped (a
    /// crash can leave a half-written last line). After a resume the file may repeat steps:
    /// the last entry for a step wins.
    public static func read(_ url: URL) -> [TrainingLogEntry] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var byStep: [Int: TrainingLogEntry] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else { continue }
            let loss = (object["loss"] as? NSNumber)?.doubleValue ?? .nan
            byStep[step] = TrainingLogEntry(step: step, loss: loss, learningRate: (object["lr"] as? NSNumber)?.doubleValue,
                                            tokensPerSecond: (object["tokens_per_s"] as? NSNumber)?.doubleValue,
                                            heldOutAccuracy: (object["heldout_acc"] as? NSNumber)?.doubleValue,
                                            elapsedSeconds: (object["elapsed_s"] as? NSNumber)?.doubleValue)
        }
        return byStep.keys.sorted().map { byStep[$0]! }
    }

    /// A run's own entries (those after step `after`, not those of the checkpoint it started
    /// from) on one clock: each session's clock starts at 0, so every reading gets the last
    /// readings of the sessions before it added.
    public static func ownTimeline(_ log: [TrainingLogEntry], after: Int = 0) -> [TrainingLogEntry] {
        var earlier = 0.0, last: Double?
        return log.filter { $0.step > after }.map { entry in
            var entry = entry
            if let e = entry.elapsedSeconds {
                if let l = last, e < l { earlier += l }   // a new session
                last = e
                entry.elapsedSeconds = earlier + e
            }
            return entry
        }
    }
}
