import ReckonArithmetic
import ReckonGenerator

// A main-line step read as a rewrite of the expression before it, and its check of form.
//
// Each step of a chain performs one operation, the next in precedence order, and carries every
// other number and operator over as written. A step that miscopies one (`6653.022116202` carried
// over as `6653.0221162022`, `9353%` as `9353`), performs another operation first, or does not
// parse is false whatever its result. Which operation is next depends on the expression's shape
// only (brackets and operators: `Expression.nextOperation`), so the check computes no value: it
// puts one of the step's own numbers in place of that operation and compares the texts. A step
// that gives the final answer directly (a number, skipping steps) is not judged. A product's or
// quotient's result has the sign its operands' signs give, read from the text as well.

/// A step of the main line: the expression before it and where the step's expression was written.
struct StepRewrite {
    /// The expression the step rewrites, as written (the question, or the step before).
    var before: String
    /// The step's expression in the text it was read from (after its block, if any).
    var expression: Range<Int>
    /// Offset just after the step: past the `=` that ends it, or the expression's end if the
    /// chain ends there.
    var end: Int

    /// Every step whose expression lies in `text[from...]`, in order, counted from `from`. `text`
    /// is the question, its `=` and the chain; the chain's last expression is read only if `complete`.
    static func all(in text: [UInt8], from: Int, complete: Bool) -> [StepRewrite] {
        let expressions = mainLineExpressions(in: text, complete: complete)
        return zip(expressions, expressions.dropFirst()).compactMap { before, after in
            guard after.lowerBound >= from else { return nil }
            let terminated = after.upperBound < text.count && text[after.upperBound] == UInt8(ascii: "=")
            return StepRewrite(before: String(decoding: text[before], as: UTF8.self),
                               expression: after.lowerBound - from ..< after.upperBound - from,
                               end: after.upperBound - from + (terminated ? 1 : 0))
        }
    }

