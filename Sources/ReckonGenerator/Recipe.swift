import Foundation
import ReckonArithmetic

/// A recipe's problem, named by the JSON field at fault: `operands.digits.max: must be ≥ min (3)`.
public struct RecipeError: Error, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// A distribution of arithmetic questions, read from a JSON file in `Generators/`.
///
/// ```json
/// {
///   "name": "basic", "description": "…", "format": "mathglm",
///   "operators": {"+": 1, "-": 1, "*": 1, "/": 1, "^": 0},
///   "operations": {"min": 1, "max": 3, "weights": [1, 1, 1]},
///   "operands": {
///     "digits": {"min": 1, "max": 3},            integer-part digits
///     "kinds": {"integer": 1, "decimal": 0, "percent": 0},
///     "fractionDigits": {"min": 1, "max": 10},   for decimals (and decimal percents)
///     "belowOne": 0.1,                           chance a decimal/percent is 0.xxx
///     "negative": 0.1,                           chance an operand is negative
///     "balance": "none"                          or "carries": + and - balanced over carry counts
///   },
///   "exponents": {"min": 0, "max": 3},           right operand of ^
///   "brackets": {"probability": 0.5, "maxDepth": 2, "square": 0.2},
///   "limits": {"maxIntegerDigits": 30},
///   "precision": {"significantDigits": 20, "minimumFractionDigits": 6},   rounding of chains
///   "stages": [{"until": 0.3, "operations": {"min": 1, "max": 2}}]
/// }
/// ```
/// Every field but `name` has a default. A stage overrides any of the distribution fields for
/// the part of a run before `until` (a fraction of the run: examples for `generate`, steps for
/// `train`); the top level applies after the last stage.
public struct Recipe: Sendable {
    public var name: String
    public var description: String
    public var format: StepFormat
    public var limits: Limits
    /// How chains round results that have too many digits (default `RoundingPolicy.standard`).
    /// Part of the recipe because it shapes the text a model learns; grading by MathGLM's rule
    /// does not depend on it, exact match against the canonical answer does.
    public var precision: RoundingPolicy
    /// Distribution stages in order; the last one has `until == 1`.
    public var stages: [Stage]

    /// Size bounds. They depend on the question only (never on the step format), so every
    /// format sees the same questions for the same seed.
    public struct Limits: Sendable, Hashable {
        /// No value anywhere in a chain (or the exact answer) has more digits before the point.
        public var maxIntegerDigits: Int

        public init(maxIntegerDigits: Int) {
            self.maxIntegerDigits = maxIntegerDigits
        }
    }

    /// A distribution over integers `min...max`, uniform unless `weights` are given.
    public struct IntDistribution: Sendable, Hashable {
        public var range: ClosedRange<Int>
        public var weights: [Double]?

        public func sample(_ rng: inout SplitMix64) -> Int {
            guard let weights else { return rng.uniform(range) }
            return range.lowerBound + rng.pick(weights)
        }
    }

    public enum Balance: String, Sendable { case none, carries }

    public struct Stage: Sendable {
        public var until: Double
        public var operators: [BinaryOperator]
        public var operatorWeights: [Double]
        public var operations: IntDistribution
        public var digits: IntDistribution
        /// Weights of integer, decimal, percent.
        public var kindWeights: [Double]
        public var fractionDigits: IntDistribution
        public var belowOne: Double
        public var negative: Double
        public var balance: Balance
        public var exponents: IntDistribution
        public var bracketProbability: Double
        public var bracketMaxDepth: Int
        public var squareBrackets: Double
    }

    /// The stage in force at `progress` ∈ [0, 1].
    public func stage(at progress: Double) -> Stage {
        stages.first(where: { progress < $0.until }) ?? stages[stages.count - 1]
    }

    public static let defaultLimits = Limits(maxIntegerDigits: 30)

