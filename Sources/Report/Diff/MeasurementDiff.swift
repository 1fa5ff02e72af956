import PeilModel

/// One cell compared between two measurements: the domain, the column, what the sets say of
/// the domain, the change and each side's cell (status and evidence).
public struct CellDiff: Codable, Sendable, Hashable {
    public var domain: String
    /// The column key, `web.tls_ncsc`, `mail.dmarc_policy`.
    public var column: String
    /// The domain's layer in the compared sets (raw value), nil without one.
    public var layer: String?
    public var organisation: String?
    public var change: CellChange
    public var before: StatusCell?
    public var after: StatusCell?

    public init(domain: String, column: String, layer: String? = nil, organisation: String? = nil, change: CellChange,
                before: StatusCell?, after: StatusCell?) {
        self.domain = domain
        self.column = column
        self.layer = layer
        self.organisation = organisation
        self.change = change
        self.before = before
        self.after = after
    }
}

/// Two measurements compared domain by domain (matched by name) and column by column. Pure.
public struct MeasurementDiff: Codable, Sendable, Hashable {
    public var before: MeasurementSummary
    public var after: MeasurementSummary
    /// The sets whose members were compared.
    public var sets: [String]
    /// Cells per kind of change, unchanged ones included.
    public var counts: [CellChange: Int]
    /// The compared cells, changed ones only unless asked for all; by domain, then the report's
    /// column order.
    public var cells: [CellDiff]

    /// Compares every member of `sets` that either measurement has, over the columns the sets
    /// test for it (``SetMember/tests(_:)``). `includeUnchanged` keeps unchanged cells in ``cells``.
    public static func compare(_ before: MeasurementInput, _ after: MeasurementInput, sets: [ReportSet],
                               includeUnchanged: Bool = false) -> MeasurementDiff {
        var accumulator = Accumulator(sets: sets, includeUnchanged: includeUnchanged, scratch: MemoryScratch())
        accumulator.addBefore(before.domains)
        accumulator.addAfter(after.domains)
        return accumulator.finish(before: before, after: after)
    }

    /// One domain's cells compared, in the report's column order, if a compared set has the
    /// domain: each cell a set tests for it that either side has goes to `body`.
    static func compare(_ name: String, _ before: MeasuredDomain?, _ after: MeasuredDomain?, sets: [ReportSet],
                        _ body: (CellDiff) -> Void) {
        let members = sets.compactMap { $0.members[name] }
        guard !members.isEmpty else { return }
        let layer = members.lazy.compactMap(\.layer).first?.rawValue
        let organisation = members.lazy.compactMap(\.organisation).first
        var present = Set<String>()
        if let before { present.formUnion(before.cells.keys) }
        if let after { present.formUnion(after.cells.keys) }
        for column in ReportColumns.ordered(present) where members.contains(where: { $0.tests(column) }) {
            let old = before?.cells[column], new = after?.cells[column]
            guard let change = CellChange.classify(before: old?.status, after: new?.status) else { continue }
            body(CellDiff(domain: name, column: column, layer: layer, organisation: organisation, change: change, before: old, after: new))
        }
    }

    /// The cells of one kind of change.
    public func cells(_ change: CellChange) -> [CellDiff] { cells.filter { $0.change == change } }

    enum CodingKeys: String, CodingKey { case before, after, sets, counts, cells }

    public init(before: MeasurementSummary, after: MeasurementSummary, sets: [String], counts: [CellChange: Int], cells: [CellDiff]) {
        self.before = before
        self.after = after
        self.sets = sets
        self.counts = counts
        self.cells = cells
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        before = try container.decode(MeasurementSummary.self, forKey: .before)
        after = try container.decode(MeasurementSummary.self, forKey: .after)
        sets = try container.decode([String].self, forKey: .sets)
        var counts: [CellChange: Int] = [:]
        for (word, count) in try container.decode([String: Int].self, forKey: .counts) {
            guard let change = CellChange(rawValue: word) else {
                throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "'\(word)' is not a kind of change")
            }
            counts[change] = count
        }
        self.counts = counts
        cells = try container.decode([CellDiff].self, forKey: .cells)
    }

    /// Counts as `{"improved": n, …}` (every kind, zeros included).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
        try container.encode(sets, forKey: .sets)
        try container.encode(Dictionary(uniqueKeysWithValues: CellChange.allCases.map { ($0.rawValue, counts[$0] ?? 0) }), forKey: .counts)
        try container.encode(cells, forKey: .cells)
    }
}
