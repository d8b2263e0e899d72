/// A binary operator of the expression language, with its precedence level.
public enum BinaryOperator: UInt8, Sendable, CaseIterable, Codable {
    case add = 43       // "+"
    case subtract = 45  // "-"
    case multiply = 42  // "*"
    case divide = 47    // "/"
    case power = 94     // "^"

    public var symbol: Character { Character(UnicodeScalar(rawValue)) }

    /// Higher binds tighter: `^` 3, `* /` 2, `+ -` 1.
    @inlinable public var precedence: Int {
        switch self {
        case .add, .subtract: return 1
        case .multiply, .divide: return 2
        case .power: return 3
        }
    }

    public init?(symbol: Character) {
        guard let ascii = symbol.asciiValue, let op = BinaryOperator(rawValue: ascii) else { return nil }
        self = op
    }
}

public enum UnaryOperator: UInt8, Sendable {
    case minus = 45  // "-"
    case plus = 43   // "+"
}

public enum Bracket: Sendable {
    case round   // ( )
    case square  // [ ]

    @inlinable var open: UInt8 { self == .round ? UInt8(ascii: "(") : UInt8(ascii: "[") }
    @inlinable var close: UInt8 { self == .round ? UInt8(ascii: ")") : UInt8(ascii: "]") }
}

/// A number as written: its digits (with sign) and whether a `%` follows.
/// `4859%` is `Literal(written: 4859, isPercent: true)` and means 48.59.
public struct Literal: Hashable, Sendable {
    public var written: DecimalValue
    public var isPercent: Bool

    public init(_ written: DecimalValue, isPercent: Bool = false) {
        self.written = written
        self.isPercent = isPercent
    }

    /// The number's value: `written`, or `written / 100` for a percent.
    @inlinable public var value: DecimalValue { isPercent ? written.shiftedRight(decimalDigits: 2) : written }

    public func write(to out: inout [UInt8]) {
        written.write(to: &out)
        if isPercent { out.append(UInt8(ascii: "%")) }
    }
}

/// An arithmetic expression as a tree in one flat array (no per-node allocation).
///
/// The tree is faithful to the text: brackets are `group` nodes, a sign before a bracket or a
/// power is a `unary` node, and a minus directly before a number is part of the number
/// (`3*-7` has the literal `-7`). So `print(parse(s)) == s` for every canonical `s`
/// (no spaces, no redundant zeros).
public struct Expression: Sendable {
    public enum Node: Sendable {
        case number(Literal)
        case unary(UnaryOperator, Int)
        case binary(BinaryOperator, Int, Int)
        case group(Bracket, Int)
    }

    public var nodes: [Node]
    public var root: Int

    public init(nodes: [Node], root: Int) {
        self.nodes = nodes
        self.root = root
    }

    /// The whole expression is a single number.
    @inlinable public var isNumber: Bool {
        if case .number = nodes[root] { return true }
        return false
    }

    @inlinable public func literal(at i: Int) -> Literal? {
        if case .number(let l) = nodes[i] { return l }
        return nil
    }

    /// The canonical text.
    public var text: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func write(to out: inout [UInt8]) { write(node: root, to: &out) }

    public func write(node i: Int, to out: inout [UInt8]) {
        switch nodes[i] {
        case .number(let l): l.write(to: &out)
        case .unary(let op, let x):
            out.append(op.rawValue)
            write(node: x, to: &out)
        case .binary(let op, let a, let b):
            write(node: a, to: &out)
            out.append(op.rawValue)
            write(node: b, to: &out)
        case .group(let bracket, let x):
            out.append(bracket.open)
            write(node: x, to: &out)
            out.append(bracket.close)
        }
    }

    /// The number an operator at node `i` works on: a number, or a number kept in brackets
    /// (a negative base of `^`, as in `(-5)^2`).
    @inlinable public func operand(at i: Int) -> Literal? {
        switch nodes[i] {
        case .number(let l): return l
        case .group(_, let x): return literal(at: x)
        default: return nil
        }
    }

    /// Text of the subtree at node `i`.
    public func text(of i: Int) -> String {
        var out: [UInt8] = []
        write(node: i, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension Expression: CustomStringConvertible {
    public var description: String { text }
}

extension Expression: Equatable {
    /// Two expressions are equal when they print the same.
    public static func == (a: Expression, b: Expression) -> Bool { a.text == b.text }
}
