/// Which numbers a model reads and writes least-significant digit first.
///
/// Carries and borrows run from the low digits up, so a model that writes a sum or a
/// difference from the left must foresee them; written from the right, each digit depends only
/// on digits already seen, and Abacus digit indices then count place values. Every order is a
/// permutation inside runs of digits and points that leaves all other characters in place, and
/// is its own inverse, so the tokenizer applies the same map to encode and to decode.
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

    /// `text` as the model sees it (or, applied to model text, as written).
    public func modelText(_ text: String) -> String {
        if self == .asWritten { return text }
        var section = Section.chain
        var out = "", run: [Character] = []
        out.reserveCapacity(text.utf8.count)
        func flush() {
            if run.isEmpty { return }
            if reverses(in: section) { out.append(contentsOf: run.reversed()) } else { out.append(contentsOf: run) }
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
            case (":", .head): section = .table
            case ("|", .table), (";", .lineQuotient): section = .lineNumbers
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
    /// a line is `lineNumbers=lineRemainder,lineQuotient`).
    private enum Section { case chain, head, table, lineNumbers, lineRemainder, lineQuotient, rounded }

    private func reverses(in section: Section) -> Bool {
        switch self {
        case .asWritten: false
        case .reversed: true
        case .reversedInLongDivision: section == .table || section == .lineNumbers || section == .lineRemainder
        case .reversedRemainders: section == .lineRemainder
        }
    }
}
