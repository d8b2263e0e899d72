import Foundation
import ReckonGenerator
import ReckonKernels
import ReckonModel

/// One sequence to continue.
public struct DecodeRequest: Sendable {
    /// Token ids fed before generation (BOS included by the caller).
    public var prompt: [Int]
    /// 0 = greedy (argmax, lowest id on ties); > 0 samples from softmax(logits / temperature).
    public var temperature: Float
    /// Seed of this request's own random stream, so a sample does not depend on scheduling.
    public var seed: UInt64
    /// Called after each token written (not the end token) with the tokens written so far and
    /// their probabilities; `true` ends the sequence there (stop `.rule`).
    public var stopRule: (@Sendable (_ tokens: [Int], _ probabilities: [Float]) -> Bool)?

    public init(prompt: [Int], temperature: Float = 0, seed: UInt64 = 0,
                stopRule: (@Sendable (_ tokens: [Int], _ probabilities: [Float]) -> Bool)? = nil) {
        self.prompt = prompt; self.temperature = temperature; self.seed = seed; self.stopRule = stopRule
    }
}

/// What came out for one request.
public struct DecodeResult: Sendable, Equatable {
    public enum Stop: String, Sendable, Codable { case endToken, tokenLimit, contextFull, rule }
    /// Generated ids, without the end token.
    public var tokens: [Int]
    public var stop: Stop
    /// The model's probability (softmax of its logits at temperature 1, whatever the sampling
    /// temperature) of each token it wrote: `tokens`, then the end token if `stop == .endToken`.
    public var probabilities: [Float] = []
    /// At each position of `probabilities`, the most likely token other than the one written,
    /// and its probability: what the model would have written had it not written that token.
    public var runnerUps: [Int] = []
    public var runnerUpProbabilities: [Float] = []

    /// The least likely of `probabilities` and its index (nil for an empty result): how close
    /// the model came to writing something else.
    public var leastSure: (probability: Float, index: Int)? {
        probabilities.indices.min { probabilities[$0] < probabilities[$1] }.map { (probabilities[$0], $0) }
    }
}

/// Why a batch could not be decoded.
public struct DecodingError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Batched autoregressive decoding with a KV cache and continuous batching.
///
/// Requests are spread over `workers` threads; each worker owns a `KVCache` with `slots`
/// sequences. A worker's forward call holds the whole prompt of each newly admitted request
/// (prefill) and the last token of every running one (decode), so a slot freed by a finished
/// sequence is refilled at the next step. OpenBLAS runs single-threaded inside the workers.
/// Results are in request order and do not depend on the thread count, up to floating-point
/// differences between GEMM shapes.
///
/// Slots keep their keys and values after a sequence ends, across `decode` calls: a prompt
/// that begins with at least `minimumReuse` tokens a slot of the same worker holds (a chain
/// continued from a rewritten line, say) computes only the rest. A decoder that is kept for
/// several calls is how a caller gets this.
public final class BatchDecoder: @unchecked Sendable {
    public let model: Model
    public let workers: Int
    public let slots: Int
    public let innerThreads: Int
    let caches: [KVCache]
    let teams: [SpinTeam]
    /// The longest sequence (prompt and output) a slot holds.
    public var maxTokens: Int { caches[0].maxTokens }
    /// Prompt positions taken from the slots' caches instead of computed, over every `decode`.
    public var reusedPositions: Int { caches.reduce(0) { $0 + $1.reusedPositions } }

    /// - Parameters:
    ///   - threads: total threads. Small models (largest per-row product below
    ///     `KVCache.splitWork`), or batches of at least `2·threads·slots` requests, get one
    ///     worker per thread, each with its own slots. Otherwise one worker's steps are split
    ///     across all threads by a spinning team: it reads each weight once per step instead of
    ///     once per worker, which pays off once the layers are wide enough (measured: d = 256
    ///     gains, d = 128 loses to independent workers).
    ///   - slots: sequences decoded together per worker.
    ///   - expectedRequests: how many requests the next `decode` gets, for the choice above.
    ///   - maxTokens: the longest sequence (prompt and output) a slot holds (default and most:
    ///     the model's context length).
    ///   - cachePrecision: how keys and values are stored (see `CachePrecision`).
    public init(model: Model, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                slots: Int = 32, expectedRequests: Int = .max, maxTokens: Int? = nil, cachePrecision: CachePrecision = .float32) {
        self.model = model
        let t = max(1, threads)
        let wide = model.config.dModel * model.config.mlpWidth >= KVCache.splitWork
        let w = wide && expectedRequests < 2 * t * slots ? 1 : max(1, min(t, expectedRequests))
        let inner = wide ? max(1, t / w) : 1
        let perWorker = expectedRequests == .max ? slots : (expectedRequests + w - 1) / w
        let s = max(1, min(slots, perWorker))
        workers = w; innerThreads = inner; self.slots = s
        // Room for a full batch of one-token rows plus a few whole prompts being admitted.
        let rows = s + 4 * model.config.contextLength
        let packed = PackedWeights(model: model)
        let teams = inner > 1 ? (0..<w).map { _ in SpinTeam(size: inner) } : []
        self.teams = teams
        caches = (0..<w).map { i in
            KVCache(model: model, slots: s, maxTokens: maxTokens, maxRows: rows, precision: cachePrecision,
                    team: inner > 1 ? teams[i] : nil, packed: packed)
        }
    }

