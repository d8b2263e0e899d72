import ReckonArithmetic

// A result as the chain writes it: the model's exact answer rounded by the chain's precision.
//
// The generator rounds a result past its `RoundingPolicy` (with 10 significant digits,
// `384249-9.083687883` is written 384239.916312, not 384239.916312117). A check that asks the
// model for the exact result rounds it the same way, as text: it cuts the fraction after the
// digits the policy keeps and, when the first digit cut is 5 or more, asks the model to add one
// unit at the last place kept (`384239.916312+0.000001`). Every digit is still the model's.

/// The model's exact answer (a signed number's text) cut to the digits `policy` keeps, and the
/// question that rounds the cut up when the digits cut make half a unit or more.
struct RoundedResult {
    /// The answer cut after the digits the policy keeps, with its sign.
    let truncated: String
    /// The cut's magnitude plus one unit at its last place (`384239.916312+0.000001`), nil when
    /// the cut rounds down: the model's answer to it, signed, is the rounded result.
    let unitQuestion: String?

    /// Nil if `exact` (a number as the chain writes it, signed or not) has no more fraction digits
    /// than `policy` keeps for its size, and is written as it is.
    init?(exact: String, policy: RoundingPolicy) {
        let negative = exact.hasPrefix("-"), magnitude = exact.dropFirst(negative ? 1 : 0)
        guard isNumber(magnitude.utf8) else { return nil }
        let (whole, fraction) = wholeAndFraction(magnitude)
        // The decimal exponent (`DecimalValue.decimalExponent`): digits before the point, or
        // minus the zeros after it for a value below 1.
        let significantWhole = whole.drop { $0 == "0" }
        let exponent = significantWhole.isEmpty ? -fraction.prefix { $0 == "0" }.count : significantWhole.count
        let kept = policy.fractionDigits(forExponent: exponent)
        guard fraction.count > kept else { return nil }
        let cut = kept == 0 ? String(whole) : String(whole) + "." + fraction.prefix(kept)
        truncated = (negative ? "-" : "") + cut
        let unit = kept == 0 ? "1" : "0." + String(repeating: "0", count: kept - 1) + "1"
        unitQuestion = fraction[fraction.index(fraction.startIndex, offsetBy: kept)] >= "5" ? cut + "+" + unit : nil
    }

    /// The rounded result, as the chain writes it (no trailing fraction zeros, zero unsigned),
    /// from the model's answer to `unitQuestion` (ignored when the cut rounds down); nil if a
    /// round-up got no number.
    func result(from unitAnswer: String?) -> String? {
        var text = truncated
        if unitQuestion != nil {
            guard let unitAnswer, isNumber(unitAnswer.utf8) else { return nil }
            text = (truncated.hasPrefix("-") ? "-" : "") + unitAnswer
        }
        let negative = text.hasPrefix("-"), magnitude = withoutTrailingFractionZeros(String(text.dropFirst(negative ? 1 : 0)))
        return negative && magnitude.contains(where: { $0 != "0" && $0 != "." }) ? "-" + magnitude : String(magnitude)
    }
}
