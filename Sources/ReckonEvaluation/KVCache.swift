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

    let keys: FloatBuffer      // (L, slots, H, hd, maxTokens): transposed per head for the score pass
    let values: FloatBuffer    // (L, slots, maxTokens, C)
    let x: FloatBuffer         // (R, C) residual stream
    let ln: FloatBuffer        // (R, C) LayerNorm output, then branch output
    let att: FloatBuffer       // (R, C) attention output (heads concatenated)
    let qkv: FloatBuffer       // (R, 3C)
    let fc: FloatBuffer        // (R, M)
    let mean: FloatBuffer, rstd: FloatBuffer   // (R) LayerNorm statistics (unused, kernel needs them)
    let scores: FloatBuffer    // (innerThreads, maxTokens + 8) softmax scratch
    /// (R, V) logits written by the last `forward`, one row per requested output row, in order.
    public let logits: FloatBuffer
    let rope: RoPETable?
    /// Repacked weights for decode-sized calls (shared between the caches of one decoder).
    let packed: PackedWeights
    /// Per slot: length of the run of digits ending at its last cached position (the Abacus
    /// digit index of a digit that comes next).
    var digitRun: [Int]

    /// A single-threaded cache with its own packed weights.
    public convenience init(model: Model, slots: Int, maxTokens: Int? = nil, maxRows: Int) {
        self.init(model: model, slots: slots, maxTokens: maxTokens, maxRows: maxRows, team: nil, packed: nil)
    }

    init(model: Model, slots: Int, maxTokens: Int?, maxRows: Int, team: SpinTeam?, packed: PackedWeights?) {
        let c = model.config
        precondition(slots >= 1 && maxRows >= 1)
        self.model = model
        self.slots = slots
        self.maxTokens = min(maxTokens ?? c.contextLength, c.contextLength)
        self.maxRows = maxRows
        self.team = team
        let L = c.layers, C = c.dModel, M = c.mlpWidth
        // +8: the attention kernel reads whole 8-position vectors past a row's last position.
        keys = FloatBuffer(count: L * slots * self.maxTokens * C + 8)
        values = FloatBuffer(count: L * slots * self.maxTokens * C)
        x = FloatBuffer(count: maxRows * C)
        ln = FloatBuffer(count: maxRows * C)
        att = FloatBuffer(count: maxRows * C)
        qkv = FloatBuffer(count: maxRows * 3 * C)
        fc = FloatBuffer(count: maxRows * M)
        mean = FloatBuffer(count: maxRows)
        rstd = FloatBuffer(count: maxRows)
        scores = FloatBuffer(count: (team?.size ?? 1) * (self.maxTokens + 8))
        logits = FloatBuffer(count: maxRows * c.vocabSize)
        rope = model.rotaryTable
        self.packed = packed ?? PackedWeights(model: model)
        digitRun = [Int](repeating: 0, count: slots)
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
        let x = x.pointer, ln = ln.pointer, att = att.pointer, qkv = qkv.pointer, fc = fc.pointer
        let pw = UnsafePointer(packed.buffer.pointer)

        // Embedding. x: (R, C) = wte[tok] + wpe[pos]  (+ abacus[digit index] for digits, the
        // index counted along the slot's sequence as `Model.forward` counts it)
        for (r, row) in rows.enumerated() {
            precondition(row.slot >= 0 && row.slot < slots && row.position >= 0 && row.position < maxTokens, "row outside the cache")
            precondition(row.token >= 0 && row.token < V, "token id out of range")
            let out = x + r * C
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

        for l in 0..<c.layers {
            let w = layout.blocks[l]
            let kl = keys.pointer + l * slots * maxTokens * C
            let vl = values.pointer + l * slots * maxTokens * C

            // Attention branch: x += proj(attn(ln1(x))). Row-wise steps are split over the team
            // too, so the second thread does not wait through them.
            parallelRows(R) { r0, r1, _ in
                layerNormForward(out: ln + r0 * C, mean: self.mean.pointer + r0, rstd: self.rstd.pointer + r0, inp: x + r0 * C,
                                 weight: p + w.ln1w, bias: p + w.ln1b, rows: r1 - r0, channels: C)
            }
            linear(out: qkv, inp: ln, weight: p + w.qkvw, packed: pw + packed.qkv[l], bias: p + w.qkvb, rows: R, inFeatures: C, outFeatures: 3 * C)
            // q, k rotated at each row's own position; k, v appended to the cache. All rows are
            // cached before any attends (a prompt's rows read each other's keys).
            parallelRows(R) { r0, r1, _ in
                for r in r0..<r1 {
                    let row = rows[r], q = qkv + r * 3 * C
                    if let rope = self.rope { rotateQueryKey(q, position: row.position, table: rope, heads: H, channels: C) }
                    let kT = kl + row.slot * C * self.maxTokens + row.position, k = q + C
                    for i in 0..<C { kT[i * self.maxTokens] = k[i] }   // channel i = h·hd + d → row (h, d)
                    (vl + (row.slot * self.maxTokens + row.position) * C).update(from: q + 2 * C, count: C)
                }
            }
            parallelRows(R) { r0, r1, worker in
                let sc = self.scores.pointer + worker * (self.maxTokens + 8)
                for r in r0..<r1 {
                    let row = rows[r]
                    attendCachedRow(out: att + r * C, q: qkv + r * 3 * C, keysT: kl + row.slot * C * self.maxTokens,
                                    keyStride: self.maxTokens, values: vl + row.slot * self.maxTokens * C,
                                    count: row.position + 1, channels: C, heads: H, scores: sc)
                }
            }
            linear(out: ln, inp: att, weight: p + w.projw, packed: pw + packed.proj[l], bias: p + w.projb, rows: R, inFeatures: C, outFeatures: C)

            // MLP branch: x += fc2(gelu(fc1(ln2(x)))), after the attention residual.
            parallelRows(R) { r0, r1, _ in
                add(out: x + r0 * C, UnsafePointer(ln + r0 * C), UnsafePointer(x + r0 * C), count: (r1 - r0) * C)
                layerNormForward(out: ln + r0 * C, mean: self.mean.pointer + r0, rstd: self.rstd.pointer + r0, inp: x + r0 * C,
                                 weight: p + w.ln2w, bias: p + w.ln2b, rows: r1 - r0, channels: C)
            }
            linear(out: fc, inp: ln, weight: p + w.fc1w, packed: pw + packed.fc1[l], bias: p + w.fc1b, rows: R, inFeatures: C, outFeatures: M,
                   gelu: true)
            linear(out: ln, inp: fc, weight: p + w.fc2w, packed: pw + packed.fc2[l], bias: p + w.fc2b, rows: R, inFeatures: M, outFeatures: C)
            parallelRows(R) { r0, r1, _ in
                add(out: x + r0 * C, UnsafePointer(ln + r0 * C), UnsafePointer(x + r0 * C), count: (r1 - r0) * C)
            }
        }

        // Head, only for the requested rows: logits (O, V) = ln_f(x[outputs]) · wteᵀ
        let O = outputs.count
        guard O > 0 else { return }
        for (i, r) in outputs.enumerated() { (att + i * C).update(from: x + r * C, count: C) }
        layerNormForward(out: ln, mean: mean.pointer, rstd: rstd.pointer, inp: att,
                         weight: p + layout.lnfw, bias: p + layout.lnfb, rows: O, channels: C)
        linear(out: logits.pointer, inp: ln, weight: p + layout.wte, packed: pw + packed.head, bias: nil, rows: O, inFeatures: C, outFeatures: V)
    }

    /// Rows up to which `packedMatmul` (weights packed once) beats the BLAS GEMM (which packs
    /// the weights on every call).
    static let fewRows = 48
    /// Smallest product (rows·inF·outF multiply-adds) worth a fork/join across `innerThreads`.
    static let splitWork = 1 << 17

    /// Linear layer, optionally followed by GELU. Decode-sized calls use `packedMatmul`, larger
    /// ones (prefill) the BLAS GEMM.
    /// With `innerThreads` > 1 and enough work, output features are split into contiguous
    /// blocks computed in parallel.
    ///
    ///     out: (rows, outF) = inp: (rows, inF) · weight: (outF, inF)ᵀ + bias
    func linear(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, inFeatures: Int, outFeatures: Int,
                gelu: Bool = false) {
        let few = rows <= Self.fewRows
        let parts = rows * inFeatures * outFeatures >= Self.splitWork && outFeatures >= 32 * innerThreads ? innerThreads : 1
        let chunk = ((outFeatures + parts - 1) / parts + 15) / 16 * 16
        let block = { (t: Int) in
            let o0 = t * chunk, o1 = min(outFeatures, o0 + chunk)
            guard o0 < o1 else { return }
            let n = o1 - o0
            if few {
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
        if parts == 1 { block(0) } else { team!.run(block) }
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

