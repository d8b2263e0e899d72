/// Why an expression has no value.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    case divisionByZero(String)
    case nonIntegerExponent(String)
    case exponentOutOfRange(String)

    public var description: String {
        switch self {
        case .divisionByZero(let at): return "division by zero in '\(at)'"
        case .nonIntegerExponent(let at): return "exponent is not an integer in '\(at)'"
        case .exponentOutOfRange(let at): return "exponent out of range (|n| ≤ \(Expression.maximumExponent), result ≤ \(Expression.maximumPowerDigits) digits) in '\(at)'"
        }
    }
}

extension Expression {
    /// Largest |n| accepted in `x^n`.
    public static let maximumExponent = 64
    /// Largest number of digits a power may produce.
    public static let maximumPowerDigits = 400

    /// The exact value, with no rounding anywhere: the ground truth used for grading.
    public func exactValue() throws -> Rational { try exactValue(of: root) }

    /// The value with every quotient rounded by `quotients` and nothing else rounded: how precise
    /// a model's quotients must be for the answer to survive MathGLM's grading.
    public func value(roundingQuotientsBy quotients: RoundingPolicy) throws -> Rational {
        try exactValue(of: root, roundingQuotientsBy: quotients)
    }

    /// The value of node `i`: exact, or with quotients rounded by `quotients` when given.
    public func exactValue(of i: Int, roundingQuotientsBy quotients: RoundingPolicy? = nil) throws -> Rational {
        switch nodes[i] {
        case .number(let l): return l.value.rational
        case .group(_, let x): return try exactValue(of: x, roundingQuotientsBy: quotients)
        case .unary(let op, let x):
            let v = try exactValue(of: x, roundingQuotientsBy: quotients)
            return op == .minus ? -v : v
        case .binary(let op, let a, let b):
            let v = try Self.exactResult(of: op, exactValue(of: a, roundingQuotientsBy: quotients),
                                         exactValue(of: b, roundingQuotientsBy: quotients), text: text(of: i))
            guard op == .divide, let quotients else { return v }
            return quotients.apply(v).rational
        }
    }

    /// `x op y` exactly; `text` names the operation in errors.
    public static func exactResult(of op: BinaryOperator, _ x: Rational, _ y: Rational,
                                   text: @autoclosure () -> String) throws -> Rational {
        switch op {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide:
            if y.isZero { throw EvaluationError.divisionByZero(text()) }
            return x / y
        case .power:
            return x.power(try integerExponent(y, base: x, at: text()))
        }
    }

    /// Checks `y` is a usable exponent for base `x` and returns it.
    static func integerExponent(_ y: Rational, base x: Rational, at text: String) throws -> Int {
        guard y.isInteger else { throw EvaluationError.nonIntegerExponent(text) }
        guard y.numerator.magnitude <= ExactInteger(maximumExponent), case .small(let n64) = y.numerator.storage else {
            throw EvaluationError.exponentOutOfRange(text)
        }
        let n = Int(n64)
        if x.isZero && n < 0 { throw EvaluationError.divisionByZero(text) }
        let digits = max(x.numerator.decimalDigitCount, x.denominator.decimalDigitCount) * abs(n)
        if digits > maximumPowerDigits { throw EvaluationError.exponentOutOfRange(text) }
        return n
    }

    /// `a op b` as a step chain writes it: exact, then rounded by `policy`.
    public static func result(of op: BinaryOperator, _ a: DecimalValue, _ b: DecimalValue,
                              policy: RoundingPolicy, text: @autoclosure () -> String) throws -> DecimalValue {
        switch op {
        case .add: return policy.apply(a + b)
        case .subtract: return policy.apply(a - b)
        case .multiply: return policy.apply(a * b)
        case .divide:
            if b.isZero { throw EvaluationError.divisionByZero(text()) }
            return DecimalValue.quotient(a, b, policy: policy) ?? policy.apply(a.rational / b.rational)
        case .power:
            let n = try integerExponent(b.rational, base: a.rational, at: text())
            if n >= 0 { return policy.apply(DecimalValue(significand: a.significand.power(n), scale: a.scale * n)) }
            return policy.apply(a.rational.power(n))
        }
    }
}
