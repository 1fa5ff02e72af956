import Foundation

/// Inline SVG charts drawn as text: no scripts, no external assets, readable as they are.
public enum SVGChart {
    /// A series of bars with its colour.
    public struct Series: Sendable {
        public var name: String
        public var colour: String

        public init(_ name: String, _ colour: String) {
            self.name = name
            self.colour = colour
        }
    }

    /// One labelled group of bars, a value (or none) per series.
    public struct Group: Sendable {
        public var label: String
        public var values: [Double?]

        public init(_ label: String, _ values: [Double?]) {
            self.label = label
            self.values = values
        }
    }

    static let palette = ["#1f5fa8", "#e07b00", "#2a9d4b", "#8e44ad", "#7f8c8d", "#c0392b"]
    static let labelWidth = 210.0, plotWidth = 520.0, barHeight = 13.0, gap = 9.0

    /// Horizontal bars from 0 to `maximum` (adoption in percent, failure counts), one group per row.
    public static func bars(_ groups: [Group], series: [Series], maximum: Double = 100, unit: String = "%", title: String) -> String {
        let top = legendHeight(series)
        let rowHeight = Double(series.count) * barHeight + gap
        let height = top + Double(groups.count) * rowHeight + 24
        let step = niceStep(maximum / 4), axisEnd = (maximum / step).rounded(.up) * step
        let scale = plotWidth / max(axisEnd, 1)
        var svg = open(width: labelWidth + plotWidth + 70, height: height, title: title) + legend(series)
        for tick in stride(from: 0.0, through: axisEnd + step / 2, by: step) {
            let x = labelWidth + tick * scale
            svg += line(x, top - 4, x, height - 20, colour: "#ddd")
            svg += text(x, height - 6, number(tick) + unit, anchor: "middle", colour: "#666")
        }
        for (row, group) in groups.enumerated() {
            let y = top + Double(row) * rowHeight
            svg += text(labelWidth - 6, y + (rowHeight - gap) / 2, group.label, anchor: "end")
            for (index, value) in group.values.enumerated() where index < series.count {
                let barY = y + Double(index) * barHeight
                guard let value else {
                    svg += text(labelWidth + 4, barY + (barHeight - 2) / 2, "no data", colour: "#999")
                    continue
                }
                let width = max(value * scale, 0.5)
                svg += "<rect x=\"\(number(labelWidth))\" y=\"\(number(barY))\" width=\"\(number(width))\" height=\"\(number(barHeight - 2))\" fill=\"\(series[index].colour)\">"
                    + "<title>\(HTML.escape("\(group.label), \(series[index].name): \(number(value, decimals: 1))\(unit)"))</title></rect>"
                svg += text(labelWidth + width + 4, barY + (barHeight - 2) / 2, (unit == "%" ? Points.format(value) : number(value, decimals: 0)) + unit)
            }
        }
        return svg + "</svg>"
    }

    /// Bars left or right of zero (changes in percentage points), one group per row.
    public static func diverging(_ groups: [Group], series: [Series], title: String) -> String {
        let extent = max(5, (groups.flatMap { $0.values.compactMap { $0.map(abs) } }.max() ?? 0).rounded(.up))
        let top = legendHeight(series)
        let rowHeight = Double(series.count) * barHeight + gap
        let height = top + Double(groups.count) * rowHeight + 24
        let zero = labelWidth + plotWidth / 2, scale = plotWidth / 2 / extent
        var svg = open(width: labelWidth + plotWidth + 70, height: height, title: title) + legend(series)
        for tick in [-extent, -extent / 2, 0, extent / 2, extent] {
            let x = zero + tick * scale
            svg += line(x, top - 4, x, height - 20, colour: tick == 0 ? "#888" : "#ddd")
            svg += text(x, height - 6, Points.signed(tick, unit: ""), anchor: "middle", colour: "#666")
        }
        for (row, group) in groups.enumerated() {
            let y = top + Double(row) * rowHeight
            svg += text(labelWidth - 6, y + (rowHeight - gap) / 2, group.label, anchor: "end")
            for (index, value) in group.values.enumerated() where index < series.count {
                guard let value else { continue }
                let barY = y + Double(index) * barHeight, width = max(abs(value) * scale, 0.5)
                let x = value < 0 ? zero - width : zero
                svg += "<rect x=\"\(number(x))\" y=\"\(number(barY))\" width=\"\(number(width))\" height=\"\(number(barHeight - 2))\" fill=\"\(series[index].colour)\">"
                    + "<title>\(HTML.escape("\(group.label), \(series[index].name): \(Points.signed(value))"))</title></rect>"
                // Labels right of the bar, or right of zero for a bar to the left, so none runs into the row labels.
                svg += text(value < 0 ? zero + 4 : x + width + 4, barY + (barHeight - 2) / 2, Points.signed(value, unit: ""))
            }
        }
        return svg + "</svg>"
    }