    /// The same step in `text`, a rewrite of the text it was read from that agrees with it before
    /// the expression: the expression from the same offset to the next `=` (or, if the chain is
    /// `complete`, to the text's end). Nil if the rewrite did not write it whole.
    func reread(in text: [UInt8], complete: Bool) -> StepRewrite? {
        let start = expression.lowerBound
        guard start < text.count else { return nil }
        // A step's expression ends at its `=`; a block there is no expression.
        let stop = text[start...].firstIndex { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "{") }
        var step = self
        if let e = stop {
            guard text[e] == UInt8(ascii: "=") else { return nil }
            step.expression = start ..< e
            step.end = e + 1
        } else {
            guard complete else { return nil }
            step.expression = start ..< text.count
            step.end = text.count
        }
        return step.expression.isEmpty ? nil : step
    }

    /// Whether the step, as written in `text`, is `before` with its next operation replaced by
    /// one number (its block's value, if it has a block; since session 69) and all else carried
    /// over. True (not judged) when `before` does not parse or is a number, and when the step is
    /// a number other than the last operation's result.
    func holds(in text: [UInt8]) -> Bool {
        guard let (old, next) = nextOperation(of: before) else { return true }
        guard var new = try? Expression(parsing: String(decoding: text[expression], as: UTF8.self)) else { return false }
        new.normalize()
        // A number is judged only as the last operation's result, by its sign: a direct final
        // answer skips steps, which is no fault of form.
        if let answer = new.literal(at: new.root) {
            var last = old
            last.nodes[next] = .number(answer)
            last.normalize()
            guard last.isNumber else { return true }
            return Self.forms(of: old, replacing: next, by: [answer]).contains(new.text)
        }
        // The step's result is its block's value, or else one of its numbers.
        let results = blockValue(in: text).map { [$0] } ?? new.nodes.compactMap { node -> Literal? in
            if case .number(let literal) = node { literal } else { nil }
        }
        return Self.forms(of: old, replacing: next, by: results).contains(new.text)
    }

    /// `expression` with its node `next` replaced by each of `results`, normalised: the texts a
    /// step may be. A result takes the sign its operands' signs give a product or a quotient
    /// (`resultSign`), else either sign (a sum's needs the magnitudes).
    private static func forms(of expression: Expression, replacing next: Int, by results: [Literal]) -> [String] {
        let sign = resultSign(of: expression, at: next)
        return results.flatMap { literal in
            [literal, Literal(-literal.written, isPercent: literal.isPercent)].filter { result in
                sign == nil || result.written.signum == 0 || result.written.signum == sign
            }.map { result in
                var expected = expression
                expected.nodes[next] = .number(result)
                expected.normalize()
                return expected.text
            }
        }
    }

    /// The sign a product's or a quotient's result must have, the product of its operands' signs
    /// as written (`-3*4` negative, `-3/-4` positive); nil for another operation, or if an
    /// operand is 0.
    private static func resultSign(of expression: Expression, at next: Int) -> Int? {
        guard case .binary(let op, let a, let b) = expression.nodes[next], op == .multiply || op == .divide,
              let x = expression.operand(at: a), let y = expression.operand(at: b),
              x.written.signum != 0, y.written.signum != 0 else { return nil }
        return x.written.signum * y.written.signum
    }

    /// The step as its form requires: `before` with its next operation replaced by the model's
    /// result, with the sign its form allows, and all else carried over as written in `before` (a
    /// miscopied `61.2956%` copied again, a dropped bracket put back). The result is the value
    /// the step's block ends with (`blockValue`), or, for a step without a block,
    /// the one of the step's own numbers (read as text, so a step that does not parse has them
    /// too) that leaves the fewest characters changed. Like `holds`, it computes no value. Nil if
    /// the step holds its form, `before` does not parse or is a number, or no result is found.
    func inForm(in text: [UInt8]) -> [UInt8]? {
        guard !holds(in: text), let (old, next) = nextOperation(of: before) else { return nil }
        let written = Array(text[expression])
        var best: (text: [UInt8], changes: Int)?
        for form in Self.forms(of: old, replacing: next, by: blockValue(in: text).map { [$0] } ?? numbers(in: written)) {
            let candidate = Array(form.utf8), changes = editDistance(candidate, written)
            if changes < best?.changes ?? .max { best = (candidate, changes) }
        }
        return best?.text
    }

    /// The value that ends the block written just before the step, which the step must carry:
    /// a product's (`{…=87360+5824=93184}`), a quotient rounded (`{…~2.340476190}`) or exact, the
    /// last line's (`{…;2-2=0,2501}`). Nil if the step has no block or it ends in no number.
    private func blockValue(in text: [UInt8]) -> Literal? {
        let close = expression.lowerBound - 1
        guard close > 0, text[close] == UInt8(ascii: "}"),
              let start = text[..<close].lastIndex(where: { "=~,".utf8.contains($0) }) else { return nil }
        return numbers(in: Array(text[start + 1 ..< close])).first
    }

    /// The unsigned numbers written in `text` (digits with at most one point, a `%` after them
    /// kept), in order.
    private func numbers(in text: [UInt8]) -> [Literal] {
        var found: [Literal] = [], start = 0
        while start < text.count {
            guard isNumeral(text[start]) else { start += 1; continue }
            var end = start
            while end < text.count, isNumeral(text[end]) { end += 1 }
            if end < text.count, text[end] == UInt8(ascii: "%") { end += 1 }
            if let e = try? Expression(parsing: String(decoding: text[start ..< end], as: UTF8.self)), let l = e.literal(at: e.root) {
                found.append(l)
            }
            start = end
        }
        return found
    }
}

/// The fewest characters inserted or deleted to turn `a` into `b` (a replaced one counts two:
/// `4578--` is one insertion from `45780--`, two edits from `45780-`).
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    var previous = Array(0 ... b.count), current = previous
    for i in a.indices {
        current[0] = i + 1
        for j in b.indices {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a[i] == b[j] ? 0 : 2))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The start of a main-line step's block that copies the operation's operands and owes nothing to
