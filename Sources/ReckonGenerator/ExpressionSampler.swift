import ReckonArithmetic

/// Draws random expressions from a recipe stage.
///
/// Shape: a flat run of operands and operators read with the usual precedence
/// (`5672*2933/6-4`), in which some operands are bracketed sub-runs with their own operations
/// (`(690/5715)`), nested up to `bracketMaxDepth`. The total number of binary operations is
/// drawn from `operations`.
struct ExpressionSampler {
    let stage: Recipe.Stage
    var nodes: [Expression.Node] = []

    init(stage: Recipe.Stage) { self.stage = stage }

    mutating func sample(_ rng: inout SplitMix64) -> Expression {
        nodes.removeAll(keepingCapacity: true)
        let n = stage.operations.sample(&rng)
        if n == 1 && stage.balance == .carries {
            let root = balancedSingleOperation(&rng)
            return Expression(nodes: nodes, root: root)
        }
        let root = run(operations: n, depth: 0, &rng)
        return Expression(nodes: nodes, root: root)
    }

    private mutating func add(_ node: Expression.Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    /// A run with `n` operations in all; returns its root node.
    private mutating func run(operations n: Int, depth: Int, _ rng: inout SplitMix64) -> Int {
        if n == 0 { return add(.number(operand(&rng))) }
        var here = n
        if depth < stage.bracketMaxDepth, n >= 2, rng.chance(stage.bracketProbability) {
            here = rng.uniform(1...(n - 1))
        }
        // Scratch on the stack: this runs for every example.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (here + 1)) { scratch in
            withUnsafeTemporaryAllocation(of: BinaryOperator.self, capacity: here) { ops in
                let inner = UnsafeMutableBufferPointer(rebasing: scratch[0...here])
                let items = UnsafeMutableBufferPointer(rebasing: scratch[(here + 1)...])
                // Spread the other operations over this run's operands; each one that gets some becomes a bracket.
                inner.initialize(repeating: 0)
                for _ in 0..<(n - here) { inner[rng.below(here + 1)] += 1 }
                for k in 0..<here { ops.initializeElement(at: k, to: stage.operators[rng.pick(stage.operatorWeights)]) }
                for (i, m) in inner.enumerated() {
                    if i > 0, ops[i - 1] == .power {
                        // An exponent is a small whole number.
                        items[i] = add(.number(Literal(DecimalValue(stage.exponents.sample(&rng)))))
                    } else if m == 0 {
                        items[i] = add(.number(operand(&rng)))
                    } else {
                        let body = run(operations: m, depth: depth + 1, &rng)
                        let square = containsGroup(body) && rng.chance(stage.squareBrackets)
                        items[i] = add(.group(square ? .square : .round, body))
                    }
                }
                // A negative number as the base of ^ needs brackets: -5^2 means -(5^2).
                for i in 0..<here where ops[i] == .power {
                    if let l = literalAt(items[i]), l.written.signum < 0 { items[i] = add(.group(.round, items[i])) }
                }
                var position = 0
                return climb(UnsafeBufferPointer(items), UnsafeBufferPointer(ops), &position, minimumPrecedence: 1)
            }
        }
    }

    /// Precedence climbing over `items[position...]` joined by `ops` (`^` right-associative).
    private mutating func climb(_ items: UnsafeBufferPointer<Int>, _ ops: UnsafeBufferPointer<BinaryOperator>,
                                _ position: inout Int, minimumPrecedence: Int) -> Int {
        var lhs = items[position]
        while position < ops.count, ops[position].precedence >= minimumPrecedence {
            let op = ops[position]
            position += 1
            let rhs = climb(items, ops, &position, minimumPrecedence: op == .power ? op.precedence : op.precedence + 1)
            lhs = add(.binary(op, lhs, rhs))
        }
        return lhs
    }

    private func literalAt(_ i: Int) -> Literal? {
        if case .number(let l) = nodes[i] { return l }
        return nil
    }

    private func containsGroup(_ i: Int) -> Bool {
        switch nodes[i] {
        case .number: return false
        case .group: return true
        case .unary(_, let x): return containsGroup(x)
        case .binary(_, let a, let b): return containsGroup(a) || containsGroup(b)
        }
    }

    // MARK: Operands

