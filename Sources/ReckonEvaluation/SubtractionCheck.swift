import ReckonModel

// Checking a chain's long-division lines with the model's own arithmetic.
//
// A long-division line `c-p=r,q` is right only if p + r = c. The solver asks the model for `p+r`
// in a fresh context and compares the text it writes with the text of c (and p with the texts of
// the block's multiples): no number is computed outside the model, only texts are compared. A
// failing line is rewritten from the model's second choices (its runner-up token at one of the
// line's least sure digits, then greedy to the end of the line); a rewrite is kept only if it
// passes the same check, and the chain is then decoded on from it. Session 32 measured the check
// on 150 of the shipped model's false remainders: it flags 146 and passes the true remainder in
// 136 (Benchmarks/DECODING.md). The model's sums share its subtraction's carry errors, so a few
// repairs are themselves false.

/// A long-division line's subtraction `c-p=r` in a chain's generated text, by character offset.
struct SubtractionLine: Equatable {
    /// The block's whole divisor d (in its head `a'/d:`).
    var divisor: Range<Int>
    /// The multiples m of the block's table `d*k=m` as written.
    var table: [Range<Int>]
    var current: Range<Int>
    var product: Range<Int>
    var remainder: Range<Int>
    /// Offset just after the comma that ends the subtraction.
    var end: Int { remainder.upperBound + 1 }

    /// Every complete `c-p=r,` line of the long-division blocks (`{head:table|line;line…~q}`) in
    /// `text`, in order. Lines that do not read as three whole numbers are skipped.
    static func all(in text: [UInt8]) -> [SubtractionLine] {
        var lines: [SubtractionLine] = []
        var depth = 0, inLines = false
        var divisor: Range<Int>? = nil, table: [Range<Int>] = []
        for i in text.indices {
            switch text[i] {
            case UInt8(ascii: "{"): depth += 1; inLines = false; divisor = nil; table = []
            case UInt8(ascii: "}"): depth -= 1; inLines = false
            case UInt8(ascii: "~"): inLines = false
            case UInt8(ascii: ":") where depth > 0 && divisor == nil:
                var s = i
                while s > 0, isDigit(text[s - 1]) { s -= 1 }
                if s < i, s > 0, text[s - 1] == UInt8(ascii: "/") { divisor = s ..< i }
            case UInt8(ascii: "=") where depth > 0 && divisor != nil && !inLines:
                var e = i + 1
                while e < text.count, isDigit(text[e]) { e += 1 }
                if e > i + 1 { table.append(i + 1 ..< e) }
            case UInt8(ascii: "|") where depth > 0:
                inLines = true
                if let d = divisor, let line = SubtractionLine(text, at: i + 1, divisor: d, table: table) { lines.append(line) }
            case UInt8(ascii: ";") where inLines:
                if let d = divisor, let line = SubtractionLine(text, at: i + 1, divisor: d, table: table) { lines.append(line) }
            default: break
            }
        }
        return lines
    }

    /// Reads `c-p=r,` starting at offset `start`, in a block dividing by the text at `divisor`
    /// whose table's multiples are at `table`.
    init?(_ text: [UInt8], at start: Int, divisor: Range<Int>, table: [Range<Int>]) {
        func digits(from s: Int, to terminator: Character) -> Range<Int>? {
            var e = s
            while e < text.count, isDigit(text[e]) { e += 1 }
            guard e > s, e < text.count, text[e] == UInt8(ascii: String(terminator).unicodeScalars.first!) else { return nil }
            return s ..< e
        }
        guard let c = digits(from: start, to: "-"), let p = digits(from: c.upperBound + 1, to: "="),
              let r = digits(from: p.upperBound + 1, to: ",") else { return nil }
        self.divisor = divisor; self.table = table; current = c; product = p; remainder = r
    }
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

extension Solver {
    /// How many alternative rewrites of a failed line are tried (its least sure digits).
    static let rewritesPerLine = 2
    /// Only digits the model wrote with less than this probability are doubted: lines without
    /// one are not checked, and only such digits are rewritten. (Chains whose every token is
    /// above 0.99 are right 100% of the time in the shipped model's report; checking confident
    /// lines costs time and adds false alarms from the checks' own errors.)
    static let doubtBelow: Float = 0.9

