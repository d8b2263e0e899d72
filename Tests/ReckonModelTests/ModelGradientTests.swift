import Foundation
import Testing
import ReckonKernels
import ReckonModel

/// Whole-model gradients vs central finite differences of the float32 loss, for every position
/// scheme (the PyTorch fixtures cover learned and RoPE exactly; this also covers Abacus and the
/// wiring of every tensor). Per tensor, the three coordinates with the largest analytic gradient
/// are checked: |analytic − numeric| ≤ 2e-3 + 3e-2·|numeric| (float32 loss differences at
/// h = 1e-2 carry ~1e-4 noise).
@Suite("Model gradients")
struct ModelGradientTests {
    @Test(arguments: PositionScheme.allCases)
    func finiteDifferences(_ positions: PositionScheme) throws {
        let tok = try Tokenizer()
        let cfg = ModelConfig(layers: 2, dModel: 16, heads: 2, contextLength: 12, vocabSize: tok.vocabSize,
                              positions: positions, abacusSize: 6)
        let model = try Model(config: cfg, tokenizer: tok, seed: 5)
        // Larger weights than the 0.02 init so gradients stand well above float noise.
        for i in 0..<model.parameterCount where model.parameters[i] != 1 && model.parameters[i] != 0 { model.parameters[i] *= 10 }
        let text = [try tok.encode("12+345=357"), try tok.encode("7*8=56(9)")]
        var tokens = [Int32](repeating: Int32(Tokenizer.pad), count: 2 * 11), targets = [Int32](repeating: -1, count: 2 * 11)
        for (b, ids) in text.enumerated() {
            let seq = [Tokenizer.bos] + ids
            for t in 0..<min(11, seq.count) { tokens[b * 11 + t] = Int32(seq[t]) }
            for t in 0..<min(11, seq.count - 1) { targets[b * 11 + t] = Int32(seq[t + 1]) }
        }
        let ws = model.makeWorkspace(maxBatch: 2, maxTokens: 11)
        func loss() -> Double {
            model.forward(ws, tokens: tokens, batch: 2, tokens: 11)
            return model.loss(ws, targets: targets, batch: 2, tokens: 11, gradScale: 1)
        }
        ws.grads.zero()
        _ = loss()
        model.backward(ws, tokens: tokens, batch: 2, tokens: 11)
        let analytic = ws.grads.array
        for t in model.layout.tensors {
            let idx = (t.offset..<(t.offset + t.count)).sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(3)
            for i in idx {
                let h: Float = 1e-2
                let orig = model.parameters[i]
                model.parameters[i] = orig + h; let lp = loss()
                model.parameters[i] = orig - h; let lm = loss()
                model.parameters[i] = orig
                let numeric = (lp - lm) / Double(2 * h)
                let err = abs(Double(analytic[i]) - numeric)
                #expect(err <= 2e-3 + 3e-2 * abs(numeric), "\(positions) \(t.name)[\(i - t.offset)]: analytic \(analytic[i]) numeric \(numeric)")
            }
        }
        if positions == .abacus {
            // Longest digit run is 3 ("345", "357"): rows 3… of the Abacus table are never used.
            let ab = try #require(model.layout.tensors.first { $0.name == "abacus.weight" })
            #expect(ab.shape == [6, 16])
            for i in (ab.offset + 3 * 16)..<(ab.offset + ab.count) { #expect(analytic[i] == 0) }
            for r in 0..<3 { #expect((0..<16).contains { analytic[ab.offset + r * 16 + $0] != 0 }) }
        }
    }
}
