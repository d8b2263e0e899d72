import Foundation
import ReckonKernels
import ReckonModel

/// One row of an incremental forward pass: `token` at `position` of the sequence in cache `slot`.
public struct CacheRow: Sendable, Equatable {
    public var slot: Int
    public var position: Int
    public var token: Int
    public init(slot: Int, position: Int, token: Int) {
        self.slot = slot; self.position = position; self.token = token
    }
}

/// How a KV cache stores keys and values.
public enum CachePrecision: String, Sendable, CaseIterable, Codable {
    /// 32-bit floats, as the model computes them (and as the PyTorch reference does).
    case float32
    /// 16-bit floats: 11 significant bits, half the bytes. A long chain's decode step is bound
    /// by reading its slot's cache (12 layers × 2 KiB per position for the shipped model), so
    /// this is ~1.3× faster there, but not exact: on 2,000 `mathglm` questions it changed 62 of
    /// the shipped model's chains and 4 of its answers (all 4 from right to wrong).
    case float16
}

/// Keys and values of every layer for up to `slots` sequences of up to `maxTokens` tokens, and
/// the scratch an incremental forward pass needs for up to `maxRows` rows per call.
///
/// `forward` takes any mix of rows: a whole prompt (prefill), one new token per sequence
/// (decode), or both at once. Each row's key and value are written into the cache, then the row
/// attends to cache positions 0...position of its own slot, so the prefix is never recomputed.
/// Same model as `Model.forward` (same LayerNorm, GELU and RoPE kernels, same residual order);
/// the matrix products and attention use decode kernels (`packedMatmul`, `attendCachedRow`), so
/// logits agree to float rounding, not bit for bit.
///
/// Not thread-safe: one cache per worker. The model's parameters are only read.
public final class KVCache: @unchecked Sendable {
    public let model: Model
    public let slots: Int
    public let maxTokens: Int
    public let maxRows: Int
    /// Threads used inside one forward call (GEMMs split by output features, attention by rows).
    public var innerThreads: Int { team?.size ?? 1 }
    let team: SpinTeam?

    /// maxTokens rounded up to a whole block of 8 positions.
    let capacity: Int
    public let precision: CachePrecision
    // Elements of `precision`'s type, in FloatBuffers for their alignment and huge pages.
    let keys: FloatBuffer      // (L, slots, H, capacity / 8, hd, 8): see `attendCachedRow`
    let values: FloatBuffer    // (L, slots, H, capacity, hd)
    // Row-wise work (residual adds, LayerNorm) is done by every thread of the team on its own
    // copy of the residual stream, so only the matrix products and attention need a barrier.
    let x: FloatBuffer         // (T, R, C) residual stream, one copy per inner thread
    let ln: FloatBuffer        // (T, R, C) LayerNorm output, per inner thread
    let mean: FloatBuffer, rstd: FloatBuffer   // (T, R) LayerNorm statistics (unused, kernel needs them)
    let att: FloatBuffer       // (R, C) attention output (heads concatenated)
    let qkv: FloatBuffer       // (R, 3C)
    let fc: FloatBuffer        // (R, M)
    let branch: FloatBuffer    // (R, C) output of a residual branch (attention projection, MLP)
    let scores: FloatBuffer    // (innerThreads, capacity) softmax scratch
    /// (R, V) logits written by the last `forward`, one row per requested output row, in order.
    public let logits: FloatBuffer
    let rope: RoPETable?
    /// Repacked weights for decode-sized calls (shared between the caches of one decoder).
    let packed: PackedWeights
    /// Per slot: length of the run of digits ending at its last cached position (the Abacus
    /// digit index of a digit that comes next).
    var digitRun: [Int]
    /// Per slot: the tokens whose keys and values it holds, position by position. They stay
    /// after a sequence ends, so a later sequence that starts the same way can reuse them.
    public private(set) var tokens: [[Int]]
    /// Per slot: the number of the last `forward` call that wrote to it (0: never).
    public private(set) var lastWritten: [Int]
    private var forwardCalls = 0
    /// Positions started from cached keys and values by `reuse` rather than computed.
    public private(set) var reusedPositions = 0

