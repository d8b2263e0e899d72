/// Character-level tokenizer: three special tokens followed by one token per character.
///
/// Ids: 0 = PAD, 1 = BOS, 2 = EOS, then `characters` in order. The character list is stored in
/// the checkpoint so a model always decodes with the vocabulary it was trained on.
///
/// With `reversesNumbers`, the model reads and writes every number least-significant digit
/// first (`1592+388=1980` is seen as `2951+883=0891`): `encode` reverses each run of digits
/// and points, `decode` reverses them back, so all text outside the model is ordinary.
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
    /// Numbers are presented to the model least-significant digit first.
    public let reversesNumbers: Bool

    public init(characters: String = Tokenizer.defaultCharacters, reversesNumbers: Bool = false) throws {
        self.reversesNumbers = reversesNumbers
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
        // Reversal permutes characters only inside digit runs, so positions of others are kept.
        for (i, c) in (reversesNumbers ? Tokenizer.reversingNumbers(text) : text).enumerated() {
            guard let id = index[c] else { throw ModelError.unknownCharacter(c, position: i) }
            out.append(id)
        }
        return out
    }

    /// Text of `ids`, skipping special tokens and stopping at the first EOS.
    public func decode<S: Sequence>(_ ids: S) -> String where S.Element == Int {
        var s = ""
        for id in ids {
            if id == Tokenizer.eos { break }
            if id >= 3 && id < vocabSize { s.append(characters[id - 3]) }
        }
        return reversesNumbers ? Tokenizer.reversingNumbers(s) : s
    }

    /// `c` is one of 0–9 (what Abacus positions count and number reversal reorders).
    public static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isWholeNumber }

    /// `text` with every maximal run of ASCII digits and points reversed (`12.5+30` →
    /// `5.21+03`). The map is its own inverse.
    public static func reversingNumbers(_ text: String) -> String {
        var out = "", run: [Character] = []
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if c == "." || isDigit(c) { run.append(c); continue }
            out.append(contentsOf: run.reversed()); run.removeAll(keepingCapacity: true)
            out.append(c)
        }
        out.append(contentsOf: run.reversed())
        return out
    }

    // Codable as a plain character string plus the special names, so config.json is readable.
    private enum CodingKeys: String, CodingKey { case special, characters, reversedNumbers }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let special = try c.decodeIfPresent([String].self, forKey: .special) ?? Tokenizer.specialNames
        guard special == Tokenizer.specialNames else {
            throw ModelError.checkpoint("unsupported special tokens \(special), expected \(Tokenizer.specialNames)")
        }
        try self.init(characters: try c.decode(String.self, forKey: .characters),
                      reversesNumbers: try c.decodeIfPresent(Bool.self, forKey: .reversedNumbers) ?? false)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Tokenizer.specialNames, forKey: .special)
        try c.encode(String(characters), forKey: .characters)
        try c.encode(reversesNumbers, forKey: .reversedNumbers)
    }

    public static func == (a: Tokenizer, b: Tokenizer) -> Bool {
        a.characters == b.characters && a.reversesNumbers == b.reversesNumbers
    }
}
