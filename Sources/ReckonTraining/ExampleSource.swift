import Foundation
import ReckonModel

/// A source of training text. Each example is a prompt (e.g. "12*34=") and a target (e.g. "408");
/// the sequence fed to the model is BOS + prompt + target + EOS, and loss is taken on target + EOS only.
///
/// `example(index:progress:)` must be a pure function of its arguments (same index, same
/// example): that is what makes a resumed run see exactly the data the uninterrupted run would.
/// `progress` in [0, 1] is step/totalSteps, for curriculum stages.
public protocol ExampleSource { func example(index: Int, progress: Double) -> (prompt: String, target: String) }

/// Errors from data sources and the training loop.
public enum TrainingError: Error, CustomStringConvertible {
    case data(String)
    case nonFiniteLoss(step: Int, loss: Double, lastCheckpointStep: Int?)
    case options(String)
    /// The checkpoint directory or its log cannot be written (the path and the reason).
    case output(String)
    /// A new run's output directory already holds a checkpoint (at this step, if readable).
    case existingRun(path: String, step: Int?)

    public var description: String {
        switch self {
        case .data(let s): return "training data: \(s)"
        case .nonFiniteLoss(let step, let loss, let last):
            let keep = last.map { "the last good checkpoint (step \($0)) was kept" } ?? "no checkpoint had been written yet"
            return "loss became \(loss) at step \(step); training stopped and \(keep). Try a lower --lr or a smaller batch."
        case .options(let s): return "invalid training options: \(s)"
        case .output(let s): return "cannot write \(s)"
        case .existingRun(let path, let step):
            return "\(path) already holds a checkpoint\(step.map { " (step \($0))" } ?? ""): continue it with --resume \(path), " +
                   "choose another --out, or pass --overwrite to replace it"
        }
    }
}

/// Examples from a corpus file with one example per line, split at the first `=` (the prompt
/// keeps the `=`). Blank lines are skipped; a line without `=` is an error at load time.
/// Order: each pass over the file (epoch) is a fresh permutation seeded by (seed, epoch), so
/// `example(index:)` is deterministic and every line is seen once per epoch.
public final class FileExampleSource: ExampleSource {
    public let examples: [(prompt: String, target: String)]
    public let seed: UInt64
    private var cachedEpoch = -1
    private var permutation: [Int] = []
    private let lock = NSLock()

    public convenience init(path: String, seed: UInt64) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TrainingError.data("cannot read corpus file \(path)")
        }
        try self.init(lines: text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init), seed: seed, name: path)
    }

    public init(lines: [String], seed: UInt64, name: String = "corpus") throws {
        var ex: [(String, String)] = []
        for (i, raw) in lines.enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw TrainingError.data("\(name):\(i + 1): no '=' to split prompt from target: \(line.prefix(60))")
            }
            ex.append((String(line[...eq]), String(line[line.index(after: eq)...])))
        }
        guard !ex.isEmpty else { throw TrainingError.data("\(name) has no examples") }
        examples = ex
        self.seed = seed
    }

    public func example(index: Int, progress: Double) -> (prompt: String, target: String) {
        let n = examples.count
        let epoch = index / n
        lock.lock(); defer { lock.unlock() }
        if epoch != cachedEpoch {
            var rng = Xoshiro256(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
            permutation = rng.permutation(n)
            cachedEpoch = epoch
        }
        return examples[permutation[index % n]]
    }
}

/// A (B, T) batch of token ids and next-token targets in preallocated storage.
/// T is the longest sequence in the batch (≤ capacity), so short examples cost short steps.
public final class TokenBatch {
    public let capacityBatch: Int
    public let capacityTokens: Int
    public private(set) var batch = 0
    public private(set) var tokens = 0
    /// (B, T) input ids, PAD after each sequence's end.
    public let inputs: UnsafeMutablePointer<Int32>
    /// (B, T) target ids; −1 where no loss is taken (prompt, padding).
    public let targets: UnsafeMutablePointer<Int32>
    /// Positions with a target, i.e. the loss denominator.
    public private(set) var targetCount = 0
    /// Sequences cut at the context length so far.
    public private(set) var truncated = 0
    /// Input positions holding a real token (not padding) in the current batch.
    public private(set) var realTokens = 0

    public init(batch: Int, tokens: Int) {
        capacityBatch = batch; capacityTokens = tokens
        inputs = .allocate(capacity: batch * tokens)
        targets = .allocate(capacity: batch * tokens)
    }
    deinit { inputs.deallocate(); targets.deallocate() }

    /// Fills the batch from examples: sequence = BOS + prompt + target + EOS; inputs are
    /// sequence[0..<n−1], targets sequence[1..<n] where they belong to target + EOS.
    public func fill(_ examples: [(prompt: String, target: String)], tokenizer: Tokenizer) throws {
        precondition(examples.count <= capacityBatch)
        var seqs: [([Int], Int)] = []   // (sequence, index of first loss target within sequence)
        seqs.reserveCapacity(examples.count)
        for e in examples {
            let p = try tokenizer.encode(e.prompt), t = try tokenizer.encode(e.target)
            seqs.append(([Tokenizer.bos] + p + t + [Tokenizer.eos], 1 + p.count))
        }
        var T = 1
        for (s, _) in seqs { T = max(T, min(s.count - 1, capacityTokens)) }
        batch = examples.count; tokens = T
        targetCount = 0
        realTokens = seqs.reduce(0) { $0 + min($1.0.count - 1, T) }
        for (b, (s, firstTarget)) in seqs.enumerated() {
            if s.count - 1 > capacityTokens { truncated += 1 }
            for j in 0..<T {
                let i = b * T + j
                if j + 1 < s.count {
                    inputs[i] = Int32(s[j])
                    let counted = j + 1 >= firstTarget
                    targets[i] = counted ? Int32(s[j + 1]) : -1
                    if counted { targetCount += 1 }
                } else {
                    inputs[i] = Int32(Tokenizer.pad); targets[i] = -1
                }
            }
        }
    }

    /// Fills with uniform random tokens and loss on every position (throughput benchmarks,
    /// like the reference's RandomTokens).
    public func fillRandom(vocab: Int, batch B: Int, tokens T: Int, rng: inout Xoshiro256) {
        precondition(B <= capacityBatch && T <= capacityTokens)
        batch = B; tokens = T; targetCount = B * T; realTokens = B * T
        for b in 0..<B {
            var prev = Int32(rng.next() % UInt64(vocab))
            for j in 0..<T {
                let next = Int32(rng.next() % UInt64(vocab))
                inputs[b * T + j] = prev; targets[b * T + j] = next
                prev = next
            }
        }
    }
}
