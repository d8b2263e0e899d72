import ReckonModel

/// A small random model: big enough for distinct logits, small enough to keep tests fast.
func tinyModel(positions: PositionScheme = .learned, context: Int = 96, seed: UInt64 = 7) throws -> Model {
    let tokenizer = try Tokenizer()
    let config = ModelConfig(layers: 2, dModel: 48, heads: 4, contextLength: context,
                             vocabSize: tokenizer.vocabSize, positions: positions)
    let model = try Model(config: config, tokenizer: tokenizer, seed: seed)
    // Reference init gives near-uniform logits; widen them so argmax is far from ties.
    for i in 0..<model.parameterCount { model.parameters[i] *= 3 }
    return model
}

/// Greedy continuation recomputing the whole prefix every step with `Model.logits(for:)`.
func greedyWithoutCache(_ model: Model, prompt: [Int], count: Int) throws -> [Int] {
    var ids = prompt, out: [Int] = []
    let V = model.config.vocabSize
    while out.count < count && ids.count < model.config.contextLength {
        let logits = try model.logits(for: ids)
        let row = Array(logits[(ids.count - 1) * V ..< ids.count * V])
        var best = 0
        for j in 1..<V where row[j] > row[best] { best = j }
        out.append(best); ids.append(best)
    }
    // The cached decoder may emit one token more (it need not feed the last one back).
    if out.count < count {
        let logits = try model.logits(for: ids)
        let row = Array(logits[(ids.count - 1) * V ..< ids.count * V])
        var best = 0
        for j in 1..<V where row[j] > row[best] { best = j }
        out.append(best)
    }
    return out
}
