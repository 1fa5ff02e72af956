import PeilModel

/// One domain as a measurement saw it: its cells by column key (`web.hsts`, `mail.dane`), and
/// the DNS facts behind them when the measurement kept observations (for the supplier view).
public struct MeasuredDomain: Sendable, Hashable {
    public var domain: String
    public var cells: [String: StatusCell]
    /// Layers the measurement's source published per test (`web`, `mail`); imports only.
    public var publishedLayers: [String: Layer]
    /// Tests (`web`, `mail`) for which the published results say the organisation filed a
    /// formal reaction (the appendix's `formal_reaction`); imports only.
    public var formalReactions: Set<String>
    public var facts: DNSFacts?
    /// Every subtest judged, by Internet.nl's batch name (Peil measurements only).
    public var subtests: [SubtestID: StatusCell]
    /// Peil's own subtests (not Internet.nl's), by name (Peil measurements only).
    public var peilSubtests: [PeilSubtestID: StatusCell]

    public init(domain: String, cells: [String: StatusCell], publishedLayers: [String: Layer] = [:],
                formalReactions: Set<String> = [], facts: DNSFacts? = nil, subtests: [SubtestID: StatusCell] = [:],
                peilSubtests: [PeilSubtestID: StatusCell] = [:]) {
        self.domain = domain
        self.cells = cells
        self.publishedLayers = publishedLayers
        self.formalReactions = formalReactions
        self.facts = facts
        self.subtests = subtests
        self.peilSubtests = peilSubtests
    }

    /// A domain from its web and mail columns by their bulk names, keyed here by ``BulkColumnID/key``.
    public init(domain: String, web: [String: StatusCell], mail: [String: StatusCell], facts: DNSFacts? = nil,
                subtests: [SubtestID: StatusCell] = [:], peilSubtests: [PeilSubtestID: StatusCell] = [:]) {
        var cells: [String: StatusCell] = [:]
        for (name, cell) in web { cells[BulkColumnID(.web, name).key] = cell }
        for (name, cell) in mail { cells[BulkColumnID(.mail, name).key] = cell }
        self.init(domain: domain, cells: cells, facts: facts, subtests: subtests, peilSubtests: peilSubtests)
    }
}

/// A measurement to report on: a Peil measurement judged under a rule set, or imported results.
public struct MeasurementInput: Sendable, Hashable {
    public var id: Int64?
    public var name: String
    /// The day it was measured, `yyyy-mm-dd`.
    public var date: String
    /// The rule set its statuses follow.
    public var ruleSet: String
    /// Imported results: statuses only, no observations to re-evaluate.
    public var imported: Bool
    /// For imported results: the set they were published for (its per-test layers apply).
    public var sourceSet: String?
    public var domains: [MeasuredDomain]

    public init(id: Int64?, name: String, date: String, ruleSet: String, imported: Bool, sourceSet: String? = nil, domains: [MeasuredDomain]) {
        self.id = id
        self.name = name
        self.date = date
        self.ruleSet = ruleSet
        self.imported = imported
        self.sourceSet = sourceSet
        self.domains = domains
    }
}

/// What a set says about one member.
public struct SetMember: Codable, Sendable, Hashable {
    public var layer: Layer?
    public var organisation: String?
    public var testsWeb: Bool
    public var testsMail: Bool
    /// The list's extra columns by tag name (``SetTags``).
    public var tags: [String: String]

    public init(layer: Layer?, organisation: String? = nil, testsWeb: Bool = true, testsMail: Bool = true, tags: [String: String] = [:]) {
        self.layer = layer
        self.organisation = organisation
        self.testsWeb = testsWeb
        self.testsMail = testsMail
        self.tags = tags
    }

    /// Whether the set asks for the test a column belongs to (`web.…` or `mail.…`).
    public func tests(_ column: String) -> Bool {
        switch BulkColumnID(key: column)?.test {
        case .mail: testsMail
        case .web: testsWeb
        case nil: true
        }
    }
}

/// A set to compare, with its members by domain.
public struct ReportSet: Sendable, Hashable {
    public var name: String
    public var members: [String: SetMember]

    public init(name: String, members: [String: SetMember]) {
        self.name = name
        self.members = members
    }

    /// A set from the entries `SeedList` parses (what `peil import` stores).
    public init(name: String, entries: [SetEntry]) {
        self.name = name
        members = Dictionary(entries.map {
            ($0.domain.value, SetMember(layer: $0.layer, organisation: $0.organisation, testsWeb: $0.testsWeb, testsMail: $0.testsMail, tags: $0.tags))
        }, uniquingKeysWith: { first, _ in first })
    }
}

/// Everything a report is built from.
public struct ReportInput: Sendable {
    public var measurement: MeasurementInput
    public var baseline: MeasurementInput?
    /// The measurement's observations judged under the baseline's rule set, for telling changed
    /// criteria from changed configurations; nil when not possible (see ``attributionNote``).
    public var measurementUnderBaselineRules: MeasurementInput?
    /// Why there is no attribution, when there is a baseline but no re-evaluation.
    public var attributionNote: String?
    public var sets: [ReportSet]
    /// For naming providers by their registered domain; without it, the last two labels.
    public var organisationalDomain: @Sendable (String) -> String?
    /// Comply or explain: the recorded explanations; each marks the failed cells it counts for
    /// (``Explanation/counts(forMeasurementOn:reportTime:)``) in every measurement reported on.
    public var explanations: [Explanation]
    /// When the report is made, UTC `yyyy-mm-ddThh:mm:ssZ`: explanations recorded later do not
    /// count (default: the end of time, so every given explanation may count).
    public var reportTime: String
    /// The slice besides the set: `layer` (the built-in one) or a tag name; nil for none.
    public var sliceBy: String?

    public init(measurement: MeasurementInput, baseline: MeasurementInput? = nil, measurementUnderBaselineRules: MeasurementInput? = nil,
                attributionNote: String? = nil, sets: [ReportSet], organisationalDomain: @escaping @Sendable (String) -> String? = { _ in nil },
                explanations: [Explanation] = [], reportTime: String = "9999-12-31T23:59:59Z", sliceBy: String? = nil) {
        self.measurement = measurement
        self.baseline = baseline
        self.measurementUnderBaselineRules = measurementUnderBaselineRules
        self.attributionNote = attributionNote
        self.sets = sets
        self.organisationalDomain = organisationalDomain
        self.explanations = explanations
        self.reportTime = reportTime
        self.sliceBy = sliceBy
    }
}