    /// A single-threaded cache with its own packed weights.
    public convenience init(model: Model, slots: Int, maxTokens: Int? = nil, maxRows: Int, precision: CachePrecision = .float32) {
        self.init(model: model, slots: slots, maxTokens: maxTokens, maxRows: maxRows, precision: precision, team: nil, packed: nil)
    }

    init(model: Model, slots: Int, maxTokens: Int?, maxRows: Int, precision: CachePrecision, team: SpinTeam?, packed: PackedWeights?) {
        let c = model.config
        precondition(slots >= 1 && maxRows >= 1)
        self.model = model
        self.slots = slots
        self.maxTokens = min(maxTokens ?? c.contextLength, c.contextLength)
        self.maxRows = maxRows
        self.team = team
        let L = c.layers, C = c.dModel, M = c.mlpWidth
        capacity = (self.maxTokens + 7) / 8 * 8
        self.precision = precision
        let elements = L * slots * capacity * C, floats = precision == .float32 ? elements : (elements + 1) / 2
        keys = FloatBuffer(count: floats)
        values = FloatBuffer(count: floats)
        let T = team?.size ?? 1
        x = FloatBuffer(count: T * maxRows * C)
        ln = FloatBuffer(count: T * maxRows * C)
        mean = FloatBuffer(count: T * maxRows)
        rstd = FloatBuffer(count: T * maxRows)
        att = FloatBuffer(count: maxRows * C)
        qkv = FloatBuffer(count: maxRows * 3 * C)
        fc = FloatBuffer(count: maxRows * M)
        branch = FloatBuffer(count: maxRows * C)
        scores = FloatBuffer(count: (team?.size ?? 1) * capacity)
        logits = FloatBuffer(count: maxRows * c.vocabSize)
        rope = model.rotaryTable
        self.packed = packed ?? PackedWeights(model: model)
        digitRun = [Int](repeating: 0, count: slots)
        tokens = [[Int]](repeating: [], count: slots)
        lastWritten = [Int](repeating: 0, count: slots)
    }

    /// The slot whose cached tokens share the longest prefix with `prompt`, and that prefix's
    /// length (0 if none shares any).
    public func longestSharedPrefix(with prompt: [Int]) -> (slot: Int, count: Int) {
        var best = (slot: 0, count: 0)
        for s in 0..<slots {
            let held = tokens[s]
            var n = 0
            let limit = min(held.count, prompt.count)
            while n < limit, held[n] == prompt[n] { n += 1 }
            if n > best.count { best = (s, n) }
        }
        return best
    }

    /// Starts slot `target`'s sequence with the first `count` cached positions of slot `source`
    /// (copied, unless `source == target`), so its next row is at position `count`: a sequence
    /// that begins like one already cached skips recomputing the shared part. The slots' other
    /// sequences are untouched; `target`'s later positions are discarded.
    public func reuse(prefix count: Int, of source: Int, in target: Int) {
        precondition(source >= 0 && source < slots && target >= 0 && target < slots && count >= 0 && count <= tokens[source].count,
                     "prefix outside the cache")
        let prefix = Array(tokens[source][..<count])
        if source != target && count > 0 {
            let c = model.config, C = c.dModel, H = c.heads, hd = C / H, T = capacity
            let scalar = precision == .float32 ? MemoryLayout<Float>.stride : MemoryLayout<Float16>.stride
            let keyBytes = (count + 7) / 8 * 8 * hd * scalar, valueBytes = count * hd * scalar
            let k = UnsafeMutableRawPointer(keys.pointer), v = UnsafeMutableRawPointer(values.pointer)
            for l in 0..<c.layers {
                for h in 0..<H {
                    // keys: (H, T/8, hd, 8) per slot, so whole blocks of 8 positions; values: (H, T, hd)
                    let from = ((l * slots + source) * C * T + h * hd * T) * scalar
                    let to = ((l * slots + target) * C * T + h * hd * T) * scalar
                    (k + to).copyMemory(from: k + from, byteCount: keyBytes)
                    (v + to).copyMemory(from: v + from, byteCount: valueBytes)
                }
            }
        }
        tokens[target] = prefix
        reusedPositions += count
        // The Abacus index of the next digit: the digits ending the prefix.
        digitRun[target] = prefix.reversed().prefix { model.isDigit[$0] }.count
    }