    /// A random operand: integer, decimal or percent, maybe negative.
    mutating func operand(_ rng: inout SplitMix64, digits: Int? = nil) -> Literal {
        let kind = rng.pick(stage.kindWeights) // 0 integer, 1 decimal, 2 percent
        let d = digits ?? stage.digits.sample(&rng)
        var isDecimal = kind == 1
        if kind == 2 {
            let plainWeights = stage.kindWeights[0] + stage.kindWeights[1]
            isDecimal = plainWeights > 0 ? rng.chance(stage.kindWeights[1] / plainWeights) : false
        }
        var value: DecimalValue
        if isDecimal {
            let f = stage.fractionDigits.sample(&rng)
            let integerPart = rng.chance(stage.belowOne) ? ExactInteger.zero : Self.randomInteger(digits: d, &rng)
            // The last fraction digit is non-zero so the number is written as drawn.
            let fraction = Self.randomDigits(count: f - 1, &rng).shiftedLeft(decimalDigits: 1) + ExactInteger(1 + rng.below(9))
            value = DecimalValue(significand: integerPart.shiftedLeft(decimalDigits: f) + fraction, scale: f)
        } else {
            value = DecimalValue(Self.randomInteger(digits: d, &rng))
        }
        if rng.chance(stage.negative) { value = -value }
        return Literal(value, isPercent: kind == 2)
    }

    /// Uniform integer with exactly `digits` digits (leading digit non-zero).
    static func randomInteger(digits: Int, _ rng: inout SplitMix64) -> ExactInteger {
        if digits <= 18 {
            let low = Int(ExactInteger.smallPowerOfTen(digits - 1))
            return ExactInteger(low + rng.below(9 * low))
        }
        let lead = ExactInteger(1 + rng.below(9))
        return lead.shiftedLeft(decimalDigits: digits - 1) + randomDigits(count: digits - 1, &rng)
    }

    /// Uniform integer in [0, 10^count).
    static func randomDigits(count: Int, _ rng: inout SplitMix64) -> ExactInteger {
        var result = ExactInteger.zero
        var left = count
        while left > 0 {
            let chunk = min(left, 18)
            result = result.shiftedLeft(decimalDigits: chunk) + ExactInteger(rng.below(Int(ExactInteger.smallPowerOfTen(chunk))))
            left -= chunk
        }
        return result
    }

    // MARK: Balanced single operations

    /// `a op b` with the digit counts of a and b uniform over the recipe's range and, for + and -,
    /// the number of carries (borrows) uniform over what those digit counts allow.
    private mutating func balancedSingleOperation(_ rng: inout SplitMix64) -> Int {
        let op = stage.operators[rng.pick(stage.operatorWeights)]
        let da = stage.digits.sample(&rng), db = stage.digits.sample(&rng)
        var a = operand(&rng, digits: da), b = operand(&rng, digits: db)
        if (op == .add || op == .subtract), a.written.isInteger, b.written.isInteger {
            let target = rng.uniform(0...min(da, db))
            for _ in 0..<64 {
                let x = a.written.significand.magnitude, y = b.written.significand.magnitude
                let carries = op == .add ? Self.carryCount(x, y) : Self.borrowCount(max(x, y), min(x, y))
                if carries == target { break }
                a = operand(&rng, digits: da); b = operand(&rng, digits: db)
            }
        }
        if op == .power { b = Literal(DecimalValue(stage.exponents.sample(&rng))) }
        var lhs = add(.number(a))
        if op == .power, a.written.signum < 0 { lhs = add(.group(.round, lhs)) }
        return add(.binary(op, lhs, add(.number(b))))
    }

    /// Carries when adding the non-negative integers x and y by hand.
    static func carryCount(_ x: ExactInteger, _ y: ExactInteger) -> Int {
        var x = x, y = y, carry = ExactInteger.zero, count = 0
        while !(x.isZero && y.isZero) {
            let (qx, dx) = x.quotientAndRemainder(dividingBy: 10), (qy, dy) = y.quotientAndRemainder(dividingBy: 10)
            carry = dx + dy + carry >= 10 ? 1 : 0
            if !carry.isZero { count += 1 }
            x = qx; y = qy
        }
        return count
    }

    /// Borrows when subtracting y from x (x ≥ y ≥ 0) by hand.
    static func borrowCount(_ x: ExactInteger, _ y: ExactInteger) -> Int {
        var x = x, y = y, borrow = ExactInteger.zero, count = 0
        while !(x.isZero && y.isZero) {
            let (qx, dx) = x.quotientAndRemainder(dividingBy: 10), (qy, dy) = y.quotientAndRemainder(dividingBy: 10)
            borrow = dx - dy - borrow < 0 ? 1 : 0
            if !borrow.isZero { count += 1 }
            x = qx; y = qy
        }
        return count
    }
}
