import ReckonKernels

/// The GPT decoder: token embedding (+ learned positions, or RoPE inside attention), pre-LN
/// blocks of causal multi-head attention and a GELU MLP, final LayerNorm, and an output head
/// tied to the token embedding. Same definition and parameter names as the PyTorch reference
/// (`shared/bench/torch_gpt_bench.py`), so weights move across in safetensors.
///
/// Parameters live in one flat buffer (`parameters`, laid out by `layout`). Forward and
/// backward passes run on a caller-owned `Workspace`, so one model can be driven by several
/// worker threads at once (each with its own workspace) while the parameters are read-only.
public final class Model: @unchecked Sendable {
    public let config: ModelConfig
    public let tokenizer: Tokenizer
    public let layout: ParameterLayout
    public let parameters: FloatBuffer
    let rope: RoPETable?
    /// isDigit[id]: token id is one of 0–9 (for Abacus digit indices).
    public let isDigit: [Bool]

    /// A model with the reference's initialisation: N(0, 0.02) weights, residual projections
    /// scaled by 1/√(2·layers), zero biases, unit LayerNorm gains.
    public convenience init(config: ModelConfig, tokenizer: Tokenizer, seed: UInt64) throws {
        try self.init(config: config, tokenizer: tokenizer, parameters: nil)
        var rng = Xoshiro256(seed: seed)
        let p = parameters.pointer
        for t in layout.tensors {
            let base = p + t.offset
            if t.name.hasSuffix("bias") {
                base.update(repeating: 0, count: t.count)
            } else if t.name.contains(".ln") || t.name.hasPrefix("ln_f") {
                base.update(repeating: 1, count: t.count)
            } else {
                var std = 0.02
                if t.name.hasSuffix("attn.proj.weight") || t.name.hasSuffix("mlp.fc2.weight") {
                    std = 0.02 / Double(2 * config.layers).squareRoot()
                }
                for i in 0..<t.count { base[i] = Float(rng.nextGaussian() * std) }
            }
        }
    }

    /// A model over existing parameters (copied), or zero parameters when nil.
    public init(config: ModelConfig, tokenizer: Tokenizer, parameters: FloatBuffer?) throws {
        try config.validate()
        guard tokenizer.vocabSize == config.vocabSize else {
            throw ModelError.invalidConfig("tokenizer has \(tokenizer.vocabSize) tokens but config.vocabSize is \(config.vocabSize)")
        }
        self.config = config
        self.tokenizer = tokenizer
        self.layout = ParameterLayout(config)
        self.parameters = FloatBuffer(count: layout.count)
        if let parameters {
            guard parameters.count == layout.count else {
                throw ModelError.invalidConfig("expected \(layout.count) parameters, got \(parameters.count)")
            }
            self.parameters.copy(from: parameters)
        }
        isDigit = (0..<config.vocabSize).map { id in id >= 3 && Tokenizer.isDigit(tokenizer.characters[id - 3]) }
        rope = config.positions != .learned
            ? RoPETable(headDim: config.headDim, maxTokens: config.contextLength, base: config.ropeBase) : nil
    }

    public var parameterCount: Int { layout.count }

    /// A copy of this model (same weights and tokenizer) whose context is `length` tokens. RoPE
    /// and Abacus positions have no per-position weights, so any length works; learned
    /// positions are a (context, d) table, which fixes the length.
    public func withContext(_ length: Int) throws -> Model {
        var c = config
        if length != c.contextLength && c.positions == .learned {
            throw ModelError.invalidConfig("learned positions fix the context at \(c.contextLength) tokens")
        }
        c.contextLength = length
        return try Model(config: c, tokenizer: tokenizer, parameters: parameters)
    }

    /// A copy of this model (same weights and vocabulary) that sees numbers in `order`: the
    /// starting point for fine-tuning a model to another number order.
    public func withNumberOrder(_ order: NumberOrder) throws -> Model {
        let t = try Tokenizer(characters: String(tokenizer.characters), numberOrder: order)
        return try Model(config: config, tokenizer: t, parameters: parameters)
    }