    /// Runs `rows` through the model, filling their slots' caches, and writes the logits of
    /// `rows[outputs[i]]` to `logits` row i.
    ///
    /// Rows of one slot must come in increasing positions, and every earlier position of that
    /// slot must already be cached (by this call or an earlier one).
    public func forward(_ rows: [CacheRow], outputs: [Int]) {
        let c = model.config, C = c.dModel, H = c.heads, M = c.mlpWidth, V = c.vocabSize
        let R = rows.count
        precondition(R >= 1 && R <= maxRows && outputs.count <= R, "too many rows for this cache")
        let p = UnsafePointer(model.parameters.pointer)
        let layout = model.layout
        let att = att.pointer, qkv = qkv.pointer, fc = fc.pointer, branch = branch.pointer
        let pw = UnsafePointer(packed.buffer.pointer)
        // Thread t's residual stream, LayerNorm output and statistics.
        let xs = { (t: Int) in self.x.pointer + t * self.maxRows * C }
        let lns = { (t: Int) in self.ln.pointer + t * self.maxRows * C }
        let layerNorm = { (t: Int, weight: Int, bias: Int) in
            layerNormForward(out: lns(t), mean: self.mean.pointer + t * self.maxRows, rstd: self.rstd.pointer + t * self.maxRows,
                             inp: xs(t), weight: p + weight, bias: p + bias, rows: R, channels: C)
        }

        // Embedding into thread 0's stream. x: (R, C) = wte[tok] + wpe[pos]  (+ abacus[digit
        // index] for digits, the index counted along the slot's sequence as `Model.forward` does)
        forwardCalls += 1
        for (r, row) in rows.enumerated() {
            precondition(row.slot >= 0 && row.slot < slots && row.position >= 0 && row.position < maxTokens, "row outside the cache")
            precondition(row.token >= 0 && row.token < V, "token id out of range")
            precondition(row.position <= tokens[row.slot].count, "a row's earlier positions must be cached")
            tokens[row.slot].removeSubrange(row.position...)
            tokens[row.slot].append(row.token)
            lastWritten[row.slot] = forwardCalls
            let out = xs(0) + r * C
            if let wpe = layout.wpe {
                add(out: out, p + layout.wte + row.token * C, p + wpe + row.position * C, count: C)
            } else {
                out.update(from: p + layout.wte + row.token * C, count: C)
            }
            if let abacus = layout.abacus {
                let run = row.position == 0 ? 0 : digitRun[row.slot]
                if model.isDigit[row.token] {
                    addInPlace(out, p + abacus + model.abacusRow(digitIndex: run) * C, count: C)
                    digitRun[row.slot] = run + 1
                } else {
                    digitRun[row.slot] = 0
                }
            }
        }
        // One row per slot (a pure decode step): each row can be cached and attend in one pass.
        var distinctSlots = true
        for r in 1..<max(1, R) where rows[r].slot <= rows[r - 1].slot { distinctSlots = false; break }

        for l in 0..<c.layers {
            let w = layout.blocks[l]
            let T = capacity
            let layerStart = l * slots * capacity * C
            let cacheRow = { (r: Int) in
                let row = rows[r], q = qkv + r * 3 * C
                if let rope = self.rope { rotateQueryKey(q, position: row.position, table: rope, heads: H, channels: C) }
                switch self.precision {
                case .float32: self.store(row, k: q + C, v: q + 2 * C, keys: self.keys.pointer + layerStart, values: self.values.pointer + layerStart)
                case .float16: self.store(row, k: q + C, v: q + 2 * C, keys: self.halfKeys + layerStart, values: self.halfValues + layerStart)
                }
            }
            let attendRow = { (r: Int, worker: Int) in
                let row = rows[r], slot = layerStart + row.slot * C * T
                let out = att + r * C, q = qkv + r * 3 * C, scores = self.scores.pointer + worker * T
                switch self.precision {
                case .float32:
                    attendCachedRow(out: out, q: q, keys: self.keys.pointer + slot, values: self.values.pointer + slot,
                                    capacity: T, count: row.position + 1, channels: C, heads: H, scores: scores)
                case .float16:
                    attendCachedRow(out: out, q: q, keys: self.halfKeys + slot, values: self.halfValues + slot,
                                    capacity: T, count: row.position + 1, channels: C, heads: H, scores: scores)
                }
            }

            // Attention branch: x += proj(attn(ln1(x))). Before it, the previous layer's MLP
            // output joins the stream (or thread 0's embedding is copied to the others).
            team(R * C * 3 * C) { t, parts in
                if l > 0 { addInPlace(xs(t), branch, count: R * C) } else if t > 0 { xs(t).update(from: xs(0), count: R * C) }
                layerNorm(t, w.ln1w, w.ln1b)
                self.linear(part: t, of: parts, out: qkv, inp: lns(t), weight: p + w.qkvw, packed: pw + self.packed.qkv[l],
                            bias: p + w.qkvb, rows: R, inFeatures: C, outFeatures: 3 * C)
            }
            // q, k rotated at each row's own position; k, v appended to the cache. A prompt's rows
            // read each other's keys, so all are cached before any attends, unless every row
            // has a slot of its own.
            if distinctSlots {
                parallelRows(R) { r0, r1, t in for r in r0..<r1 { cacheRow(r); attendRow(r, t) } }
            } else {
                parallelRows(R) { r0, r1, _ in for r in r0..<r1 { cacheRow(r) } }
                parallelRows(R) { r0, r1, t in for r in r0..<r1 { attendRow(r, t) } }
            }
            team(R * C * C) { t, parts in
                self.linear(part: t, of: parts, out: branch, inp: att, weight: p + w.projw, packed: pw + self.packed.proj[l],
                            bias: p + w.projb, rows: R, inFeatures: C, outFeatures: C)
            }

            // MLP branch: x += fc2(gelu(fc1(ln2(x)))), after the attention residual.
            team(R * C * M) { t, parts in
                addInPlace(xs(t), branch, count: R * C)
                layerNorm(t, w.ln2w, w.ln2b)
                self.linear(part: t, of: parts, out: fc, inp: lns(t), weight: p + w.fc1w, packed: pw + self.packed.fc1[l],
                            bias: p + w.fc1b, rows: R, inFeatures: C, outFeatures: M, gelu: true)
            }
            team(R * M * C) { t, parts in
                self.linear(part: t, of: parts, out: branch, inp: fc, weight: p + w.fc2w, packed: pw + self.packed.fc2[l],
                            bias: p + w.fc2b, rows: R, inFeatures: M, outFeatures: C)
            }
        }
        addInPlace(xs(0), branch, count: R * C)

        // Head, only for the requested rows: logits (O, V) = ln_f(x[outputs]) · wteᵀ
        let O = outputs.count
        guard O > 0 else { return }
        for (i, r) in outputs.enumerated() { (att + i * C).update(from: xs(0) + r * C, count: C) }
        layerNormForward(out: lns(0), mean: mean.pointer, rstd: rstd.pointer, inp: att,
                         weight: p + layout.lnfw, bias: p + layout.lnfb, rows: O, channels: C)
        linear(part: 0, of: 1, out: logits.pointer, inp: lns(0), weight: p + layout.wte, packed: pw + packed.head, bias: nil,
               rows: O, inFeatures: C, outFeatures: V)
    }

