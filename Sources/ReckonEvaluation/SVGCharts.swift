import Foundation

/// Hand-written SVG charts for the evaluation report (no dependencies; every chart is a
/// self-contained file with a white background, readable when rendered to PNG).
public enum SVGCharts {
    static let font = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""

    /// A document of `width`×`height` with a title.
    static func document(width: Int, height: Int, title: String, body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \(font)>
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="26" font-size="17" font-weight="bold" text-anchor="middle" fill="#222">\(escape(title))</text>
        \(body)</svg>

        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Red (0) → yellow (0.5) → green (1).
    static func color(_ a: Double) -> String {
        let stops: [(Double, (Double, Double, Double))] = [(0, (215, 48, 39)), (0.5, (254, 224, 139)), (1, (26, 152, 80))]
        let x = min(1, max(0, a))
        let (lo, hi) = x <= 0.5 ? (stops[0], stops[1]) : (stops[1], stops[2])
        let t = (x - lo.0) / (hi.0 - lo.0)
        let c = (lo.1.0 + t * (hi.1.0 - lo.1.0), lo.1.1 + t * (hi.1.1 - lo.1.1), lo.1.2 + t * (hi.1.2 - lo.1.2))
        return String(format: "#%02x%02x%02x", Int(c.0), Int(c.1), Int(c.2))
    }

    static func percent(_ a: Double) -> String { String(format: a >= 0.995 || a < 0.005 ? "%.0f%%" : "%.1f%%", 100 * a) }

    /// Accuracy heatmap, operators (rows) × operand digits (columns); `value` picks the rule.
    public static func heatmap(_ s: EvaluationSummary, value: (Accuracy) -> Double, rule: String) -> String {
        let ops = s.byOperator.map(\.key)
        let digits = s.byDigits.map(\.key)
        let cells = Dictionary(uniqueKeysWithValues: s.byOperatorAndDigits.map { ($0.key, $0.accuracy) })
        let cw = 92, ch = 56, left = 90, top = 84
        let width = max(560, left + cw * max(1, digits.count) + 40), height = top + ch * max(1, ops.count) + 80
        var b = ""
        for (r, o) in ops.enumerated() {
            b += "<text x=\"\(left - 14)\" y=\(q(top + r * ch + ch / 2 + 6)) font-size=\"20\" text-anchor=\"end\" fill=\"#222\">\(escape(o))</text>\n"
            for (c, d) in digits.enumerated() {
                let x = left + c * cw, y = top + r * ch
                if let a = cells["\(o)|\(d)"], a.count > 0 {
                    let v = value(a)
                    let ink = v > 0.25 && v < 0.8 ? "#222" : "white"
                    b += "<rect x=\(q(x)) y=\(q(y)) width=\(q(cw - 3)) height=\(q(ch - 3)) rx=\"4\" fill=\"\(color(v))\"/>\n"
                    b += "<text x=\(q(x + cw / 2)) y=\(q(y + ch / 2 - 1)) font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"\(ink)\">\(percent(v))</text>\n"
                    b += "<text x=\(q(x + cw / 2)) y=\(q(y + ch / 2 + 16)) font-size=\"11\" text-anchor=\"middle\" fill=\"\(ink)\">n=\(a.count)</text>\n"
                } else {
                    b += "<rect x=\(q(x)) y=\(q(y)) width=\(q(cw - 3)) height=\(q(ch - 3)) rx=\"4\" fill=\"#eeeeee\"/>\n"
                    b += "<text x=\(q(x + cw / 2)) y=\(q(y + ch / 2 + 5)) font-size=\"12\" text-anchor=\"middle\" fill=\"#999\">no data</text>\n"
                }
            }
        }
        for (c, d) in digits.enumerated() {
            b += "<text x=\(q(left + c * cw + cw / 2)) y=\(q(top - 10)) font-size=\"14\" text-anchor=\"middle\" fill=\"#222\">\(d)</text>\n"
        }
        b += "<text x=\(q(left + cw * digits.count / 2)) y=\(q(top - 32)) font-size=\"13\" text-anchor=\"middle\" fill=\"#555\">largest operand: integer digits</text>\n"
        b += "<text x=\"20\" y=\(q(top + ch * ops.count / 2)) font-size=\"13\" fill=\"#555\" transform=\"rotate(-90 20 \(top + ch * ops.count / 2))\" text-anchor=\"middle\">operator in question</text>\n"
        b += "<text x=\(q(width / 2)) y=\(q(height - 34)) font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\(escape(rule))</text>\n"
        b += "<text x=\(q(width / 2)) y=\(q(height - 16)) font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">a question counts once for each operator it uses</text>\n"
        return document(width: width, height: height, title: "Accuracy by operator × operand digits", body: b)
    }

    /// Bars: one group per key, one bar per series (values in 0...1), y axis in percent.
    public static func bars(title: String, xLabel: String, keys: [String], counts: [Int],
                            series: [(name: String, color: String, values: [Double])]) -> String {
        let left = 70, top = 80, plotH = 280
        let group = max(34, 16 * series.count + 18)
        let width = max(520, left + group * max(1, keys.count) + 40), height = top + plotH + 90
        var b = axes(left: left, top: top, width: width - left - 30, height: plotH, yLabel: "accuracy")
        let bw = (group - 12) / max(1, series.count)
        for (i, k) in keys.enumerated() {
            let gx = left + i * group + 6
            for (j, s) in series.enumerated() {
                let v = min(1, max(0, s.values[i]))
                let h = Int((Double(plotH) * v).rounded())
                b += "<rect x=\(q(gx + j * bw)) y=\(q(top + plotH - h)) width=\(q(bw - 2)) height=\(q(h)) fill=\"\(s.color)\"><title>\(escape(s.name)) \(escape(k)): \(percent(v))</title></rect>\n"
            }
            b += "<text x=\(q(gx + (group - 12) / 2)) y=\(q(top + plotH + 18)) font-size=\"13\" text-anchor=\"middle\" fill=\"#222\">\(escape(k))</text>\n"
            b += "<text x=\(q(gx + (group - 12) / 2)) y=\(q(top + plotH + 34)) font-size=\"10\" text-anchor=\"middle\" fill=\"#777\">n=\(counts[i])</text>\n"
        }
        b += "<text x=\(q(left + (width - left - 30) / 2)) y=\(q(top + plotH + 58)) font-size=\"13\" text-anchor=\"middle\" fill=\"#555\">\(escape(xLabel))</text>\n"
        b += legend(series.map { ($0.name, $0.color) }, x: left, y: 50)
        return document(width: width, height: height, title: title, body: b)
    }

    /// Horizontal bars of counts with their share of the total.
    public static func mix(title: String, items: [(name: String, count: Int, color: String)], note: String) -> String {
        let left = 130, top = 56, rowH = 36, plotW = 420
        let width = left + plotW + 140, height = top + rowH * max(1, items.count) + 60
        let total = max(1, items.reduce(0) { $0 + $1.count })
        let most = max(1, items.map(\.count).max() ?? 1)
        var b = ""
        for (i, it) in items.enumerated() {
            let y = top + i * rowH
            let w = Int(Double(plotW) * Double(it.count) / Double(most))
            b += "<text x=\(q(left - 10)) y=\(q(y + rowH / 2 + 5)) font-size=\"14\" text-anchor=\"end\" fill=\"#222\">\(escape(it.name))</text>\n"
            b += "<rect x=\(q(left)) y=\(q(y + 5)) width=\(q(max(w, 1))) height=\(q(rowH - 10)) rx=\"3\" fill=\"\(it.color)\"/>\n"
            b += "<text x=\(q(left + max(w, 1) + 8)) y=\(q(y + rowH / 2 + 5)) font-size=\"13\" fill=\"#222\">\(it.count) (\(percent(Double(it.count) / Double(total))))</text>\n"
        }
        b += "<text x=\(q(width / 2)) y=\(q(height - 18)) font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\(escape(note))</text>\n"
        return document(width: width, height: height, title: title, body: b)
    }

    /// Two stacked panels sharing the step axis: training loss (log scale) and, if any, held-out accuracy.
    public static func trainingCurves(_ log: [TrainingLogEntry], title: String) -> String {
        let left = 80, plotW = 560, top = 70, plotH = 220, gap = 70
        let accuracy = log.compactMap { e in e.heldOutAccuracy.map { (e.step, $0) } }
        let panels = accuracy.isEmpty ? 1 : 2
        let width = left + plotW + 40, height = top + panels * plotH + (panels - 1) * gap + 60
        let losses = log.filter { $0.loss.isFinite && $0.loss > 0 }
        guard let maxStep = log.map(\.step).max(), maxStep > 0, !losses.isEmpty else {
            return document(width: width, height: 140, title: title,
                            body: "<text x=\(q(width / 2)) y=\"80\" font-size=\"14\" text-anchor=\"middle\" fill=\"#777\">no training log entries</text>\n")
        }
        func xPos(_ step: Int) -> Double { Double(left) + Double(plotW) * Double(step) / Double(maxStep) }
        var b = ""
        // Loss panel, log10 scale between decades that enclose the data.
        let lo = floor(log10(losses.map(\.loss).min()!)), hi = max(lo + 1, ceil(log10(losses.map(\.loss).max()!)))
        func yLoss(_ v: Double) -> Double { Double(top + plotH) - Double(plotH) * (log10(v) - lo) / (hi - lo) }
        b += frame(left: left, top: top, width: plotW, height: plotH)
        var decade = lo
        while decade <= hi {
            // Gridlines at 1, 2 and 5 × each decade (only 1× when many decades are shown).
            for m in (hi - lo <= 2 ? [1.0, 2, 5] : [1.0]) where decade + log10(m) <= hi {
                let v = m * pow(10, decade), y = yLoss(v)
                b += "<line x1=\(q(left)) y1=\"\(f(y))\" x2=\(q(left + plotW)) y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>\n"
                b += "<text x=\(q(left - 8)) y=\"\(f(y + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(formatTick(v))</text>\n"
            }
            decade += 1
        }
        b += polyline(losses.map { (xPos($0.step), yLoss($0.loss)) }, color: "#3366cc")
        b += "<text x=\"22\" y=\(q(top + plotH / 2)) font-size=\"13\" fill=\"#555\" text-anchor=\"middle\" transform=\"rotate(-90 22 \(top + plotH / 2))\">training loss (log)</text>\n"
        b += stepTicks(left: left, width: plotW, y: top + plotH, maxStep: maxStep)
        if !accuracy.isEmpty {
            let top2 = top + plotH + gap
            b += frame(left: left, top: top2, width: plotW, height: plotH)
            for k in 0...4 {
                let y = top2 + plotH - plotH * k / 4
                b += "<line x1=\(q(left)) y1=\(q(y)) x2=\(q(left + plotW)) y2=\(q(y)) stroke=\"#e3e3e3\"/>\n"
                b += "<text x=\(q(left - 8)) y=\(q(y + 4)) font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(k * 25)%</text>\n"
            }
            let pts = accuracy.map { (xPos($0.0), Double(top2 + plotH) - Double(plotH) * min(1, max(0, $0.1))) }
            b += polyline(pts, color: "#1a9850")
            for p in pts { b += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"3.5\" fill=\"#1a9850\"/>\n" }
            b += "<text x=\"22\" y=\(q(top2 + plotH / 2)) font-size=\"13\" fill=\"#555\" text-anchor=\"middle\" transform=\"rotate(-90 22 \(top2 + plotH / 2))\">held-out accuracy</text>\n"
            b += stepTicks(left: left, width: plotW, y: top2 + plotH, maxStep: maxStep)
        }
        b += "<text x=\(q(left + plotW / 2)) y=\(q(height - 14)) font-size=\"13\" text-anchor=\"middle\" fill=\"#555\">optimizer step</text>\n"
        return document(width: width, height: height, title: title, body: b)
    }

    /// Several runs on one time axis (minutes of training): loss (log scale) above, held-out
    /// accuracy below, one colour per run. For ablations run on the same budget.
    public static func comparisonCurves(_ runs: [(name: String, log: [TrainingLogEntry])], title: String) -> String {
        let palette = ["#3366cc", "#dc3912", "#1a9850", "#ff9900", "#990099", "#0099c6"]
        let left = 80, plotW = 560, top = 90, plotH = 200, gap = 70
        let width = left + plotW + 40, height = top + 2 * plotH + gap + 60
        let points = runs.map { r in r.log.compactMap { e in e.elapsedSeconds.map { (minutes: $0 / 60, entry: e) } } }
        let losses = points.joined().map(\.entry.loss).filter { $0.isFinite && $0 > 0 }
        guard let maxMinutes = points.joined().map(\.minutes).max(), maxMinutes > 0, !losses.isEmpty else {
            return document(width: width, height: 140, title: title,
                            body: "<text x=\(q(width / 2)) y=\"80\" font-size=\"14\" text-anchor=\"middle\" fill=\"#777\">no timed training log entries</text>\n")
        }
        func x(_ m: Double) -> Double { Double(left) + Double(plotW) * m / maxMinutes }
        let lo = floor(log10(losses.min()!)), hi = max(lo + 1, ceil(log10(losses.max()!)))
        func yLoss(_ v: Double) -> Double { Double(top + plotH) - Double(plotH) * (log10(v) - lo) / (hi - lo) }
        let top2 = top + plotH + gap
        var b = legend(runs.indices.map { (runs[$0].name, palette[$0 % palette.count]) }, x: left, y: 62)
        b += "<text x=\(q(left + plotW)) y=\"62\" font-size=\"12\" text-anchor=\"end\" fill=\"#777\">loss: running mean</text>\n"
        b += frame(left: left, top: top, width: plotW, height: plotH) + frame(left: left, top: top2, width: plotW, height: plotH)
        var decade = lo
        while decade <= hi {
            let y = yLoss(pow(10, decade))
            b += "<line x1=\(q(left)) y1=\"\(f(y))\" x2=\(q(left + plotW)) y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>\n"
            b += "<text x=\(q(left - 8)) y=\"\(f(y + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(formatTick(pow(10, decade)))</text>\n"
            decade += 1
        }
        for k in 0...4 {
            let y = top2 + plotH - plotH * k / 4
            b += "<line x1=\(q(left)) y1=\(q(y)) x2=\(q(left + plotW)) y2=\(q(y)) stroke=\"#e3e3e3\"/>\n"
            b += "<text x=\(q(left - 8)) y=\(q(y + 4)) font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(k * 25)%</text>\n"
        }
        for (i, run) in points.enumerated() {
            let color = palette[i % palette.count]
            // Loss as a running mean over ~1/60 of the run: batches of different lengths make the
            // per-step loss jump, which would hide the trend.
            let finite = run.filter { $0.entry.loss.isFinite && $0.entry.loss > 0 }
            let window = max(1, finite.count / 60)
            var sum = 0.0, smooth: [(Double, Double)] = []
            for (k, p) in finite.enumerated() {
                sum += p.entry.loss
                if k >= window { sum -= finite[k - window].entry.loss }
                if k >= window - 1 { smooth.append((x(p.minutes), yLoss(sum / Double(window)))) }
            }
            b += polyline(smooth, color: color)
            let acc = run.compactMap { p in p.entry.heldOutAccuracy.map { (x(p.minutes), Double(top2 + plotH) - Double(plotH) * min(1, max(0, $0))) } }
            b += polyline(acc, color: color)
            for p in acc { b += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"3.5\" fill=\"\(color)\"/>\n" }
        }
        for (panelTop, label) in [(top, "training loss (log)"), (top2, "held-out exact match")] {
            b += "<text x=\"22\" y=\(q(panelTop + plotH / 2)) font-size=\"13\" fill=\"#555\" text-anchor=\"middle\" transform=\"rotate(-90 22 \(panelTop + plotH / 2))\">\(label)</text>\n"
            for k in 0...4 {
                let m = maxMinutes * Double(k) / 4, px = left + plotW * k / 4
                b += "<text x=\(q(px)) y=\(q(panelTop + plotH + 19)) font-size=\"12\" text-anchor=\"middle\" fill=\"#444\">\(String(format: maxMinutes < 10 ? "%.1f" : "%.0f", m))</text>\n"
            }
        }
        b += "<text x=\(q(left + plotW / 2)) y=\(q(height - 14)) font-size=\"13\" text-anchor=\"middle\" fill=\"#555\">minutes of training</text>\n"
        return document(width: width, height: height, title: title, body: b)
    }

    // MARK: Pieces

    static func q(_ v: Int) -> String { "\"\(v)\"" }

    static func frame(left: Int, top: Int, width: Int, height: Int) -> String {
        "<rect x=\(q(left)) y=\(q(top)) width=\(q(width)) height=\(q(height)) fill=\"none\" stroke=\"#999\"/>\n"
    }

    static func axes(left: Int, top: Int, width: Int, height: Int, yLabel: String) -> String {
        var b = ""
        for k in 0...4 {
            let y = top + height - height * k / 4
            b += "<line x1=\(q(left)) y1=\(q(y)) x2=\(q(left + width)) y2=\(q(y)) stroke=\"\(k == 0 ? "#999" : "#e3e3e3")\"/>\n"
            b += "<text x=\(q(left - 8)) y=\(q(y + 4)) font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(k * 25)%</text>\n"
        }
        b += "<text x=\"20\" y=\(q(top + height / 2)) font-size=\"13\" fill=\"#555\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(top + height / 2))\">\(escape(yLabel))</text>\n"
        return b
    }

    static func legend(_ items: [(String, String)], x: Int, y: Int) -> String {
        var b = "", cx = x
        for (name, color) in items {
            b += "<rect x=\(q(cx)) y=\(q(y - 11)) width=\"14\" height=\"14\" fill=\"\(color)\"/>\n"
            b += "<text x=\(q(cx + 20)) y=\(q(y + 1)) font-size=\"13\" fill=\"#222\">\(escape(name))</text>\n"
            cx += 34 + 8 * name.count
        }
        return b
    }

    static func polyline(_ pts: [(Double, Double)], color: String) -> String {
        let p = pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        return "<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
    }

    static func stepTicks(left: Int, width: Int, y: Int, maxStep: Int) -> String {
        var b = ""
        for k in 0...4 {
            let step = maxStep * k / 4
            let x = left + width * k / 4
            b += "<line x1=\(q(x)) y1=\(q(y)) x2=\(q(x)) y2=\(q(y + 5)) stroke=\"#999\"/>\n"
            b += "<text x=\(q(x)) y=\(q(y + 19)) font-size=\"12\" text-anchor=\"middle\" fill=\"#444\">\(step)</text>\n"
        }
        return b
    }

    static func formatTick(_ v: Double) -> String {
        v >= 1 ? String(format: "%.0f", v) : String(format: "%g", v)
    }
}