    deinit { for team in teams { team.stop() } }

    /// Continues every request until the end token (if `stopAtEnd`), `maxNewTokens`, or the
    /// context length. `progress` is called (from worker threads, serialised) with the number of
    /// finished requests.
    public func decode(_ requests: [DecodeRequest], maxNewTokens: Int, stopAtEnd: Bool = true,
                       progress: ((Int) -> Void)? = nil) throws -> [DecodeResult] {
        let ctx = maxTokens, V = model.config.vocabSize
        guard maxNewTokens >= 1 else { throw DecodingError(message: "maxNewTokens must be ≥ 1 (got \(maxNewTokens))") }
        for (i, r) in requests.enumerated() {
            guard !r.prompt.isEmpty else { throw DecodingError(message: "request \(i): empty prompt") }
            guard r.prompt.count <= ctx else {
                throw DecodingError(message: "request \(i): prompt of \(r.prompt.count) tokens exceeds the decoder's context of \(ctx)")
            }
            guard r.prompt.count <= caches[0].maxRows - slots else {
                throw DecodingError(message: "request \(i): prompt of \(r.prompt.count) tokens is too long for one forward call")
            }
            guard r.prompt.allSatisfy({ $0 >= 0 && $0 < V }) else { throw DecodingError(message: "request \(i): token id outside the vocabulary") }
        }
        var results = [DecodeResult?](repeating: nil, count: requests.count)
        guard !requests.isEmpty else { return [] }
        let previousBLAS = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(previousBLAS) }