    private var halfKeys: UnsafeMutablePointer<Float16> { UnsafeMutableRawPointer(keys.pointer).assumingMemoryBound(to: Float16.self) }
    private var halfValues: UnsafeMutablePointer<Float16> { UnsafeMutableRawPointer(values.pointer).assumingMemoryBound(to: Float16.self) }

    /// Writes a row's key and value into its slot of one layer's cache (`keys`, `values`: that
    /// layer's start), converted to the cache's scalar type.
    ///
    ///     k, v: (C) the row's rotated key and its value
    @inline(__always)
    private func store<S: CacheScalar>(_ row: CacheRow, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                       keys: UnsafeMutablePointer<S>, values: UnsafeMutablePointer<S>) {
        let C = model.config.dModel, H = model.config.heads, hd = C / H, T = capacity, t = row.position
        let kSlot = keys + row.slot * C * T, vSlot = values + row.slot * C * T
        for h in 0..<H {
            let kb = kSlot + h * hd * T + (t / 8) * hd * 8 + t % 8   // block t/8, lane t%8
            for d in 0..<hd { kb[d * 8] = S(k[h * hd + d]) }
            let vb = vSlot + h * hd * T + t * hd
            for d in 0..<hd { vb[d] = S(v[h * hd + d]) }
        }
    }

