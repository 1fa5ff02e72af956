/// The count of each status over some cells, and the one adoption formula:
/// (passed + warning + info) / (passed + warning + info + failed); every other word is left
/// out of numerator and denominator (`data/README.md`, ``Status/countsAsAdopted``).
/// Encoded as `{"counts": {word: n}, "adopted": n, "judged": n, "adoption": percent?}`.
public struct Tally: Codable, Sendable, Hashable {
    /// Cells per status; statuses with no cells are left out.
    public var counts: [Status: Int]

    public init(counts: [Status: Int] = [:]) {
        self.counts = counts
    }

    /// Tallies `statuses`.
    public init(_ statuses: some Sequence<Status>) {
        counts = [:]
        for status in statuses { add(status) }
    }

    public mutating func add(_ status: Status) {
        counts[status, default: 0] += 1
    }

    public func count(_ status: Status) -> Int { counts[status] ?? 0 }

    /// Cells with passed, warning or info.
    public var adopted: Int { counts.reduce(0) { $0 + ($1.key.countsAsAdopted == true ? $1.value : 0) } }
    /// Cells the formula judges: adopted or failed.
    public var judged: Int { counts.reduce(0) { $0 + ($1.key.countsAsAdopted != nil ? $1.value : 0) } }
    /// Every cell, whatever its status.
    public var total: Int { counts.values.reduce(0, +) }
    /// Adoption in percent, nil when no cell is judged.
    public var adoption: Double? { judged == 0 ? nil : 100 * Double(adopted) / Double(judged) }

    /// A percentage rounded to 4 decimals, as the machine-readable files give it.
    public static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }

    enum CodingKeys: String, CodingKey { case counts, adopted, judged, adoption }

    public init(from decoder: any Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([String: Int].self, forKey: .counts)
        counts = [:]
        for (word, count) in words {
            guard let status = Status(rawValue: word) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(word)' is not a status word"))
            }
            counts[status] = count
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }), forKey: .counts)
        try container.encode(adopted, forKey: .adopted)
        try container.encode(judged, forKey: .judged)
        try container.encodeIfPresent(adoption.map(Self.rounded), forKey: .adoption)
    }
}
