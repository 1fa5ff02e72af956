import PeilModel

/// A built report: every number the HTML, CSV, JSON and Markdown renderings show. Encoded as
/// it is, it is `report.json`.
public struct Report: Codable, Sendable {
    public var title: String
    public var measurement: MeasurementSummary
    public var baseline: MeasurementSummary?
    public var sets: [SetSummary]
    public var columns: [ReportColumn]
    /// Per set and column.
    public var adoption: [AdoptionRow]
    /// Per set, layer and column.
    public var layers: [LayerRow]
    /// The slice asked for (`--by`): `layer` or a tag name; nil for none.
    public var sliceBy: String?
    /// Per set, value of ``sliceBy`` and column (empty without `--by`).
    public var slices: [SliceRow]
    public var attribution: Attribution
    public var suppliers: SupplierView
    /// One row per domain, by name: in memory, or read from disk as iterated (``DomainRows``).
    public var domains: DomainRows
    /// Per domain against the baseline: regressions first, by layer and by supplier; nil without a baseline.
    public var changes: BaselineChanges?

    /// The adoption row of a set and column.
    public func row(set: String, column: String) -> AdoptionRow? {
        adoption.first { $0.set == set && $0.column == column }
    }

    /// The layer rows of a set and layer, by column key.
    public func layerRows(set: String, layer: Layer) -> [String: LayerRow] {
        Dictionary(layers.filter { $0.set == set && $0.layer == layer }.map { ($0.column, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Which measurement a report is about.
public struct MeasurementSummary: Codable, Sendable, Hashable {
    public var id: Int64?
    public var name: String
    public var date: String
    public var ruleSet: String
    public var imported: Bool
    /// Domains with at least one cell.
    public var domains: Int
}

/// A compared set: its size, how many of its members the measurement has, and per layer.
public struct SetSummary: Codable, Sendable, Hashable {
    public var name: String
    public var members: Int
    public var measured: Int
    public var baselineMeasured: Int?
    /// Members per layer (layer raw value, or `none`).
    public var layers: [String: Int]
}

/// Adoption of one column in one set, against the baseline, with the change split into
/// changed configurations and changed criteria when the observations allow it.
public struct AdoptionRow: Codable, Sendable, Hashable {
    public var set: String
    public var column: String
    public var current: Tally
    public var baseline: Tally?
    /// The measurement's observations under the baseline's rule set.
    public var currentUnderBaselineRules: Tally?
    /// Current − baseline, in percentage points.
    public var deltaPoints: Double?
    /// (current observations, baseline rules) − baseline: what changed configurations did.
    public var configurationPoints: Double?
    /// current − (current observations, baseline rules): what changed criteria did.
    public var criteriaPoints: Double?
    /// Cells of this set whose status differs between the two rule sets (same observations).
    public var cellsChangedByRules: Int?
}

/// Adoption of one column for the members of one layer in one set.
public struct LayerRow: Codable, Sendable, Hashable {
    public var set: String
    /// The layer's raw value (`gemeenten`), or `none` for members without a layer.
    public var layerName: String
    public var column: String
    public var current: Tally
    public var baseline: Tally?
    public var deltaPoints: Double?

    /// The layer, nil for `none`.
    public var layer: Layer? { Layer(rawValue: layerName) }
}

/// Adoption of one column for the members of a set that share a value of the slice (`--by`):
/// a layer, or a tag's value (`none` for members without the tag).
public struct SliceRow: Codable, Sendable, Hashable {
    public var set: String
    /// `layer` or the tag name.
    public var by: String
    public var value: String
    /// Members of the set with this value.
    public var members: Int
    public var column: String
    public var current: Tally
    public var baseline: Tally?
    public var deltaPoints: Double?
}

/// Whether the change against the baseline could be split into configuration and criteria.
public struct Attribution: Codable, Sendable, Hashable {
    public var available: Bool
    public var measurementRuleSet: String
    public var baselineRuleSet: String?
    /// What was done, or why it could not be.
    public var note: String
}

/// One row of the per-domain tables.
public struct DomainRow: Codable, Sendable, Hashable {
    public var domain: String
    public var sets: [String]
    public var layer: String?
    public var organisation: String?
    public var cells: [String: StatusCell]
    public var providers: Providers
    /// Tests (`mail`, `web`) whose published results carry a formal reaction of the
    /// organisation (the appendix's asterisk); sorted, empty for none.
    public var formalReaction: [String]
    /// Every subtest judged, by Internet.nl's batch name (Peil measurements only; empty otherwise).
    public var subtests: [SubtestID: StatusCell]
    /// Peil's own subtests (not Internet.nl's; `peil_subtests` in `report.json`).
    public var peilSubtests: [PeilSubtestID: StatusCell]

    public init(domain: String, sets: [String], layer: String?, organisation: String?, cells: [String: StatusCell], providers: Providers,
                formalReaction: [String] = [], subtests: [SubtestID: StatusCell] = [:], peilSubtests: [PeilSubtestID: StatusCell] = [:]) {
        self.domain = domain
        self.sets = sets
        self.layer = layer
        self.organisation = organisation
        self.cells = cells
        self.providers = providers
        self.formalReaction = formalReaction
        self.subtests = subtests
        self.peilSubtests = peilSubtests
    }

    /// A cell as `report.json` gives it: `{"status": word, "evidence": text, "explanation": text?}`.
    struct EncodedCell: Codable {
        var status: Status
        var evidence: String
        var explanation: String?
    }

    enum CodingKeys: String, CodingKey { case domain, sets, layer, organisation, cells, providers, formalReaction = "formal_reaction", subtests, peilSubtests = "peil_subtests" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decode(String.self, forKey: .domain)
        sets = try container.decode([String].self, forKey: .sets)
        layer = try container.decodeIfPresent(String.self, forKey: .layer)
        organisation = try container.decodeIfPresent(String.self, forKey: .organisation)
        cells = try container.decode([String: EncodedCell].self, forKey: .cells)
            .mapValues { StatusCell($0.status, $0.evidence, explanation: $0.explanation) }
        providers = try container.decode(Providers.self, forKey: .providers)
        formalReaction = try container.decodeIfPresent([String].self, forKey: .formalReaction) ?? []
        var subtests: [SubtestID: StatusCell] = [:]
        for (name, cell) in try container.decodeIfPresent([String: EncodedCell].self, forKey: .subtests) ?? [:] {
            guard let id = SubtestID(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .subtests, in: container, debugDescription: "'\(name)' is not a subtest")
            }
            subtests[id] = StatusCell(cell.status, cell.evidence)
        }
        self.subtests = subtests
        var peilSubtests: [PeilSubtestID: StatusCell] = [:]
        for (name, cell) in try container.decodeIfPresent([String: EncodedCell].self, forKey: .peilSubtests) ?? [:] {
            guard let id = PeilSubtestID(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .peilSubtests, in: container, debugDescription: "'\(name)' is not a Peil subtest")
            }
            peilSubtests[id] = StatusCell(cell.status, cell.evidence)
        }
        self.peilSubtests = peilSubtests
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(sets, forKey: .sets)
        try container.encodeIfPresent(layer, forKey: .layer)
        try container.encodeIfPresent(organisation, forKey: .organisation)
        try container.encode(cells.mapValues { EncodedCell(status: $0.status, evidence: $0.because, explanation: $0.explanation) }, forKey: .cells)
        try container.encode(providers, forKey: .providers)
        if !formalReaction.isEmpty { try container.encode(formalReaction, forKey: .formalReaction) }
        if !subtests.isEmpty {
            let encoded = Dictionary(uniqueKeysWithValues: subtests.map { ($0.key.rawValue, EncodedCell(status: $0.value.status, evidence: $0.value.because)) })
            try container.encode(encoded, forKey: .subtests)
        }
        if !peilSubtests.isEmpty {
            let encoded = Dictionary(uniqueKeysWithValues: peilSubtests.map { ($0.key.rawValue, EncodedCell(status: $0.value.status, evidence: $0.value.because)) })
            try container.encode(encoded, forKey: .peilSubtests)
        }
    }
}
