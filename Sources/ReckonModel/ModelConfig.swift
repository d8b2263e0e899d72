/// How the decoder learns where each token sits.
public enum PositionScheme: String, Codable, Sendable, CaseIterable {
    /// Learned absolute position embedding `wpe` added to the token embedding (the PyTorch reference).
    case learned
    /// Rotary embedding applied to queries and keys in every attention layer; no position parameters.
    case rope
    /// RoPE plus Abacus (McLeish et al. 2024): a learned embedding `abacus.weight` of each digit's
    /// index within its run of consecutive digits, added to the token embedding, so the model
    /// sees which digits of two numbers line up.
    case abacus
}

/// Architecture of the GPT decoder. Stored in a checkpoint's `config.json`.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var layers: Int
    public var dModel: Int
    public var heads: Int
    /// Hidden width of the MLP (the reference uses 4·dModel).
    public var mlpWidth: Int
    /// Maximum sequence length (tokens).
    public var contextLength: Int
    public var vocabSize: Int
    public var positions: PositionScheme
    /// RoPE frequency base (ignored for `learned`).
    public var ropeBase: Double
    /// Rows of the Abacus digit-index embedding (`abacus` only); digit k of a run (0-based)
    /// uses row min(k, abacusSize − 1).
    public var abacusSize: Int

    public init(layers: Int, dModel: Int, heads: Int, mlpWidth: Int? = nil, contextLength: Int,
                vocabSize: Int, positions: PositionScheme = .learned, ropeBase: Double = 10000, abacusSize: Int = 32) {
        self.layers = layers; self.dModel = dModel; self.heads = heads
        self.mlpWidth = mlpWidth ?? 4 * dModel
        self.contextLength = contextLength; self.vocabSize = vocabSize
        self.positions = positions; self.ropeBase = ropeBase; self.abacusSize = abacusSize
    }

    private enum CodingKeys: String, CodingKey {
        case layers, dModel, heads, mlpWidth, contextLength, vocabSize, positions, ropeBase, abacusSize
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(layers: try c.decode(Int.self, forKey: .layers), dModel: try c.decode(Int.self, forKey: .dModel),
                  heads: try c.decode(Int.self, forKey: .heads), mlpWidth: try c.decode(Int.self, forKey: .mlpWidth),
                  contextLength: try c.decode(Int.self, forKey: .contextLength), vocabSize: try c.decode(Int.self, forKey: .vocabSize),
                  positions: try c.decode(PositionScheme.self, forKey: .positions),
                  ropeBase: try c.decodeIfPresent(Double.self, forKey: .ropeBase) ?? 10000,
                  abacusSize: try c.decodeIfPresent(Int.self, forKey: .abacusSize) ?? 32)
    }

    public var headDim: Int { dModel / heads }

    /// Throws a `ModelError.invalidConfig` describing the first inconsistency.
    public func validate() throws {
        func fail(_ s: String) throws -> Never { throw ModelError.invalidConfig(s) }
        if layers < 1 { try fail("layers must be ≥ 1 (got \(layers))") }
        if dModel < 1 || heads < 1 || dModel % heads != 0 { try fail("dModel \(dModel) must be a positive multiple of heads \(heads)") }
        if positions != .learned && headDim % 2 != 0 { try fail("RoPE needs an even head dimension (got \(headDim))") }
        if positions == .abacus && abacusSize < 1 { try fail("abacusSize must be ≥ 1") }
        if mlpWidth < 1 { try fail("mlpWidth must be ≥ 1") }
        if contextLength < 1 { try fail("contextLength must be ≥ 1") }
        if vocabSize < 1 { try fail("vocabSize must be ≥ 1") }
    }

    /// Named sizes. Parameter counts are for the default tokenizer's vocabulary (98).
    public static let presetNames = ["tiny", "small", "base"]

    /// `tiny` ≈ 1.0M (5×128), `small` ≈ 4.8M (6×256), `base` ≈ 11.9M (15×256, MathGLM-10M's shape).
    public static func preset(_ name: String, vocabSize: Int, positions: PositionScheme = .learned) -> ModelConfig? {
        switch name {
        case "tiny": return ModelConfig(layers: 5, dModel: 128, heads: 4, contextLength: 128, vocabSize: vocabSize, positions: positions)
        case "small": return ModelConfig(layers: 6, dModel: 256, heads: 8, contextLength: 256, vocabSize: vocabSize, positions: positions)
        case "base": return ModelConfig(layers: 15, dModel: 256, heads: 8, contextLength: 256, vocabSize: vocabSize, positions: positions)
        default: return nil
        }
    }
}

/// Errors from building, loading or saving models.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case unknownCharacter(Character, position: Int)
    case sequenceTooLong(length: Int, context: Int)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .invalidConfig(let s): return "invalid model config: \(s)"
        case .unknownCharacter(let c, let p): return "character \(String(reflecting: c)) at offset \(p) is not in the tokenizer's vocabulary"
        case .sequenceTooLong(let n, let t): return "sequence of \(n) tokens exceeds the context length \(t)"
        case .checkpoint(let s): return "checkpoint error: \(s)"
        }
    }
}