    /// A deeper copy, by block expansion (LLaMA Pro, arXiv 2401.02415): `layers − config.layers`
    /// new blocks spread evenly among the existing ones, which keep their weights. A new block's
    /// output projections (`attn.proj` and `mlp.fc2`, weights and biases) are zero, so it adds
    /// nothing to the residual stream: the deeper model computes exactly what this one does, and
    /// training grows the new blocks from there. Their other weights are the reference
    /// initialisation's, drawn from `seed`.
    public func deepened(to layers: Int, seed: UInt64) throws -> Model {
        let old = config.layers, added = layers - old
        guard added > 0 else { throw ModelError.invalidConfig("a deeper model needs more than \(old) layers (got \(layers))") }
        var c = config
        c.layers = layers
        let deeper = try Model(config: c, tokenizer: tokenizer, seed: seed)
        // Where each block lands: new block j goes right after old block ⌈(j+1)·old/added⌉ − 1,
        // so the new blocks are spread evenly and the last one follows the last old block.
        var target: [Int] = [], newBlocks: [Int] = [], next = 0
        for i in 0..<old {
            target.append(target.count + newBlocks.count)
            while next < added && ((next + 1) * old + added - 1) / added - 1 == i {
                newBlocks.append(target.count + newBlocks.count)
                next += 1
            }
        }
        // The layout is [embeddings | block 0 | block 1 | … | ln_f], each block contiguous.
        let src = parameters.pointer, dst = deeper.parameters.pointer
        let from = layout, to = deeper.layout
        let blockCount = from.blocks[0].fc2b + config.dModel - from.blocks[0].ln1w
        dst.update(from: src, count: from.blocks[0].ln1w)
        for (i, l) in target.enumerated() { (dst + to.blocks[l].ln1w).update(from: src + from.blocks[i].ln1w, count: blockCount) }
        (dst + to.lnfw).update(from: src + from.lnfw, count: from.count - from.lnfw)
        let C = c.dModel, M = c.mlpWidth
        for l in newBlocks {
            let b = to.blocks[l]
            (dst + b.projw).update(repeating: 0, count: C * C); (dst + b.projb).update(repeating: 0, count: C)
            (dst + b.fc2w).update(repeating: 0, count: C * M); (dst + b.fc2b).update(repeating: 0, count: C)
        }
        return deeper
    }

    /// Whether token `id` is one of the digits 0–9 (what Abacus counts runs of).
    public func isDigitToken(_ id: Int) -> Bool { id >= 0 && id < isDigit.count && isDigit[id] }

    /// Row of `abacus.weight` added for the digit at 0-based index `k` within its run of
    /// consecutive digit tokens (a non-digit ends the run): min(k, abacusSize − 1).
    public func abacusRow(digitIndex k: Int) -> Int { min(k, config.abacusSize - 1) }

    /// A workspace sized for this model.
    public func makeWorkspace(maxBatch: Int, maxTokens: Int? = nil) -> Workspace {
        Workspace(config: config, maxBatch: maxBatch, maxTokens: maxTokens ?? config.contextLength,
                  parameterCount: layout.count)
    }

    // MARK: - Forward

