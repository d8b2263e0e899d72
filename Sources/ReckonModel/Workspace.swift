import ReckonKernels

/// Activations, backward scratch and a private gradient buffer for up to `maxBatch` sequences
/// of up to `maxTokens` tokens. One per worker thread; allocated once, reused every step.
///
/// Per-layer activations are stored as (L, maxBatch·maxTokens, ·) slabs; a pass over B·T < max
/// rows uses the first B·T rows of each slab, contiguous.
public final class Workspace: @unchecked Sendable {
    public let config: ModelConfig
    public let maxBatch: Int
    public let maxTokens: Int
    var rows: Int { maxBatch * maxTokens }

    // Forward activations.
    let residual: FloatBuffer  // (L+1, BT, C): input of each block; [L] is the final residual
    let ln1: FloatBuffer, ln1Mean: FloatBuffer, ln1Rstd: FloatBuffer   // (L, BT, C), (L, BT), (L, BT)
    let qkv: FloatBuffer       // (L, BT, 3C), RoPE-rotated when positions == .rope
    let lse: FloatBuffer       // (L, B, H, T) log-sum-exp of each attention row (see attentionForward)
    let atty: FloatBuffer      // (L, BT, C) attention output before the projection
    let res2: FloatBuffer      // (L, BT, C) residual after the attention branch
    let ln2: FloatBuffer, ln2Mean: FloatBuffer, ln2Rstd: FloatBuffer
    let fch: FloatBuffer       // (L, BT, M) fc1 output (pre-GELU)
    let fcg: FloatBuffer       // (L, BT, M) GELU output
    let lnf: FloatBuffer, lnfMean: FloatBuffer, lnfRstd: FloatBuffer
    /// (BT, V) logits of the last forward pass.
    public let logits: FloatBuffer
    /// (BT, V) gradient of the loss with respect to the logits.
    public let dlogits: FloatBuffer
    /// (BT) per-position loss of the last loss computation (0 where masked).
    public let losses: FloatBuffer

    // Backward scratch, reused across layers.
    let dres: FloatBuffer      // (BT, C) gradient of the residual stream
    let dln: FloatBuffer       // (BT, C)
    let dqkv: FloatBuffer      // (BT, 3C)
    let datty: FloatBuffer     // (BT, C)
    let dfc: FloatBuffer       // (BT, M)
    let attentionScratch: FloatBuffer   // attentionScratchCount(tokens: T), forward and backward

    /// (BT) Abacus row of each position, −1 for non-digits (abacus scheme only).
    let digitIndex: UnsafeMutablePointer<Int32>

    /// This worker's parameter gradients, same layout as the parameters. Accumulated into by
    /// `backward`; the caller zeroes it.
    public let grads: FloatBuffer

    public init(config c: ModelConfig, maxBatch: Int, maxTokens: Int, parameterCount: Int) {
        precondition(maxTokens <= c.contextLength, "workspace longer than the context")
        self.config = c; self.maxBatch = maxBatch; self.maxTokens = maxTokens
        let L = c.layers, C = c.dModel, M = c.mlpWidth, H = c.heads, BT = maxBatch * maxTokens
        residual = FloatBuffer(count: (L + 1) * BT * C)
        ln1 = FloatBuffer(count: L * BT * C); ln1Mean = FloatBuffer(count: L * BT); ln1Rstd = FloatBuffer(count: L * BT)
        qkv = FloatBuffer(count: L * BT * 3 * C)
        lse = FloatBuffer(count: L * maxBatch * H * maxTokens)
        atty = FloatBuffer(count: L * BT * C)
        res2 = FloatBuffer(count: L * BT * C)
        ln2 = FloatBuffer(count: L * BT * C); ln2Mean = FloatBuffer(count: L * BT); ln2Rstd = FloatBuffer(count: L * BT)
        fch = FloatBuffer(count: L * BT * M)
        fcg = FloatBuffer(count: L * BT * M)
        lnf = FloatBuffer(count: BT * C); lnfMean = FloatBuffer(count: BT); lnfRstd = FloatBuffer(count: BT)
        logits = FloatBuffer(count: BT * c.vocabSize)
        dlogits = FloatBuffer(count: BT * c.vocabSize)
        losses = FloatBuffer(count: BT)
        dres = FloatBuffer(count: BT * C)
        dln = FloatBuffer(count: BT * C)
        dqkv = FloatBuffer(count: BT * 3 * C)
        datty = FloatBuffer(count: BT * C)
        dfc = FloatBuffer(count: BT * M)
        attentionScratch = FloatBuffer(count: attentionScratchCount(tokens: maxTokens))
        grads = FloatBuffer(count: parameterCount)
        digitIndex = .allocate(capacity: BT)
        digitIndex.initialize(repeating: -1, count: BT)
    }

    deinit { digitIndex.deallocate() }

    /// Layer `l`'s slices of the per-layer activations (the first B·T rows of each slab are used).
    struct Layer {
        let x: UnsafeMutablePointer<Float>        // (BT, C) block input
        let ln1: UnsafeMutablePointer<Float>      // (BT, C)
        let ln1Mean: UnsafeMutablePointer<Float>  // (BT)
        let ln1Rstd: UnsafeMutablePointer<Float>  // (BT)
        let qkv: UnsafeMutablePointer<Float>      // (BT, 3C)
        let lse: UnsafeMutablePointer<Float>      // (B, H, T)
        let atty: UnsafeMutablePointer<Float>     // (BT, C)
        let res2: UnsafeMutablePointer<Float>     // (BT, C)
        let ln2: UnsafeMutablePointer<Float>      // (BT, C)
        let ln2Mean: UnsafeMutablePointer<Float>  // (BT)
        let ln2Rstd: UnsafeMutablePointer<Float>  // (BT)
        let fch: UnsafeMutablePointer<Float>      // (BT, M)
        let fcg: UnsafeMutablePointer<Float>      // (BT, M)
        let xOut: UnsafeMutablePointer<Float>     // (BT, C) block output = next block's input
    }

    /// (BT, C) output of the last block, input of the final LayerNorm.
    var finalResidual: UnsafeMutablePointer<Float> { residual.pointer + config.layers * rows * config.dModel }

    func layer(_ l: Int) -> Layer {
        let C = config.dModel, M = config.mlpWidth, R = rows
        return Layer(x: residual.pointer + l * R * C,
                     ln1: ln1.pointer + l * R * C, ln1Mean: ln1Mean.pointer + l * R, ln1Rstd: ln1Rstd.pointer + l * R,
                     qkv: qkv.pointer + l * R * 3 * C,
                     lse: lse.pointer + l * maxBatch * config.heads * maxTokens,
                     atty: atty.pointer + l * R * C, res2: res2.pointer + l * R * C,
                     ln2: ln2.pointer + l * R * C, ln2Mean: ln2Mean.pointer + l * R, ln2Rstd: ln2Rstd.pointer + l * R,
                     fch: fch.pointer + l * R * M, fcg: fcg.pointer + l * R * M,
                     xOut: residual.pointer + (l + 1) * R * C)
    }

    /// Bytes held by this workspace.
    public var byteCount: Int {
        [residual, ln1, ln1Mean, ln1Rstd, qkv, lse, atty, res2, ln2, ln2Mean, ln2Rstd, fch, fcg, lnf, lnfMean,
         lnfRstd, logits, dlogits, losses, dres, dln, dqkv, datty, dfc, attentionScratch, grads].reduce(0) { $0 + $1.count * 4 }
    }
}