        let lock = NSLock()
        var next = 0, finished = 0
        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < requests.count else { return nil }
            next += 1
            return next - 1
        }
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            let body: (Int) -> Void = { w in
                self.runWorker(self.caches[w], requests: requests, maxNewTokens: maxNewTokens, stopAtEnd: stopAtEnd, take: take) { i, result in
                    out[i] = result
                    lock.lock(); finished += 1; let f = finished; lock.unlock()
                    if let progress { lock.lock(); progress(f); lock.unlock() }
                }
            }
            if workers == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
        }
        return results.map { $0! }
    }

    /// Shortest shared prefix worth reusing. Below it a prefill costs little, and a short
    /// question's chain stays independent of what the decoder ran before (a reused prefix's keys
    /// were computed in other matrix shapes, so they agree with a fresh prefill's to float
    /// rounding, not bit for bit).
    static let minimumReuse = 64

    /// The free slot a new sequence should overwrite: one holding a short sequence if any (cheap
    /// to lose), else the one written longest ago. Long cached sequences are what later requests
    /// (a chain continued from a rewritten line) can reuse.
    private func freeSlotToOverwrite(_ cache: KVCache, _ busy: [Bool]) -> Int {
        let free = (0..<cache.slots).filter { !busy[$0] }
        return free.min { a, b in
            let long = { (s: Int) in cache.tokens[s].count >= Self.minimumReuse ? 1 : 0 }
            return (long(a), cache.lastWritten[a]) < (long(b), cache.lastWritten[b])
        }!
    }

    /// One worker's loop: admit requests into free slots (starting each from the longest prefix
    /// of its prompt that a slot already holds), step, retire finished sequences.
    private func runWorker(_ cache: KVCache, requests: [DecodeRequest], maxNewTokens: Int, stopAtEnd: Bool,
                           take: () -> Int?, finish: (Int, DecodeResult) -> Void) {
        // `start`: the first prompt position to compute (earlier ones were reused from the cache).
        struct Running { var request: Int; var start: Int; var length: Int; var last: Int; var out: [Int]; var p: [Float]; var alt: [Int]; var altP: [Float]; var rng: SplitMix64; var fresh: Bool }
        let ctx = model.config.contextLength, V = model.config.vocabSize
        var running = [Running?](repeating: nil, count: cache.slots)
        var pending: Int? = nil
        var exhausted = false
        var rows: [CacheRow] = [], outputs: [Int] = [], outputSlots: [Int] = []
        var probs = [Float](repeating: 0, count: V)

        while true {
            // Admit new requests while slots and rows are free.
            var budget = cache.maxRows - running.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
            while !exhausted && running.contains(where: { $0 == nil }) {
                if pending == nil { pending = take() }
                guard let i = pending else { exhausted = true; break }
                let prompt = requests[i].prompt
                // The prompt's last position is always computed: its logits start the output.
                let reusable = prompt.dropLast()
                var (source, shared) = cache.longestSharedPrefix(with: Array(reusable))
                if shared < Self.minimumReuse { shared = 0 }
                // A prompt that shares more with one being prefilled now waits a step to reuse it
                // (two rewrites of one chain, say).
                let sharesMoreWithFresh = running.contains { r in
                    guard let r, r.fresh else { return false }
                    return zip(requests[r.request].prompt, reusable).prefix { $0 == $1 }.count >= max(shared + 1, Self.minimumReuse)
                }
                if sharesMoreWithFresh { break }
                let slot = shared > 0 && running[source] == nil ? source : freeSlotToOverwrite(cache, running.map { $0 != nil })
                let n = prompt.count - shared
                guard n <= budget else { break }
                budget -= n
                cache.reuse(prefix: shared, of: source, in: slot)
                running[slot] = Running(request: i, start: shared, length: 0, last: 0, out: [], p: [], alt: [], altP: [],
                                        rng: SplitMix64(seed: requests[i].seed), fresh: true)
                pending = nil
            }
            rows.removeAll(keepingCapacity: true); outputs.removeAll(keepingCapacity: true); outputSlots.removeAll(keepingCapacity: true)
            for s in 0..<cache.slots {
                guard let r = running[s] else { continue }
                if r.fresh {
                    let prompt = requests[r.request].prompt
                    for t in r.start..<prompt.count { rows.append(CacheRow(slot: s, position: t, token: prompt[t])) }
                } else {
                    rows.append(CacheRow(slot: s, position: r.length, token: r.last))
                }
                outputs.append(rows.count - 1)
                outputSlots.append(s)
            }
            if rows.isEmpty { return }
            cache.forward(rows, outputs: outputs)

            for (o, s) in outputSlots.enumerated() {
                var r = running[s]!
                r.length += r.fresh ? requests[r.request].prompt.count : 1
                r.fresh = false
                let logits = cache.logits.pointer + o * V
                let tok = requests[r.request].temperature > 0
                    ? sample(logits, V, temperature: requests[r.request].temperature, rng: &r.rng, scratch: &probs)
                    : argmax(logits, V)
                let alt = argmax(logits, V, excluding: tok)
                let (pTok, pAlt) = probabilities(of: tok, alt, logits, V)
                r.p.append(pTok)
                r.alt.append(alt)
                r.altP.append(pAlt)
                var stop: DecodeResult.Stop? = nil
                if stopAtEnd && tok == Tokenizer.eos {
                    stop = .endToken
                } else {
                    r.out.append(tok)
                    r.last = tok
                    if r.out.count >= maxNewTokens {
                        stop = .tokenLimit
                    } else if r.length >= min(ctx, cache.maxTokens) {
                        stop = .contextFull
                    } else if let rule = requests[r.request].stopRule, rule(r.out, r.p) {
                        stop = .rule
                    }
                }
                if let stop {
                    finish(r.request, DecodeResult(tokens: r.out, stop: stop, probabilities: r.p, runnerUps: r.alt, runnerUpProbabilities: r.altP))
                    running[s] = nil
                } else {
                    running[s] = r
                }
            }
        }
    }
}

/// Index of the largest logit (the lowest index among equals).
@inline(__always)
func argmax(_ x: UnsafePointer<Float>, _ n: Int) -> Int {
    var best = 0
    for j in 1..<n where x[j] > x[best] { best = j }
    return best
}

/// Index of the largest logit other than `excluded` (the lowest index among equals).
@inline(__always)
func argmax(_ x: UnsafePointer<Float>, _ n: Int, excluding excluded: Int) -> Int {
    var best = excluded == 0 ? 1 : 0
    for j in 0..<n where j != excluded && x[j] > x[best] { best = j }
    return best
}

/// softmax(x)[a] and softmax(x)[b], probabilities at temperature 1.
func probabilities(of a: Int, _ b: Int, _ x: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
    var mx = -Float.infinity
    for j in 0..<n where x[j] > mx { mx = x[j] }
    var total: Float = 0
    for j in 0..<n { total += expf(x[j] - mx) }
    return (expf(x[a] - mx) / total, expf(x[b] - mx) / total)
}

/// A draw from softmax(x / temperature) by inverse CDF with the request's own generator.
func sample(_ x: UnsafePointer<Float>, _ n: Int, temperature: Float, rng: inout SplitMix64, scratch p: inout [Float]) -> Int {
    var mx = -Float.infinity
    for j in 0..<n where x[j] > mx { mx = x[j] }
    var total = 0.0
    for j in 0..<n { let e = expf((x[j] - mx) / temperature); p[j] = e; total += Double(e) }
    var u = rng.unit() * total
    for j in 0..<n {
        u -= Double(p[j])
        if u < 0 { return j }
    }
    return argmax(x, n)
}
