import Foundation
import Testing
import ReckonKernels
import ReckonModel

// End-to-end parity with the PyTorch reference (llm.c's test_gpt2 method). The fixtures are
// written by scripts/make_parity_fixture.py: the reference model in float64 with fixed weights,
// a fixed batch with masked targets, and its logits, loss and every parameter gradient.
//
// Tolerances (our pass is float32 throughout, the reference float64):
//   logits     |Δ| ≤ 2e-5 + 1e-5·|ref|
//   loss       |Δ| ≤ 1e-5·|ref|
//   gradients  per tensor, max|Δ| ≤ 1e-4 · max|ref grad of that tensor| + 1e-7

func fixtureURL(_ name: String) throws -> URL {
    let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return dir.appendingPathComponent(name)
}

func runParity(_ file: String) throws {
    let st = try SafeTensors(contentsOf: try fixtureURL(file))
    let meta = st.metadata
    let layers = Int(meta["layers"]!)!, d = Int(meta["d"]!)!, heads = Int(meta["heads"]!)!
    let ctx = Int(meta["ctx"]!)!, vocab = Int(meta["vocab"]!)!
    let positions = PositionScheme(rawValue: meta["positions"]!)!
    let tok = try Tokenizer(characters: String(Tokenizer.defaultCharacters.prefix(vocab - 3)))
    let cfg = ModelConfig(layers: layers, dModel: d, heads: heads, contextLength: ctx, vocabSize: vocab, positions: positions)
    let model = try Model(config: cfg, tokenizer: tok, parameters: nil)
    for t in model.layout.tensors { try st.copy(t.name, expectedShape: t.shape, into: model.parameters.pointer + t.offset) }

    let tokens = try st.floats("tokens").map { Int32($0) }
    let targets = try st.floats("targets").map { Int32($0) }
    let B = tokens.count / ctx, T = ctx
    let counted = targets.filter { $0 >= 0 }.count
    let ws = model.makeWorkspace(maxBatch: B)
    ws.grads.zero()
    model.forward(ws, tokens: tokens, batch: B, tokens: T)
    let lossSum = model.loss(ws, targets: targets, batch: B, tokens: T, gradScale: 1 / Float(counted))
    model.backward(ws, tokens: tokens, batch: B, tokens: T)

    let refLogits = try st.floats("logits")
    var worstLogit = 0.0
    for i in 0..<refLogits.count {
        let err = abs(Double(ws.logits[i] - refLogits[i])) - 1e-5 * abs(Double(refLogits[i]))
        worstLogit = max(worstLogit, err)
    }
    #expect(worstLogit <= 2e-5, "\(file): logits off by \(worstLogit)")

    let refLoss = Double(try st.floats("loss")[0])
    let loss = lossSum / Double(counted)
    #expect(abs(loss - refLoss) <= 1e-5 * abs(refLoss), "\(file): loss \(loss) vs \(refLoss)")

    for t in model.layout.tensors {
        let ref = try st.floats("grad." + t.name)
        let scale = ref.map { abs(Double($0)) }.max() ?? 0
        var worst = 0.0
        for i in 0..<t.count { worst = max(worst, abs(Double(ws.grads[t.offset + i]) - Double(ref[i]))) }
        #expect(worst <= 1e-4 * scale + 1e-7, "\(file): grad \(t.name) max error \(worst) (scale \(scale))")
    }
}

@Suite("PyTorch parity")
struct ParityTests {
    @Test func learnedPositions() throws { try runParity("parity_learned.safetensors") }
    @Test func rotaryPositions() throws { try runParity("parity_rope.safetensors") }

    /// The fixture's weights load through the checkpoint reader under reference names.
    @Test func fixtureHasEveryReferenceTensor() throws {
        let st = try SafeTensors(contentsOf: try fixtureURL("parity_learned.safetensors"))
        let cfg = ModelConfig(layers: 2, dModel: 32, heads: 4, contextLength: 16, vocabSize: 40)
        for t in ParameterLayout(cfg).tensors {
            #expect(st.entries[t.name]?.shape == t.shape)
            #expect(st.entries["grad." + t.name]?.shape == t.shape)
        }
    }
}
