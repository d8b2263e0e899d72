/// Character-level tokenizer: three special tokens followed by one token per character.
///
/// Ids: 0 = PAD, 1 = BOS, 2 = EOS, then `characters` in order. The character list is stored in
/// the checkpoint so a model always decodes with the vocabulary it was trained on.
///
/// `numberOrder` can show the model some numbers least-significant digit first, or padded:
/// `encode` maps the text to the model's (`NumberOrder.modelText`) and `decode` maps it back
/// (`writtenText`), so all text outside the model is ordinary.
public struct Tokenizer: Codable, Equatable, Sendable {
    public static let pad = 0
    public static let bos = 1
    public static let eos = 2
    public static let specialNames = ["<pad>", "<bos>", "<eos>"]

    /// The arithmetic alphabet first (its order fixes the ids), then the rest of printable ASCII
    /// so step formats can use letters and spaces without a new vocabulary.
    public static let defaultCharacters: String = {
        let core = "0123456789+-*/^()[]{}<>.,;:%=|"
        var s = core
        for u in UInt8(32)...UInt8(126) {
            let c = Character(Unicode.Scalar(u))
            if !core.contains(c) { s.append(c) }
        }
        return s
    }()

    /// The ordinary characters, id = 3 + index.
    public let characters: [Character]
    private let index: [Character: Int]
    /// Which numbers the model sees least-significant digit first.
    public let numberOrder: NumberOrder

    public init(characters: String = Tokenizer.defaultCharacters, numberOrder: NumberOrder = .asWritten) throws {
        self.numberOrder = numberOrder
        var idx: [Character: Int] = [:]
        var list: [Character] = []
        for c in characters {
            guard idx[c] == nil else { throw ModelError.invalidConfig("tokenizer character \(String(reflecting: c)) is listed twice") }
            idx[c] = 3 + list.count
            list.append(c)
        }
        self.characters = list
        self.index = idx
    }

    public var vocabSize: Int { 3 + characters.count }

    /// Token ids of `text` (no BOS/EOS added). Throws on a character outside the vocabulary.
    public func encode(_ text: String) throws -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(text.count)
        // Positions are those of the model text (padding can lengthen it).
        for (i, c) in numberOrder.modelText(text).enumerated() {
            guard let id = index[c] else { throw ModelError.unknownCharacter(c, position: i) }
            out.append(id)
        }
        return out
    }

    /// Text of `ids`, skipping special tokens and stopping at the first EOS.
    public func decode<S: Sequence>(_ ids: S) -> String where S.Element == Int {
        numberOrder.writtenText(modelText(ids))
    }

    /// The characters of `ids` as the model wrote them (`NumberOrder.modelText`, before
    /// `writtenText` maps them back), skipping special tokens and stopping at the first EOS.
    public func modelText<S: Sequence>(_ ids: S) -> String where S.Element == Int {
        var s = ""
        for id in ids {
            if id == Tokenizer.eos { break }
            if id >= 3 && id < vocabSize { s.append(characters[id - 3]) }
        }
        return s
    }

    /// `c` is one of 0–9 (what Abacus positions count and number reversal reorders).
    public static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isWholeNumber }

    // Codable as a plain character string plus the special names, so config.json is readable.
    private enum CodingKeys: String, CodingKey { case special, characters, numberOrder, reversedNumbers }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let special = try c.decodeIfPresent([String].self, forKey: .special) ?? Tokenizer.specialNames
        guard special == Tokenizer.specialNames else {
            throw ModelError.checkpoint("unsupported special tokens \(special), expected \(Tokenizer.specialNames)")
        }
        // Checkpoints before `numberOrder` stored a flag for the whole-text reversal.
        let order = try c.decodeIfPresent(NumberOrder.self, forKey: .numberOrder)
            ?? ((try c.decodeIfPresent(Bool.self, forKey: .reversedNumbers) ?? false) ? .reversed : .asWritten)
        try self.init(characters: try c.decode(String.self, forKey: .characters), numberOrder: order)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Tokenizer.specialNames, forKey: .special)
        try c.encode(String(characters), forKey: .characters)
        try c.encode(numberOrder, forKey: .numberOrder)
    }

    public static func == (a: Tokenizer, b: Tokenizer) -> Bool {
        a.characters == b.characters && a.numberOrder == b.numberOrder
    }
}
