/// One operation performed by a step: `lhs op rhs = result`, at tree node `node`.
public struct PerformedOperation: Hashable, Sendable {
    public var node: Int
    public var op: BinaryOperator
    public var lhs: Literal
    public var rhs: Literal
    public var result: DecimalValue
}

extension Expression {
    /// The binary node the next step performs, or nil when nothing is left to do.
    ///
    /// Precedence order: the leftmost bracket that still holds work is entered first (innermost
    /// brackets therefore first); inside a bracket level, of the operations whose operands are
    /// both numbers, the highest precedence wins (`^`, then `* /`, then `+ -`), leftmost first.
    /// Call on a normalised expression (see `normalize()`).
    public func nextOperation() -> Int? {
        var level = root
        while true {
            var best: Int? = nil, bestPrecedence = 0, pendingGroup: Int? = nil
            scan(level, &best, &bestPrecedence, &pendingGroup)
            if let g = pendingGroup, case .group(_, let inner) = nodes[g] { level = inner; continue }
            return best
        }
    }

    private func scan(_ i: Int, _ best: inout Int?, _ bestPrecedence: inout Int, _ pendingGroup: inout Int?) {
        switch nodes[i] {
        case .number: return
        case .group(_, let x):
            if pendingGroup == nil, literal(at: x) == nil { pendingGroup = i }
        case .unary(_, let x):
            scan(x, &best, &bestPrecedence, &pendingGroup)
        case .binary(let op, let a, let b):
            scan(a, &best, &bestPrecedence, &pendingGroup)
            scan(b, &best, &bestPrecedence, &pendingGroup)
            if operand(at: a) != nil, operand(at: b) != nil, op.precedence > bestPrecedence {
                best = i
                bestPrecedence = op.precedence
            }
        }
    }

    /// Drops brackets around a single number and folds signs into numbers (`-(5)` → `-5`),
    /// except a negative number that is the base of `^`, which keeps its brackets: `(-5)^2`.
    /// A number node is never modified; a folded sign makes a new node.
    public mutating func normalize() {
        root = normalized(root, isPowerBase: false)
    }

    private mutating func normalized(_ i: Int, isPowerBase: Bool) -> Int {
        switch nodes[i] {
        case .number:
            return i
        case .group(let bracket, let x):
            let inner = normalized(x, isPowerBase: false)
            if let l = literal(at: inner), !(isPowerBase && l.written.signum < 0) { return inner }
            if inner != x { nodes[i] = .group(bracket, inner) }
            return i
        case .unary(let op, let x):
            let inner = normalized(x, isPowerBase: false)
            if let l = literal(at: inner) {
                var folded = inner
                if op == .minus {
                    // A new node rather than an edit: number nodes never change once made, so
                    // printers may cache their text by node index.
                    nodes.append(.number(Literal(-l.written, isPercent: l.isPercent)))
                    folded = nodes.count - 1
                }
                if !(isPowerBase && literal(at: folded)!.written.signum < 0) { return folded }
                nodes[i] = .unary(op, folded)
                return i
            }
            if inner != x { nodes[i] = .unary(op, inner) }
            return i
        case .binary(let op, let a, let b):
            let l = normalized(a, isPowerBase: op == .power)
            let r = normalized(b, isPowerBase: false)
            if l != a || r != b { nodes[i] = .binary(op, l, r) }
            return i
        }
    }

    /// Performs the next operation under `policy`, replaces it by its result and normalises.
    /// Returns nil when the expression is already a number.
    public mutating func performNextOperation(policy: RoundingPolicy) throws -> PerformedOperation? {
        guard let i = nextOperation(), case .binary(let op, let a, let b) = nodes[i],
              let x = operand(at: a), let y = operand(at: b) else { return nil }
        let result = try Self.result(of: op, x.value, y.value, policy: policy, text: self.text(of: i))
        nodes[i] = .number(Literal(result))
        normalize()
        return PerformedOperation(node: i, op: op, lhs: x, rhs: y, result: result)
    }

    /// The value a step chain reaches: every operation performed in order under `policy`.
    public func chainValue(policy: RoundingPolicy) throws -> DecimalValue {
        var e = self
        e.normalize()
        while try e.performNextOperation(policy: policy) != nil {}
        guard let l = e.literal(at: e.root) else { preconditionFailure("a fully reduced expression is a number") }
        return l.value
    }
}