    /// Checks the long-division lines of each greedy chain in `results` (continuations of
    /// `prompts`) and repairs false ones, at most `maxRepairs` per chain. Returns the number of
    /// lines repaired per chain (nil, and nothing checked, for a model that reads numbers
    /// reversed: its tokens are not the chain's characters); `results` then holds the repaired
    /// chains.
    ///
    /// Each pass takes, for every chain still open, its earliest doubtful line that fails its
    /// check, and tries that line's rewrites. If one holds, the chain is decoded on from it and
    /// its later lines are checked afresh; if none holds, the check itself was probably wrong
    /// (the model's sums are not perfect) and the chain moves on to its next failing line.
    func repairSubtractions(prompts: [[Int]], results: inout [DecodeResult], maxRepairs: Int) throws -> [Int]? {
        let tokenizer = model.tokenizer
        guard tokenizer.numberOrder == .asWritten else { return nil }
        var repairs = [Int](repeating: 0, count: results.count)
        guard maxRepairs > 0 else { return repairs }
        let limit = options.maxNewTokens ?? model.config.contextLength
        func text(_ tokens: some Sequence<Int>) -> [UInt8] { Array(tokenizer.decode(Array(tokens)).utf8) }
        // Per open chain: its text, and its failing lines not tried yet (nil: not checked since
        // the text last changed; lines before `checked` are settled).
        var texts: [Int: [UInt8]] = [:], failing: [Int: [(line: SubtractionLine, verdict: LineVerdict)]] = [:]
        var checked = [Int](repeating: 0, count: results.count)
        // Only chains of ordinary tokens: then token i is character i of the text.
        var open = results.indices.filter { i in results[i].tokens.allSatisfy { $0 > Tokenizer.eos } }

        while !open.isEmpty {
            // 1. Check the doubtful lines of chains whose text is new: is p + r, as the model writes it, c?
            var lines: [(chain: Int, line: SubtractionLine)] = []
            for i in open where failing[i] == nil {
                let t = text(results[i].tokens)
                texts[i] = t
                failing[i] = []
                for line in SubtractionLine.all(in: t) where line.current.lowerBound >= checked[i]
                    && (line.product.lowerBound ..< line.remainder.upperBound).contains(where: { results[i].probabilities[$0] < Self.doubtBelow }) {
                    lines.append((i, line))
                }
            }
            for (k, v) in try check(lines.map { (texts[$0.chain]!, $0.line) }).enumerated() where !v.holds {
                failing[lines[k].chain]!.append((lines[k].line, v))
            }
            open = open.filter { !failing[$0]!.isEmpty }

            // 2. Rewrite each open chain's earliest failing line from the runner-up at one of its
            //    least sure digits, then greedy to the end of the line.
            struct Rewrite { var chain: Int; var line: SubtractionLine; var tokens: [Int]; var p: [Float]; var alt: [Int]; var altP: [Float] }
            var requests: [DecodeRequest] = [], origins: [(chain: Int, line: SubtractionLine, at: Int)] = []
            for i in open {
                let (line, verdict) = failing[i]!.removeFirst()
                checked[i] = line.end
                let r = results[i], t = texts[i]!
                // A false sum can be in p or r; a p that is no multiple in the table is in p.
                let span = verdict.sum ? line.product : line.product.lowerBound ..< line.remainder.upperBound
                let positions = span
                    .filter { t[$0] != UInt8(ascii: "=") && r.probabilities[$0] < Self.doubtBelow }
                    .sorted { (r.probabilities[$0], $0) < (r.probabilities[$1], $1) }
                    .prefix(Self.rewritesPerLine)
                for j in positions {
                    requests.append(DecodeRequest(prompt: prompts[i] + r.tokens[..<j] + [r.runnerUps[j]]))
                    origins.append((i, line, j))
                }
            }
            let continuations = try decodeAll(requests, maxNewTokens: 16)
            var rewrites: [Rewrite] = []
            for (k, o) in origins.enumerated() {
                let r = results[o.chain], c = continuations[k]
                let tokens = Array(r.tokens[..<o.at]) + [r.runnerUps[o.at]] + c.tokens
                guard tokens.allSatisfy({ $0 > Tokenizer.eos }),
                      let line = SubtractionLine(text(tokens), at: o.line.current.lowerBound, divisor: o.line.divisor, table: o.line.table),
                      line.current == o.line.current, line.end <= tokens.count else { continue }
                let taken = line.end - o.at - 1
                rewrites.append(Rewrite(chain: o.chain, line: line, tokens: Array(tokens[..<line.end]),
                                        p: Array(r.probabilities[..<o.at]) + [r.runnerUpProbabilities[o.at]] + c.probabilities[..<taken],
                                        alt: Array(r.runnerUps[..<o.at]) + [r.tokens[o.at]] + c.runnerUps[..<taken],
                                        altP: Array(r.runnerUpProbabilities[..<o.at]) + [r.probabilities[o.at]] + c.runnerUpProbabilities[..<taken]))
            }

            // 3. The first rewrite of a chain that holds its check is decoded on to the chain's end.
            var chosen: [Int: Rewrite] = [:]
            for (k, v) in try check(rewrites.map { (text($0.tokens), $0.line) }).enumerated() where v.holds && chosen[rewrites[k].chain] == nil {
                chosen[rewrites[k].chain] = rewrites[k]
            }
            let kept = chosen.values.sorted { $0.chain < $1.chain }
                .filter { limit > $0.tokens.count && prompts[$0.chain].count + $0.tokens.count < model.config.contextLength }
            let rest = try decodeAll(kept.map { DecodeRequest(prompt: prompts[$0.chain] + $0.tokens) }, maxNewTokens: limit)
            for (k, w) in kept.enumerated() {
                let c = rest[k]
                var result = DecodeResult(tokens: w.tokens + c.tokens, stop: c.stop, probabilities: w.p + c.probabilities,
                                          runnerUps: w.alt + c.runnerUps, runnerUpProbabilities: w.altP + c.runnerUpProbabilities)
                if result.tokens.count > limit {
                    // The chain as a whole keeps to the solver's token limit.
                    result = DecodeResult(tokens: Array(result.tokens[..<limit]), stop: .tokenLimit,
                                          probabilities: Array(result.probabilities[..<limit]), runnerUps: Array(result.runnerUps[..<limit]),
                                          runnerUpProbabilities: Array(result.runnerUpProbabilities[..<limit]))
                }
                results[w.chain] = result
                repairs[w.chain] += 1
                failing[w.chain] = nil
                if repairs[w.chain] >= maxRepairs || !result.tokens.allSatisfy({ $0 > Tokenizer.eos }) { failing[w.chain] = [] }
            }
            open = open.filter { failing[$0] == nil || !failing[$0]!.isEmpty }
        }
        return repairs
    }

