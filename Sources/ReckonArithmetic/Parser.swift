/// A syntax error with the 1-based column where it was found.
public struct ParseError: Error, Equatable, CustomStringConvertible {
    public var column: Int
    public var message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "col \(column): \(message)" }
}

extension Expression {
    /// Parses MathGLM-style arithmetic text.
    ///
    /// Grammar (spaces are ignored):
    /// ```
    /// sum     := product (('+' | '-') product)*
    /// product := unary (('*' | '/') unary)*
    /// unary   := ('-' | '+') unary | power
    /// power   := primary ('^' unary)?          right-associative
    /// primary := number '%'? | '(' sum ')' | '[' sum ']'
    /// number  := digits ('.' digits)?
    /// ```
    /// A `-` directly before a number makes a negative number (`3*-7`, `4--2`); before a bracket
    /// or a power it is an operator, so `-5^2` is -(5^2) = -25 and `(-5)^2` is 25.
    public init(parsing text: String) throws {
        var parser = Parser(Array(text.utf8))
        self = try parser.parseAll()
    }
}

struct Parser {
    let bytes: [UInt8]
    var position = 0
    var nodes: [Expression.Node] = []
    var depth = 0
    static let maximumDepth = 256

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseAll() throws -> Expression {
        skipSpaces()
        if position == bytes.count { throw ParseError(column: 1, message: "empty expression") }
        let root = try parseSum()
        skipSpaces()
        if position < bytes.count { throw unexpected() }
        return Expression(nodes: nodes, root: root)
    }

    private mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
    }

    private mutating func peek() -> UInt8? {
        skipSpaces()
        return position < bytes.count ? bytes[position] : nil
    }

    private func unexpected() -> ParseError {
        guard position < bytes.count else { return ParseError(column: position + 1, message: "unexpected end of expression") }
        let scalar = UnicodeScalar(bytes[position])
        let shown = bytes[position] < 128 ? String(Character(scalar)) : "non-ASCII character"
        return ParseError(column: position + 1, message: "unexpected '\(shown)'")
    }

    private mutating func add(_ node: Expression.Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    private mutating func parseSum() throws -> Int {
        var lhs = try parseProduct()
        while let c = peek(), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            position += 1
            let rhs = try parseProduct()
            lhs = add(.binary(BinaryOperator(rawValue: c)!, lhs, rhs))
        }
        return lhs
    }

    private mutating func parseProduct() throws -> Int {
        var lhs = try parseUnary()
        while let c = peek(), c == UInt8(ascii: "*") || c == UInt8(ascii: "/") {
            position += 1
            let rhs = try parseUnary()
            lhs = add(.binary(BinaryOperator(rawValue: c)!, lhs, rhs))
        }
        return lhs
    }

    private mutating func parseUnary() throws -> Int {
        guard let c = peek() else { throw unexpected() }
        if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            position += 1
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maximumDepth { throw ParseError(column: position, message: "expression nested too deeply") }
            let startsWithDigit = peek().map { $0 >= 48 && $0 <= 57 } ?? false
            let operand = try parseUnary()
            // A minus written straight before a plain number is that number's sign.
            if c == UInt8(ascii: "-"), startsWithDigit, case .number(let l) = nodes[operand], l.written.signum >= 0 {
                nodes[operand] = .number(Literal(-l.written, isPercent: l.isPercent))
                return operand
            }
            return add(.unary(UnaryOperator(rawValue: c)!, operand))
        }
        return try parsePower()
    }

    private mutating func parsePower() throws -> Int {
        let base = try parsePrimary()
        if let c = peek(), c == UInt8(ascii: "^") {
            position += 1
            let exponent = try parseUnary()
            return add(.binary(.power, base, exponent))
        }
        return base
    }

    private mutating func parsePrimary() throws -> Int {
        guard let c = peek() else { throw unexpected() }
        if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") {
            let bracket: Bracket = c == UInt8(ascii: "(") ? .round : .square
            let openColumn = position + 1
            position += 1
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maximumDepth { throw ParseError(column: openColumn, message: "expression nested too deeply") }
            if let d = peek(), d == bracket.close { throw ParseError(column: position + 1, message: "empty brackets") }
            let inner = try parseSum()
            guard let d = peek() else {
                throw ParseError(column: position + 1, message: "missing '\(Character(UnicodeScalar(bracket.close)))' for '\(Character(UnicodeScalar(bracket.open)))' at col \(openColumn)")
            }
            guard d == bracket.close else { throw unexpected() }
            position += 1
            return add(.group(bracket, inner))
        }
        if c >= 48 && c <= 57 { return add(.number(try parseNumber())) }
        throw unexpected()
    }

    private mutating func parseNumber() throws -> Literal {
        let start = position
        while position < bytes.count, bytes[position] >= 48 && bytes[position] <= 57 { position += 1 }
        var digits = Array(bytes[start..<position])
        var scale = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < bytes.count, bytes[position] >= 48 && bytes[position] <= 57 { position += 1 }
            if position == fractionStart { throw ParseError(column: position + 1, message: "expected a digit after '.'") }
            digits += bytes[fractionStart..<position]
            scale = position - fractionStart
        }
        if digits.count > 200 { throw ParseError(column: start + 1, message: "number longer than 200 digits") }
        let value = DecimalValue(significand: ExactInteger(digits: digits)!, scale: scale)
        var isPercent = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "%") { isPercent = true; position += 1 }
        return Literal(value, isPercent: isPercent)
    }
}
