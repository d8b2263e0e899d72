import ReckonKernels
import ReckonModel

/// Every linear layer's weight transposed once to (inF, outF) for `packedMatmul`, the
/// few-row kernel of decode steps. Built once per decoder and only read afterwards, so all
/// workers share it (it doubles the model's memory, not the workers').
public final class PackedWeights: @unchecked Sendable {
    let buffer: FloatBuffer
    /// Offsets into `buffer`, per layer.
    let qkv: [Int], proj: [Int], fc1: [Int], fc2: [Int]
    /// The tied output head: wteᵀ, (C, V).
    let head: Int

    public init(model: Model) {
        let c = model.config, C = c.dModel, M = c.mlpWidth, V = c.vocabSize, L = c.layers
        let perLayer = 3 * C * C + C * C + 2 * C * M
        buffer = FloatBuffer(count: L * perLayer + C * V)
        let p = UnsafePointer(model.parameters.pointer), dst = buffer.pointer
        var qkv: [Int] = [], proj: [Int] = [], fc1: [Int] = [], fc2: [Int] = []
        var off = 0
        func pack(_ weight: Int, _ K: Int, _ N: Int) -> Int {
            packTransposed(p + weight, into: dst + off, inFeatures: K, outFeatures: N)
            off += K * N
            return off - K * N
        }
        for w in model.layout.blocks {
            qkv.append(pack(w.qkvw, C, 3 * C))
            proj.append(pack(w.projw, C, C))
            fc1.append(pack(w.fc1w, C, M))
            fc2.append(pack(w.fc2w, M, C))
        }
        head = pack(model.layout.wte, C, V)
        self.qkv = qkv; self.proj = proj; self.fc1 = fc1; self.fc2 = fc2
    }
}
