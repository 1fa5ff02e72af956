/// The count of each status over some cells, and the one adoption formula:
/// (passed + warning + info) / (passed + warning + info + failed); every other word is left
/// out of numerator and denominator (`data/README.md`, ``Status/countsAsAdopted``).
///
/// Comply or explain: failed cells an organisation has explained (``StatusCell/explanation``)
/// are counted as failed *and* in ``explainedFailures``; ``adoptionWithoutExplained`` is the
/// same formula with them left out of the denominator, as the other words are.
/// Encoded as `{"counts": {word: n}, "adopted": n, "judged": n, "adoption": percent?,
/// "explained_failed": n, "adoption_without_explained": percent?}`.
public struct Tally: Codable, Sendable, Hashable {
    /// Cells per status; statuses with no cells are left out.
    public var counts: [Status: Int]
    /// Failed cells with an explanation that counts (included in `counts[.failed]`).
    public var explainedFailures: Int

    public init(counts: [Status: Int] = [:], explainedFailures: Int = 0) {
        self.counts = counts
        self.explainedFailures = explainedFailures
    }

    /// Tallies `statuses`.
    public init(_ statuses: some Sequence<Status>) {
        counts = [:]
        explainedFailures = 0
        for status in statuses { add(status) }
    }

    /// Counts one cell; `explained` counts only for a failed one.
    public mutating func add(_ status: Status, explained: Bool = false) {
        counts[status, default: 0] += 1
        if explained && status == .failed { explainedFailures += 1 }
    }

    /// Counts a cell, as explained when it carries an explanation.
    public mutating func add(_ cell: StatusCell) {
        add(cell.status, explained: cell.explanation != nil)
    }

    public func count(_ status: Status) -> Int { counts[status] ?? 0 }

    /// Cells with passed, warning or info.
    public var adopted: Int { counts.reduce(0) { $0 + ($1.key.countsAsAdopted == true ? $1.value : 0) } }
    /// Cells the formula judges: adopted or failed.
    public var judged: Int { counts.reduce(0) { $0 + ($1.key.countsAsAdopted != nil ? $1.value : 0) } }
    /// Every cell, whatever its status.
    public var total: Int { counts.values.reduce(0, +) }
    /// Adoption in percent, nil when no cell is judged.
    public var adoption: Double? { Self.adoption(adopted: adopted, judged: judged) }
    /// Adoption in percent with the explained failures left out (numerator and denominator),
    /// nil when no cell is left to judge. Equal to ``adoption`` without explained failures.
    public var adoptionWithoutExplained: Double? { Self.adoption(adopted: adopted, judged: judged - explainedFailures) }

    /// The formula: `adopted / judged` in percent, nil when nothing is judged.
    static func adoption(adopted: Int, judged: Int) -> Double? {
        judged <= 0 ? nil : 100 * Double(adopted) / Double(judged)
    }

    /// A percentage rounded to 4 decimals, as the machine-readable files give it.
    public static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }

    enum CodingKeys: String, CodingKey {
        case counts, adopted, judged, adoption
        case explainedFailures = "explained_failed", adoptionWithoutExplained = "adoption_without_explained"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let words = try container.decode([String: Int].self, forKey: .counts)
        counts = [:]
        for (word, count) in words {
            guard let status = Status(rawValue: word) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(word)' is not a status word"))
            }
            counts[status] = count
        }
        explainedFailures = try container.decodeIfPresent(Int.self, forKey: .explainedFailures) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }), forKey: .counts)
        try container.encode(adopted, forKey: .adopted)
        try container.encode(judged, forKey: .judged)
        try container.encodeIfPresent(adoption.map(Self.rounded), forKey: .adoption)
        try container.encode(explainedFailures, forKey: .explainedFailures)
        try container.encodeIfPresent(adoptionWithoutExplained.map(Self.rounded), forKey: .adoptionWithoutExplained)
    }
}
