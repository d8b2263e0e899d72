import ReckonArithmetic

/// Foundation also exports an `Expression` type; inside this module the name means the
/// arithmetic expression.
typealias Expression = ReckonArithmetic.Expression