    // MARK: Reading

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RecipeError(field: "", message: "cannot read recipe '\(url.path)': \(error.localizedDescription)")
        }
        try self.init(json: data)
    }

    public init(json data: Data) throws {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw RecipeError(field: "", message: "not valid JSON: \(Self.jsonMessage(error))")
        }
        guard let top = object as? [String: Any] else { throw RecipeError(field: "", message: "a recipe is a JSON object") }
        try Self.checkKeys(top, allowed: ["name", "description", "format", "operators", "operations", "operands",
                                          "exponents", "brackets", "limits", "precision", "stages"], at: "")
        guard let name = top["name"] as? String, !name.isEmpty else { throw RecipeError(field: "name", message: "a non-empty string is required") }
        self.name = name
        self.description = try Self.string(top["description"], at: "description") ?? ""
        if let f = try Self.string(top["format"], at: "format") {
            guard let format = StepFormat(rawValue: f) else {
                throw RecipeError(field: "format", message: "unknown format '\(f)' (expected one of: \(StepFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.format = format
        } else {
            self.format = .mathglm
        }
        var limits = Self.defaultLimits
        if let l = top["limits"] {
            guard let l = l as? [String: Any] else { throw RecipeError(field: "limits", message: "must be an object") }
            try Self.checkKeys(l, allowed: ["maxIntegerDigits"], at: "limits")
            limits.maxIntegerDigits = try Self.int(l["maxIntegerDigits"], at: "limits.maxIntegerDigits", in: 1...200) ?? limits.maxIntegerDigits
        }
        self.limits = limits
        var precision = RoundingPolicy.standard
        if let p = top["precision"] {
            guard let p = p as? [String: Any] else { throw RecipeError(field: "precision", message: "must be an object") }
            try Self.checkKeys(p, allowed: ["significantDigits", "minimumFractionDigits"], at: "precision")
            precision.significantDigits = try Self.int(p["significantDigits"], at: "precision.significantDigits", in: 2...60) ?? precision.significantDigits
            precision.minimumFractionDigits = try Self.int(p["minimumFractionDigits"], at: "precision.minimumFractionDigits", in: 0...30) ?? precision.minimumFractionDigits
        }
        self.precision = precision

        let finalStage = try Self.stage(from: top, until: 1, at: "")
        var stages: [Stage] = []
        if let s = top["stages"] {
            guard let list = s as? [Any] else { throw RecipeError(field: "stages", message: "must be an array") }
            var previous = 0.0
            for (i, item) in list.enumerated() {
                let path = "stages[\(i)]"
                guard let override = item as? [String: Any] else { throw RecipeError(field: path, message: "must be an object") }
                try Self.checkKeys(override, allowed: ["until", "operators", "operations", "operands", "exponents", "brackets"], at: path)
                guard let until = try Self.number(override["until"], at: "\(path).until") else {
                    throw RecipeError(field: "\(path).until", message: "required: the fraction of the run this stage lasts until")
                }
                guard until > previous && until < 1 else {
                    throw RecipeError(field: "\(path).until", message: "must increase from stage to stage and lie in (0, 1), got \(until)")
                }
                previous = until
                stages.append(try Self.stage(from: Self.merge(top, override), until: until, at: path))
            }
        }
        stages.append(finalStage)
        self.stages = stages
    }

    // MARK: Fields

    private static func stage(from o: [String: Any], until: Double, at path: String) throws -> Stage {
        func p(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }

        var operators: [BinaryOperator] = [.add, .subtract, .multiply, .divide]
        var operatorWeights: [Double] = [1, 1, 1, 1]
        if let ops = o["operators"] {
            guard let dict = ops as? [String: Any] else { throw RecipeError(field: p("operators"), message: "must be an object like {\"+\": 1, \"*\": 2}") }
            operators = []; operatorWeights = []
            for key in dict.keys.sorted() {
                guard key.count == 1, let op = BinaryOperator(symbol: key.first!) else {
                    throw RecipeError(field: p("operators.\(key)"), message: "unknown operator (expected + - * / ^)")
                }
                let w = try number(dict[key], at: p("operators.\(key)"))!
                guard w >= 0 else { throw RecipeError(field: p("operators.\(key)"), message: "weight must be ≥ 0") }
                if w > 0 { operators.append(op); operatorWeights.append(w) }
            }
            guard !operators.isEmpty else { throw RecipeError(field: p("operators"), message: "at least one operator needs a positive weight") }
        }

        let operations = try distribution(o["operations"], at: p("operations"), limits: 1...64) ?? IntDistribution(range: 1...3)

        var digits = IntDistribution(range: 1...3)
        var kindWeights: [Double] = [1, 0, 0]
        var fractionDigits = IntDistribution(range: 1...4)
        var belowOne = 0.0, negative = 0.0
        var balance = Balance.none
        if let operands = o["operands"] {
            let q = p("operands")
            guard let od = operands as? [String: Any] else { throw RecipeError(field: q, message: "must be an object") }
            try checkKeys(od, allowed: ["digits", "kinds", "fractionDigits", "belowOne", "negative", "balance"], at: q)
            digits = try distribution(od["digits"], at: "\(q).digits", limits: 1...30) ?? digits
            if let kinds = od["kinds"] {
                guard let kd = kinds as? [String: Any] else { throw RecipeError(field: "\(q).kinds", message: "must be an object like {\"integer\": 3, \"decimal\": 1}") }
                try checkKeys(kd, allowed: ["integer", "decimal", "percent"], at: "\(q).kinds")
                kindWeights = try ["integer", "decimal", "percent"].map { k in
                    let w = try number(kd[k], at: "\(q).kinds.\(k)") ?? 0
                    guard w >= 0 else { throw RecipeError(field: "\(q).kinds.\(k)", message: "weight must be ≥ 0") }
                    return w
                }
                guard kindWeights.contains(where: { $0 > 0 }) else { throw RecipeError(field: "\(q).kinds", message: "at least one kind needs a positive weight") }
            }
            fractionDigits = try distribution(od["fractionDigits"], at: "\(q).fractionDigits", limits: 1...30) ?? fractionDigits
            belowOne = try probability(od["belowOne"], at: "\(q).belowOne") ?? 0
            negative = try probability(od["negative"], at: "\(q).negative") ?? 0
            if let b = try string(od["balance"], at: "\(q).balance") {
                guard let value = Balance(rawValue: b) else { throw RecipeError(field: "\(q).balance", message: "unknown balance '\(b)' (expected none or carries)") }
                balance = value
            }
        }

        let exponents = try distribution(o["exponents"], at: p("exponents"), limits: 0...Expression.maximumExponent) ?? IntDistribution(range: 0...3)

        var bracketProbability = 0.0, bracketMaxDepth = 2, squareBrackets = 0.0
        if let brackets = o["brackets"] {
            let q = p("brackets")
            guard let bd = brackets as? [String: Any] else { throw RecipeError(field: q, message: "must be an object") }
            try checkKeys(bd, allowed: ["probability", "maxDepth", "square"], at: q)
            bracketProbability = try probability(bd["probability"], at: "\(q).probability") ?? 0
            bracketMaxDepth = try int(bd["maxDepth"], at: "\(q).maxDepth", in: 0...8) ?? bracketMaxDepth
            squareBrackets = try probability(bd["square"], at: "\(q).square") ?? 0
        }

        return Stage(until: until, operators: operators, operatorWeights: operatorWeights, operations: operations,
                     digits: digits, kindWeights: kindWeights, fractionDigits: fractionDigits, belowOne: belowOne,
                     negative: negative, balance: balance, exponents: exponents, bracketProbability: bracketProbability,
                     bracketMaxDepth: bracketMaxDepth, squareBrackets: squareBrackets)
    }

    /// Overlays a stage's fields on the top level, one level deep (so a stage can change
    /// `operands.digits` and keep the other operand fields).
    private static func merge(_ base: [String: Any], _ override: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in override {
            if let inner = value as? [String: Any], let baseInner = base[key] as? [String: Any], key != "operators" {
                result[key] = baseInner.merging(inner) { _, new in new }
            } else {
                result[key] = value
            }
        }
        return result
    }

    private static func checkKeys(_ dict: [String: Any], allowed: Set<String>, at path: String) throws {
        for key in dict.keys.sorted() where !allowed.contains(key) {
            let field = path.isEmpty ? key : "\(path).\(key)"
            throw RecipeError(field: field, message: "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private static func number(_ value: Any?, at field: String) throws -> Double? {
        guard let value else { return nil }
        guard let n = value as? NSNumber else {
            throw RecipeError(field: field, message: "must be a number")
        }
        return n.doubleValue
    }

    private static func int(_ value: Any?, at field: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let d = try number(value, at: field) else { return nil }
        guard d == d.rounded(), let i = Int(exactly: d) else { throw RecipeError(field: field, message: "must be a whole number") }
        guard range.contains(i) else { throw RecipeError(field: field, message: "must be in \(range.lowerBound)...\(range.upperBound), got \(i)") }
        return i
    }

    private static func probability(_ value: Any?, at field: String) throws -> Double? {
        guard let d = try number(value, at: field) else { return nil }
        guard (0...1).contains(d) else { throw RecipeError(field: field, message: "must be a probability in [0, 1], got \(d)") }
        return d
    }

    private static func string(_ value: Any?, at field: String) throws -> String? {
        guard let value else { return nil }
        guard let s = value as? String else { throw RecipeError(field: field, message: "must be a string") }
        return s
    }

    private static func distribution(_ value: Any?, at field: String, limits: ClosedRange<Int>) throws -> IntDistribution? {
        guard let value else { return nil }
        guard let d = value as? [String: Any] else { throw RecipeError(field: field, message: "must be an object like {\"min\": 1, \"max\": 4}") }
        try checkKeys(d, allowed: ["min", "max", "weights"], at: field)
        guard let lo = try int(d["min"], at: "\(field).min", in: limits) else { throw RecipeError(field: "\(field).min", message: "required") }
        guard let hi = try int(d["max"], at: "\(field).max", in: limits) else { throw RecipeError(field: "\(field).max", message: "required") }
        guard hi >= lo else { throw RecipeError(field: "\(field).max", message: "must be ≥ min (\(lo)), got \(hi)") }
        var weights: [Double]? = nil
        if let w = d["weights"] {
            guard let list = w as? [Any] else { throw RecipeError(field: "\(field).weights", message: "must be an array of numbers") }
            guard list.count == hi - lo + 1 else {
                throw RecipeError(field: "\(field).weights", message: "needs one weight per value \(lo)...\(hi) (\(hi - lo + 1)), got \(list.count)")
            }
            weights = try list.enumerated().map { i, x in
                let v = try number(x, at: "\(field).weights[\(i)]")!
                guard v >= 0 else { throw RecipeError(field: "\(field).weights[\(i)]", message: "must be ≥ 0") }
                return v
            }
            guard weights!.contains(where: { $0 > 0 }) else { throw RecipeError(field: "\(field).weights", message: "at least one weight must be positive") }
        }
        return IntDistribution(range: lo...hi, weights: weights)
    }

    private static func jsonMessage(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
