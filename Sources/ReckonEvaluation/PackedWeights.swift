import ReckonKernels
import ReckonModel

/// Every linear layer's weight repacked once (`packStrips`) for `packedMatmul`, the few-row
/// kernel of decode steps. Built once per decoder and only read afterwards, so all workers
/// share it (it doubles the model's memory, not the workers'). A snapshot: a decoder made
/// before the parameters change keeps decoding with the old weights.
public final class PackedWeights: @unchecked Sendable {
    let buffer: FloatBuffer
    /// Offsets into `buffer`, per layer.
    let qkv: [Int], proj: [Int], fc1: [Int], fc2: [Int]
    /// The tied output head (wte as a (V, C) linear weight).
    let head: Int

    public init(model: Model) {
        let c = model.config, C = c.dModel, M = c.mlpWidth, V = c.vocabSize, L = c.layers
        let perLayer = packedCount(inFeatures: C, outFeatures: 3 * C) + packedCount(inFeatures: C, outFeatures: C)
            + packedCount(inFeatures: C, outFeatures: M) + packedCount(inFeatures: M, outFeatures: C)
        buffer = FloatBuffer(count: L * perLayer + packedCount(inFeatures: C, outFeatures: V))
        let p = UnsafePointer(model.parameters.pointer), dst = buffer.pointer
        var qkv: [Int] = [], proj: [Int] = [], fc1: [Int] = [], fc2: [Int] = []
        var off = 0
        func pack(_ weight: Int, _ K: Int, _ N: Int) -> Int {
            packStrips(p + weight, into: dst + off, inFeatures: K, outFeatures: N)
            off += packedCount(inFeatures: K, outFeatures: N)
            return off - packedCount(inFeatures: K, outFeatures: N)
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
