/// One named tensor inside the flat parameter buffer.
public struct ParameterTensor: Sendable, Equatable {
    /// PyTorch state_dict name in the reference model (`blocks.0.attn.qkv.weight`, ...).
    public let name: String
    public let shape: [Int]
    /// Offset in floats into the flat buffer.
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// AdamW weight decay applies to 2-D tensors only (matmul weights and embeddings), as in nanoGPT.
    public var decays: Bool { shape.count >= 2 }
}

/// Offsets (in floats) of one block's tensors.
public struct BlockOffsets: Sendable {
    public var ln1w = 0, ln1b = 0, qkvw = 0, qkvb = 0, projw = 0, projb = 0
    public var ln2w = 0, ln2b = 0, fc1w = 0, fc1b = 0, fc2w = 0, fc2b = 0
}

/// Where every parameter lives in the single flat buffer. The order is the reference model's
/// state_dict order, so the buffer is also the concatenation of the safetensors tensors.
public struct ParameterLayout: Sendable {
    public let tensors: [ParameterTensor]
    public let count: Int
    public let wte: Int
    /// nil for position schemes without learned positions.
    public let wpe: Int?
    /// Abacus digit-index embedding (abacusSize, C); nil unless positions == .abacus.
    public let abacus: Int?
    public let blocks: [BlockOffsets]
    public let lnfw: Int, lnfb: Int

    public init(_ c: ModelConfig) {
        var tensors: [ParameterTensor] = []
        var off = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let t = ParameterTensor(name: name, shape: shape, offset: off)
            tensors.append(t)
            off += t.count
            return t.offset
        }
        let C = c.dModel, M = c.mlpWidth
        wte = add("wte.weight", [c.vocabSize, C])
        wpe = c.positions == .learned ? add("wpe.weight", [c.contextLength, C]) : nil
        abacus = c.positions == .abacus ? add("abacus.weight", [c.abacusSize, C]) : nil
        var blocks: [BlockOffsets] = []
        for l in 0..<c.layers {
            let p = "blocks.\(l)."
            var b = BlockOffsets()
            b.ln1w = add(p + "ln1.weight", [C]); b.ln1b = add(p + "ln1.bias", [C])
            b.qkvw = add(p + "attn.qkv.weight", [3 * C, C]); b.qkvb = add(p + "attn.qkv.bias", [3 * C])
            b.projw = add(p + "attn.proj.weight", [C, C]); b.projb = add(p + "attn.proj.bias", [C])
            b.ln2w = add(p + "ln2.weight", [C]); b.ln2b = add(p + "ln2.bias", [C])
            b.fc1w = add(p + "mlp.fc1.weight", [M, C]); b.fc1b = add(p + "mlp.fc1.bias", [M])
            b.fc2w = add(p + "mlp.fc2.weight", [C, M]); b.fc2b = add(p + "mlp.fc2.bias", [C])
            blocks.append(b)
        }
        self.blocks = blocks
        lnfw = add("ln_f.weight", [C]); lnfb = add("ln_f.bias", [C])
        self.tensors = tensors
        self.count = off
    }

    /// Parameters excluding position embeddings (the reference's N in its FLOP formula).
    public var countWithoutPositions: Int {
        count - (tensors.first { $0.name == "wpe.weight" }?.count ?? 0)
    }
}
