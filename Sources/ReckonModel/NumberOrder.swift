/// How the model sees numbers: which it reads and writes least-significant digit first, or
/// pads to a common width.
///
/// Carries and borrows run from the low digits up, so a model that writes a sum or a
/// difference from the left must foresee them; written from the right, each digit depends only
/// on digits already seen, and Abacus digit indices then count place values. The reversing
/// orders permute characters inside runs of digits and points, leaving all others in place, and
/// are their own inverses; padding adds leading zeros that `writtenText` removes. Either way
/// the tokenizer encodes with `modelText` and decodes with `writtenText`.
public enum NumberOrder: String, Codable, CaseIterable, Sendable {
    /// Every number as written, most significant digit first.
    case asWritten = "as-written"
    /// Every number reversed (`1592+388=1980` is seen as `2951+883=0891`).
    case reversed
    /// Only the working numbers of `longdiv` blocks reversed: the table of multiples and each
    /// line's `current-multiple=remainder`, which are subtractions and one-digit products. The
    /// block's head, each line's quotient so far and the rounded quotient stay as written,
    /// because a quotient is found most significant digit first, and so does the chain around
    /// the block. `{…/17:17*2=34,…|50-34=16,2;…~2.94}` is seen as `{…/17:71*2=43,…|05-43=61,2;…~2.94}`.
    case reversedInLongDivision = "reversed-in-long-division"
    /// Only each `longdiv` line's remainder reversed: `current-multiple=` stay as written, so
    /// the multiple is still chosen by comparing numbers read from their high digits, and the
    /// remainder, whose leading digit hangs on every borrow below it, is written from its low
    /// digit. The next line brings it down as written, a reversed copy of a few digits.
    /// `{…/17:17*2=34,…|50-34=16,2;…~2.94}` is seen as `{…/17:17*2=34,…|50-34=61,2;…~2.94}`.
    case reversedRemainders = "reversed-remainders"
    /// Each `longdiv` line's multiple and remainder written with leading zeros to the width of
    /// its current number, all as written: Abacus digit indices then count the same place in
    /// all three numbers of `c-p=r`, so the digit a borrow reaches stands at one index in each.
    /// `{…|1000-998=2,…}` is seen as `{…|1000-0998=0002,…}`.
    case paddedInLongDivision = "padded-in-long-division"
    /// What `padded-in-long-division` pads, and in each multiplication block every partial
    /// product and sum, whose whole parts get leading zeros to one digit more than the first
    /// partial product's (room for the last carry, and known as soon as that number is read).
    /// Digits after a point already share Abacus indices place by place, counted from the
    /// point. `{7512*908=7512*900+7512*8=6760800+60096=6820896}` is seen as
    /// `{7512*908=7512*900+7512*8=06760800+00060096=06820896}`.
    case padded

    /// Whether every number's digits keep their written order (padding only adds zeros in
    /// front), so a model text reads as the numbers it stands for.
    public var keepsDigitOrder: Bool {
        switch self {
        case .asWritten, .paddedInLongDivision, .padded: true
        case .reversed, .reversedInLongDivision, .reversedRemainders: false
        }
    }

    /// Whether a long-division line's p and r are written with leading zeros to c's width.
    public var padsLongDivision: Bool { self == .paddedInLongDivision || self == .padded }

    /// `text` as the model sees it.
    public func modelText(_ text: String) -> String { map(text, toModel: true) }

    /// Model text as written: the inverse of `modelText`.
    public func writtenText(_ modelText: String) -> String { map(modelText, toModel: false) }

    private func map(_ text: String, toModel: Bool) -> String {
        if self == .asWritten { return text }
        var section = Section.chain
        var out = "", run: [Character] = []
        out.reserveCapacity(text.utf8.count)
        // Padding: the width of the line's current number, whether its '-' has been read, and
        // the whole-part width of a product block's sums (0 until its first partial product).
        var lineWidth = 0, afterMinus = false, sumWidth = 0
        func flush() {
            if run.isEmpty { return }
            if reverses(in: section) {
                out.append(contentsOf: run.reversed())
            } else if let width = paddedWidth(in: section, afterMinus: afterMinus, lineWidth: lineWidth,
                                              sumWidth: &sumWidth, run: run) {
                if toModel {
                    out.append(contentsOf: repeatElement("0", count: max(0, width - Self.wholeDigits(run))))
                    out.append(contentsOf: run)
                } else {
                    var start = 0   // leading zeros off, down to one digit before a point or the end
                    while start + 1 < run.count, run[start] == "0", Tokenizer.isDigit(run[start + 1]) { start += 1 }
                    out.append(contentsOf: run[start...])
                }
            } else {
                if section == .lineNumbers { lineWidth = run.count }
                out.append(contentsOf: run)
            }
            run.removeAll(keepingCapacity: true)
        }
        // The section is tracked from the delimiters alone, which the map never moves, so the
        // scan of the map's output agrees with the scan of its input.
        for c in text {
            if c == "." || Tokenizer.isDigit(c) { run.append(c); continue }
            flush()
            switch (c, section) {
            case ("{", _): section = .head
            case ("}", _): section = .chain
            case ("*", .head): section = .productHead
            case ("^", .head): section = .power
            case ("=", .productHead): section = .productTerms
            case ("=", .productTerms): section = .productSums; sumWidth = 0
            case ("~", .productSums): section = .rounded
            case (":", .head): section = .table
            case ("|", .table), (";", .lineQuotient): section = .lineNumbers; afterMinus = false
            case ("-", .lineNumbers): afterMinus = true
            case ("=", .lineNumbers): section = .lineRemainder
            case (",", .lineNumbers), (",", .lineRemainder): section = .lineQuotient
            case ("~", .lineNumbers), ("~", .lineRemainder), ("~", .lineQuotient): section = .rounded
            default: break
            }
            out.append(c)
        }
        flush()
        return out
    }

    /// Where a character stands relative to a `longdiv` block (`{head:table|lines~rounded}`;
    /// a line is `lineNumbers=lineRemainder,lineQuotient`) or a product block
    /// (`{productHead=productTerms=productSums~rounded}`, the head `a*b`) or a power block.
    private enum Section {
        case chain, head, table, lineNumbers, lineRemainder, lineQuotient, rounded
        case productHead, productTerms, productSums, power
    }

    private func reverses(in section: Section) -> Bool {
        switch self {
        case .asWritten: false
        case .reversed: true
        case .reversedInLongDivision: section == .table || section == .lineNumbers || section == .lineRemainder
        case .reversedRemainders: section == .lineRemainder
        case .paddedInLongDivision, .padded: false
        }
    }

    /// The whole-part width a run is padded to, or nil if it is not padded: a long-division
    /// line's multiple or remainder goes to the line's current number's width, a product
    /// block's partial product or sum to `sumWidth`, which the block's first one sets.
    private func paddedWidth(in section: Section, afterMinus: Bool, lineWidth: Int,
                             sumWidth: inout Int, run: [Character]) -> Int? {
        guard padsLongDivision else { return nil }
        if section == .lineRemainder || (section == .lineNumbers && afterMinus) { return lineWidth }
        guard self == .padded, section == .productSums else { return nil }
        if sumWidth == 0 { sumWidth = Self.wholeDigits(run) + 1 }
        return sumWidth
    }

    /// Characters of a run before its point (all of them when it has none).
    private static func wholeDigits(_ run: [Character]) -> Int { run.firstIndex(of: ".") ?? run.count }
}