    /// Forward pass over `B` sequences of `T` tokens; leaves logits (B·T, V) in `ws.logits` and
    /// every activation backward needs in `ws`.
    ///
    ///     tokens: (B, T) token ids, row-major
    public func forward(_ ws: Workspace, tokens: UnsafePointer<Int32>, batch B: Int, tokens T: Int) {
        precondition(B <= ws.maxBatch && T <= ws.maxTokens, "batch larger than the workspace")
        let c = config, C = c.dModel, H = c.heads, M = c.mlpWidth, V = c.vocabSize, BT = B * T
        let p = UnsafePointer(parameters.pointer)

        // Embedding. x: (B, T, C) = wte[tok] + wpe[t]  (+ abacus[digit index] for digits)
        let x0 = ws.residual.pointer
        for b in 0..<B {
            var run = 0   // digits seen so far in the current run of digits
            for t in 0..<T {
                let row = x0 + (b * T + t) * C
                let tok = Int(tokens[b * T + t])
                precondition(tok >= 0 && tok < V, "token id \(tok) out of range")
                if let wpe = layout.wpe {
                    add(out: row, p + layout.wte + tok * C, p + wpe + t * C, count: C)
                } else {
                    row.update(from: p + layout.wte + tok * C, count: C)
                }
                if let abacus = layout.abacus {
                    if isDigit[tok] {
                        let k = abacusRow(digitIndex: run)
                        ws.digitIndex[b * T + t] = Int32(k)
                        addInPlace(row, p + abacus + k * C, count: C)
                        run += 1
                    } else {
                        ws.digitIndex[b * T + t] = -1
                        run = 0
                    }
                }
            }
        }

        for l in 0..<c.layers {
            let w = layout.blocks[l], a = ws.layer(l)

            // Attention branch: res2 = x + proj(attn(ln1(x)))
            layerNormForward(out: a.ln1, mean: a.ln1Mean, rstd: a.ln1Rstd,
                             inp: a.x, weight: p + w.ln1w, bias: p + w.ln1b, rows: BT, channels: C)
            matmulForward(out: a.qkv, inp: a.ln1, weight: p + w.qkvw, bias: p + w.qkvb, rows: BT, inFeatures: C, outFeatures: 3 * C)
            for b in 0..<B {
                let q = a.qkv + b * T * 3 * C
                rope?.apply(q, tokens: T, channels: C, heads: H)
                attentionForward(out: a.atty + b * T * C, lse: a.lse + b * H * T, scratch: ws.attentionScratch.pointer,
                                 qkv: q, tokens: T, channels: C, heads: H)
            }
            matmulForward(out: a.res2, inp: a.atty, weight: p + w.projw, bias: p + w.projb, rows: BT, inFeatures: C, outFeatures: C)
            addInPlace(a.res2, a.x, count: BT * C)

            // MLP branch: xOut = res2 + fc2(gelu(fc1(ln2(res2))))
            layerNormForward(out: a.ln2, mean: a.ln2Mean, rstd: a.ln2Rstd,
                             inp: a.res2, weight: p + w.ln2w, bias: p + w.ln2b, rows: BT, channels: C)
            matmulForward(out: a.fch, inp: a.ln2, weight: p + w.fc1w, bias: p + w.fc1b, rows: BT, inFeatures: C, outFeatures: M)
            geluForward(out: a.fcg, inp: a.fch, count: BT * M)
            matmulForward(out: a.xOut, inp: a.fcg, weight: p + w.fc2w, bias: p + w.fc2b, rows: BT, inFeatures: M, outFeatures: C)
            addInPlace(a.xOut, a.res2, count: BT * C)
        }

        // Head: logits (BT, V) = ln_f(x) · wteᵀ
        let xL = ws.finalResidual
        layerNormForward(out: ws.lnf.pointer, mean: ws.lnfMean.pointer, rstd: ws.lnfRstd.pointer, inp: xL,
                         weight: p + layout.lnfw, bias: p + layout.lnfb, rows: BT, channels: C)
        matmulForward(out: ws.logits.pointer, inp: ws.lnf.pointer, weight: p + layout.wte, bias: nil,
                      rows: BT, inFeatures: C, outFeatures: V)
    }

    /// Cross-entropy of the last forward pass; fills `ws.dlogits` with gradScale·∂loss/∂logits
    /// and `ws.losses` with per-position losses. Returns the summed loss over counted positions.
    ///
    ///     targets: (B, T), negative = not counted
    @discardableResult
    public func loss(_ ws: Workspace, targets: UnsafePointer<Int32>, batch B: Int, tokens T: Int, gradScale: Float) -> Double {
        crossEntropyForwardBackward(dlogits: ws.dlogits.pointer, losses: ws.losses.pointer, logits: ws.logits.pointer,
                                    targets: targets, rows: B * T, vocab: config.vocabSize, gradScale: gradScale)
    }

    // MARK: - Backward