/// its result (`ScratchBlock.head`): a product's terms `{1234*56=1234*50+1234*6=`, or a long
/// division's head `{9.83/4.2=98.3/42:`. Like the step's form, it is right only as the text the
/// operation's operands give, points moved; nothing is computed.
struct BlockHead {
    /// The head the operation's operands give.
    var expected: [UInt8]
    /// The head as written: from the block's `{` to the `=` or `:` that ends it.
    var written: Range<Int>

    /// Every block head of the main line that starts in `text[from...]`, read to its end (or to
    /// the text's end, if the chain stops inside it), counted from `from`. `text` is the question,
    /// its `=` and the chain. Only blocks of products and of long divisions (a `:` follows) are read.
    static func all(in text: [UInt8], from: Int) -> [BlockHead] {
        let expressions = mainLineExpressions(in: text, complete: true)
        return zip(expressions, expressions.dropFirst()).compactMap { before, _ in
            let open = before.upperBound + 1
            guard open >= from, open < text.count, text[open] == UInt8(ascii: "{"),
                  let (old, i) = nextOperation(of: String(decoding: text[before], as: UTF8.self)),
                  case .binary(let op, let l, let r) = old.nodes[i],
                  let x = old.operand(at: l), let y = old.operand(at: r),
                  let expected = ScratchBlock.head(op, x.value, y.value, format: .longdiv) else { return nil }
            // A division block of another format (no `:`) has no such head.
            let body = text[open...].prefix { $0 != UInt8(ascii: "}") }
            guard op != .divide || body.contains(UInt8(ascii: ":")) else { return nil }
            let head = BlockHead(expected: Array(expected.utf8), written: open - from ..< open - from)
            return head.reread(in: Array(text[from...]))
        }
    }

    /// The same head in `text`, a rewrite of the text it was read from that agrees with it up to
    /// the block's `{`: to its n-th `=` or `:`, n as many as the expected head has, or to the
    /// text's end. Nil if the text ends at the block's `{`.
    func reread(in text: [UInt8]) -> BlockHead? {
        let open = written.lowerBound
        guard open + 1 < text.count else { return nil }
        let ends = Self.terminators(in: expected)
        var seen = 0, end = open + 1
        while end < text.count, seen < ends {
            if Self.ends(text[end]) { seen += 1 }
            end += 1
        }
        var head = self
        head.written = open ..< end
        return head
    }

    /// How many of the head's `=` and `:` are still to be written after `text[..<at]` and the
    /// character `runnerUp` in its place (at least 0).
    func terminatorsAfter(_ at: Int, runnerUp: [UInt8], in text: [UInt8]) -> Int {
        max(0, Self.terminators(in: expected) - Self.terminators(in: text[written.lowerBound ..< at]) - Self.terminators(in: runnerUp))
    }

    /// A head's parts end in `=` (a division moved, a product's terms) and `:` (the division).
    private static func ends(_ c: UInt8) -> Bool { c == UInt8(ascii: "=") || c == UInt8(ascii: ":") }
    private static func terminators(in s: some Sequence<UInt8>) -> Int { s.count(where: ends) }

    /// The head is written whole and as expected (a head cut by the text's end holds if what is
    /// written starts the expected one).
    func holds(in text: [UInt8]) -> Bool {
        let found = text[written]
        return found.count < expected.count && written.upperBound == text.count
            ? expected.starts(with: found) : found.elementsEqual(expected)
    }
}

/// `expression` parsed and normalised, and the node of its next operation (precedence order, from
/// its brackets and operators alone); nil if it does not parse or is a number.
private func nextOperation(of expression: String) -> (Expression, Int)? {
    guard var e = try? Expression(parsing: expression) else { return nil }
    e.normalize()
    return e.nextOperation().map { (e, $0) }
}
