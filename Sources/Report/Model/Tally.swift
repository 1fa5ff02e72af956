/// The count of each status word over some cells, and the adoption they give:
/// (passed + warning + info) / (passed + warning + info + failed); every other word is left
/// out of numerator and denominator (`data/README.md`).
public struct Tally: Codable, Sendable, Hashable {
    /// Cells per status word; words with no cells are left out.
    public var counts: [String: Int]

    public init(counts: [String: Int] = [:]) {
        self.counts = counts
    }

    /// Tallies `statuses`.
    public init(_ statuses: some Sequence<String>) {
        var counts: [String: Int] = [:]
        for status in statuses { counts[status, default: 0] += 1 }
        self.counts = counts
    }

    public mutating func add(_ status: String) {
        counts[status, default: 0] += 1
    }

    /// Cells with passed, warning or info.
    public var adopted: Int { StatusWords.adopted.reduce(0) { $0 + (counts[$1] ?? 0) } }
    /// Cells the formula judges: adopted or failed.
    public var judged: Int { adopted + (counts[StatusWords.failed] ?? 0) }
    /// Every cell, whatever its word.
    public var total: Int { counts.values.reduce(0, +) }
    /// Adoption in percent, nil when no cell is judged.
    public var adoption: Double? { judged == 0 ? nil : 100 * Double(adopted) / Double(judged) }

    public func count(_ word: String) -> Int { counts[word] ?? 0 }

    enum CodingKeys: String, CodingKey { case counts, adopted, judged, adoption }

    public init(from decoder: any Decoder) throws {
        counts = try decoder.container(keyedBy: CodingKeys.self).decode([String: Int].self, forKey: .counts)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(counts, forKey: .counts)
        try container.encode(adopted, forKey: .adopted)
        try container.encode(judged, forKey: .judged)
        try container.encodeIfPresent(adoption.map(Points.round), forKey: .adoption)
    }
}

/// Percentage points: differences of two adoptions.
public enum Points {
    /// `later − earlier`, nil when either is missing.
    public static func delta(_ later: Double?, _ earlier: Double?) -> Double? {
        guard let later, let earlier else { return nil }
        return later - earlier
    }

    /// Rounded to 4 decimals for the machine-readable files (display rounds to one).
    public static func round(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }

    /// `83.3%`, or `–` for none.
    public static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return format(value) + "%"
    }

    /// `+1.2 pp`, `−0.4 pp`, `0.0 pp`, or `–` for none.
    public static func signed(_ value: Double?, unit: String = " pp") -> String {
        guard let value else { return "–" }
        let rounded = (value * 10).rounded() / 10
        if rounded == 0 { return "0.0" + unit }
        return (rounded > 0 ? "+" : "−") + format(abs(rounded)) + unit
    }

    /// One decimal, without Foundation.
    public static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }
}