    /// A grid of adoption percentages, coloured from red (0%) to green (100%).
    public static func heatmap(rows: [String], columns: [String], values: [[Double?]], title: String) -> String {
        let cell = 46.0, left = 240.0, top = 120.0
        let width = left + Double(columns.count) * cell + 10, height = top + Double(rows.count) * 24 + 10
        var svg = open(width: width, height: height, title: title)
        for (index, column) in columns.enumerated() {
            let x = left + Double(index) * cell + cell / 2
            svg += "<text x=\"\(number(x))\" y=\"\(number(top - 6))\" transform=\"rotate(-55 \(number(x)) \(number(top - 6)))\" font-size=\"11\">\(HTML.escape(column))</text>"
        }
        for (row, label) in rows.enumerated() {
            let y = top + Double(row) * 24
            svg += text(left - 6, y + 16, label, anchor: "end")
            for (index, value) in values[row].enumerated() {
                let x = left + Double(index) * cell
                svg += "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(cell - 2))\" height=\"22\" fill=\"\(heat(value))\">"
                    + "<title>\(HTML.escape("\(label), \(columns[index]): \(Points.percent(value))"))</title></rect>"
                svg += text(x + cell / 2 - 1, y + 11, value.map { number($0, decimals: 0) } ?? "–", anchor: "middle")
            }
        }
        return svg + "</svg>"
    }

    /// 1, 2, 2.5 or 5 times a power of ten, at least `rough` (25 for 100/4).
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0 else { return 1 }
        let power = pow(10, (log10(rough)).rounded(.down))
        return [1, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
    }

    /// Red → amber → green for 0…100, grey for none.
    static func heat(_ value: Double?) -> String {
        guard let value else { return "#eeeeee" }
        let t = min(max(value / 100, 0), 1)
        let (r, g, b) = t < 0.5 ? mix((230, 124, 115), (255, 214, 102), t * 2) : mix((255, 214, 102), (87, 187, 138), (t - 0.5) * 2)
        return "rgb(\(r),\(g),\(b))"
    }

    static func mix(_ a: (Double, Double, Double), _ b: (Double, Double, Double), _ t: Double) -> (Int, Int, Int) {
        (Int(a.0 + (b.0 - a.0) * t), Int(a.1 + (b.1 - a.1) * t), Int(a.2 + (b.2 - a.2) * t))
    }

    static func legendHeight(_ series: [Series]) -> Double { series.count > 1 ? 28 : 10 }

    static func legend(_ series: [Series]) -> String {
        guard series.count > 1 else { return "" }
        var svg = "", x = labelWidth
        for item in series {
            svg += "<rect x=\"\(number(x))\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(item.colour)\"/>" + text(x + 16, 12, item.name)
            x += 26 + Double(item.name.count) * 7
        }
        return svg
    }

    static func open(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(number(width))\" height=\"\(number(height))\" "
            + "viewBox=\"0 0 \(number(width)) \(number(height))\" font-family=\"sans-serif\" font-size=\"11\">"
            + "<title>\(HTML.escape(title))</title>"
    }

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start", colour: String = "#222") -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\" fill=\"\(colour)\" dominant-baseline=\"middle\">\(HTML.escape(content))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, colour: String) -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(colour)\"/>"
    }

    /// A coordinate or value with at most `decimals` decimals.
    static func number(_ value: Double, decimals: Int = 1) -> String {
        decimals == 0 ? String(Int(value.rounded())) : Points.format(value).replacingOccurrences(of: ".0", with: "", options: [.anchored, .backwards])
    }
}