    /// What the checks say of one line `c-p=r` in a block dividing by d.
    struct LineVerdict {
        /// The model, asked `p+r`, answers with exactly the text of c.
        var sum: Bool
        /// p is 0, d or one of the multiples written in the block's table (a comparison of texts).
        var inTable: Bool
        var holds: Bool { sum && inTable }
    }

    /// The verdicts on `lines`, from one batch of questions to the model.
    private func check(_ lines: [(text: [UInt8], line: SubtractionLine)]) throws -> [LineVerdict] {
        func string(_ t: [UInt8], _ r: Range<Int>) -> String { String(decoding: t[r], as: UTF8.self) }
        let sums = try modelAnswers(lines.map { t, l in string(t, l.product) + "+" + string(t, l.remainder) })
        return lines.indices.map { k in
            let (t, l) = lines[k], p = t[l.product]
            return LineVerdict(sum: sums[k] == string(t, l.current),
                               inTable: p.elementsEqual([UInt8(ascii: "0")]) || p.elementsEqual(t[l.divisor]) || l.table.contains { t[$0].elementsEqual(p) })
        }
    }

    /// The model's greedy answers to `questions` (`a+b`, `a-b`), nil where it wrote none.
    private func modelAnswers(_ questions: [String]) throws -> [String?] {
        let requests = try questions.map { DecodeRequest(prompt: [Tokenizer.bos] + (try model.tokenizer.encode($0 + "="))) }
        return try decodeAll(requests, maxNewTokens: 32).enumerated().map { k, r in
            finalAnswerText(ofChain: questions[k] + "=" + model.tokenizer.decode(r.tokens))
        }
    }

    /// Greedy continuations of `requests` (nothing to do for none).
    private func decodeAll(_ requests: [DecodeRequest], maxNewTokens: Int) throws -> [DecodeResult] {
        guard !requests.isEmpty else { return [] }
        let decoder = BatchDecoder(model: model, threads: options.threads, expectedRequests: requests.count,
                                   cachePrecision: options.cachePrecision)
        return try decoder.decode(requests, maxNewTokens: maxNewTokens)
    }
}