    /// Backward pass for the last `forward` on `ws`, starting from `ws.dlogits`; accumulates
    /// parameter gradients into `ws.grads` (not zeroed here).
    public func backward(_ ws: Workspace, tokens: UnsafePointer<Int32>, batch B: Int, tokens T: Int) {
        let c = config, C = c.dModel, H = c.heads, M = c.mlpWidth, V = c.vocabSize, BT = B * T
        let p = UnsafePointer(parameters.pointer)
        let g = ws.grads.pointer
        let dres = ws.dres.pointer, dln = ws.dln.pointer

        // Head (tied): dwte += dlogitsᵀ·lnf; dln = dlogits·wte; then ln_f backward into dres.
        matmulBackward(dinp: dln, dweight: g + layout.wte, dbias: nil, dout: ws.dlogits.pointer, inp: ws.lnf.pointer,
                       weight: p + layout.wte, rows: BT, inFeatures: C, outFeatures: V)
        dres.update(repeating: 0, count: BT * C)
        layerNormBackward(dinp: dres, dweight: g + layout.lnfw, dbias: g + layout.lnfb, dout: dln,
                          inp: ws.finalResidual, weight: p + layout.lnfw,
                          mean: ws.lnfMean.pointer, rstd: ws.lnfRstd.pointer, rows: BT, channels: C)

        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            let w = layout.blocks[l], a = ws.layer(l)
            let dfc = ws.dfc.pointer, dqkv = ws.dqkv.pointer, datty = ws.datty.pointer

            // MLP branch. dres holds ∂L/∂xOut; the skip path passes it through unchanged.
            matmulBackward(dinp: dfc, dweight: g + w.fc2w, dbias: g + w.fc2b, dout: dres, inp: a.fcg,
                           weight: p + w.fc2w, rows: BT, inFeatures: M, outFeatures: C)
            geluBackward(dinp: dfc, inp: a.fch, out: a.fcg, dout: dfc, count: BT * M)
            matmulBackward(dinp: dln, dweight: g + w.fc1w, dbias: g + w.fc1b, dout: dfc, inp: a.ln2,
                           weight: p + w.fc1w, rows: BT, inFeatures: C, outFeatures: M)
            layerNormBackward(dinp: dres, dweight: g + w.ln2w, dbias: g + w.ln2b, dout: dln, inp: a.res2,
                              weight: p + w.ln2w, mean: a.ln2Mean, rstd: a.ln2Rstd, rows: BT, channels: C)

            // Attention branch. dres now holds ∂L/∂res2.
            matmulBackward(dinp: datty, dweight: g + w.projw, dbias: g + w.projb, dout: dres, inp: a.atty,
                           weight: p + w.projw, rows: BT, inFeatures: C, outFeatures: C)
            for b in 0..<B {
                let dq = dqkv + b * T * 3 * C
                attentionBackward(dqkv: dq, scratch: ws.attentionScratch.pointer, dout: datty + b * T * C,
                                  qkv: a.qkv + b * T * 3 * C, lse: a.lse + b * H * T, tokens: T, channels: C, heads: H)
                rope?.apply(dq, tokens: T, channels: C, heads: H, inverse: true)
            }
            matmulBackward(dinp: dln, dweight: g + w.qkvw, dbias: g + w.qkvb, dout: dqkv, inp: a.ln1,
                           weight: p + w.qkvw, rows: BT, inFeatures: C, outFeatures: 3 * C)
            layerNormBackward(dinp: dres, dweight: g + w.ln1w, dbias: g + w.ln1b, dout: dln, inp: a.x,
                              weight: p + w.ln1w, mean: a.ln1Mean, rstd: a.ln1Rstd, rows: BT, channels: C)
        }

        // Embeddings: scatter-add the residual gradient into the rows that were read.
        for b in 0..<B {
            for t in 0..<T {
                let row = UnsafePointer(dres + (b * T + t) * C)
                addInPlace(g + layout.wte + Int(tokens[b * T + t]) * C, row, count: C)
                if let wpe = layout.wpe { addInPlace(g + wpe + t * C, row, count: C) }
                if let abacus = layout.abacus, ws.digitIndex[b * T + t] >= 0 {
                    addInPlace(g + abacus + Int(ws.digitIndex[b * T + t]) * C, row, count: C)
                }
            }
        }
    }

    // MARK: - Inference

    /// Logits for every position of one sequence, forward only.
    ///
    /// - Returns: (T, V) row-major; row t is the distribution over the token after `tokens[t]`.
    /// - Throws: `ModelError.sequenceTooLong` beyond the context length.
    /// A new workspace is sized per call; decoding loops should use `forward` with their own
    /// workspace (or a KV cache) instead.
    public func logits(for tokens: [Int]) throws -> [Float] {
        guard !tokens.isEmpty else { return [] }
        guard tokens.count <= config.contextLength else {
            throw ModelError.sequenceTooLong(length: tokens.count, context: config.contextLength)
        }
        for t in tokens where t < 0 || t >= config.vocabSize {
            throw ModelError.invalidConfig("token id \(t) outside the vocabulary (\(config.vocabSize))")
        }
        let ws = makeWorkspace(maxBatch: 1, maxTokens: tokens.count)
        let ids = tokens.map { Int32($0) }
        ids.withUnsafeBufferPointer { forward(ws, tokens: $0.baseAddress!, batch: 1, tokens: tokens.count) }
        return Array(UnsafeBufferPointer(start: ws.logits.pointer, count: tokens.count * config.vocabSize))
    }
}