    /// Rows up to which `packedMatmul` (weights packed once) beats the BLAS GEMM (which packs
    /// the weights on every call).
    static let fewRows = 48
    /// Smallest product (rows·inF·outF multiply-adds) worth splitting across `innerThreads`.
    static let splitWork = 1 << 17

    /// Runs `body(t, parts)` on every thread t of the team (or once, t = 0, without one), where
    /// `parts` is how many threads should share a product of `work` multiply-adds.
    func team(_ work: Int, _ body: (Int, Int) -> Void) {
        guard let team else { body(0, 1); return }
        let parts = work >= Self.splitWork ? team.size : 1
        team.run { t in body(t, parts) }
    }

    /// Part `part` of `parts` of a linear layer, optionally followed by GELU: a contiguous block
    /// of output features (parts > 1 only when every part gets at least 32). Decode-sized calls
    /// use `packedMatmul`, larger ones (prefill) the BLAS GEMM.
    ///
    ///     out: (rows, outF) = inp: (rows, inF) · weight: (outF, inF)ᵀ + bias
    func linear(part: Int, of parts: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                weight: UnsafePointer<Float>, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                rows: Int, inFeatures: Int, outFeatures: Int, gelu: Bool = false) {
        let parts = outFeatures >= 32 * parts ? parts : 1
        let chunk = ((outFeatures + parts - 1) / parts + 15) / 16 * 16
        let o0 = part * chunk, o1 = min(outFeatures, o0 + chunk)
        guard o0 < o1 else { return }
        let n = o1 - o0
        if rows <= Self.fewRows {
            packedMatmul(out: out, inp: inp, packed: packed, bias: bias, rows: rows, inFeatures: inFeatures,
                         outFeatures: outFeatures, outputs: o0..<o1)
        } else {
            if let bias {
                for r in 0..<rows { (out + r * outFeatures + o0).update(from: bias + o0, count: n) }
            }
            sgemm(transA: false, transB: true, m: rows, n: n, k: inFeatures, alpha: 1,
                  a: inp, lda: inFeatures, b: weight + o0 * inFeatures, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: out + o0, ldc: outFeatures)
        }
        // GELU on this thread's own block, while it is still in cache (and in parallel).
        if gelu {
            for r in 0..<rows { let y = out + r * outFeatures + o0; geluForward(out: y, inp: y, count: n) }
        }
    }

    /// Calls `body(r0, r1, worker)` over row ranges, in parallel when `innerThreads` > 1.
    func parallelRows(_ R: Int, _ body: (Int, Int, Int) -> Void) {
        let parts = min(innerThreads, R)
        if parts <= 1 { body(0, R, 0); return }
        let chunk = (R + innerThreads - 1) / innerThreads
        team!.run { t in
            let r0 = t * chunk, r1 = min(R, r0 + chunk)
            if r0 < r1 { body(r0, r1, t) }
        }
    }
}
