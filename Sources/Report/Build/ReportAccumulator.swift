import PeilModel

/// Builds a ``Report`` from a measurement's domains batch by batch: what it keeps of a domain
/// is its tallies, its providers' names, the columns of its failed cells and, against a
/// baseline, its regressed cells; the domain's row (cells and subtests with their evidence)
/// goes to `Rows` as it passes (``DomainRowSpool`` writes it to disk). The baseline is held
/// whole. Fed the whole measurement as one batch it is ``ReportBuilder/build(_:title:)``.
public struct ReportAccumulator<Rows: DomainRowSink> {
    /// The input without the measurement's domains (they come in batches).
    private let input: ReportInput
    private let tag: String?
    private var rows: Rows
    private var keys: Set<String> = []
    private var current: TallyCounter
    private var currentByTag: TallyCounter?
    private var under: TallyCounter?
    private let baseline: Tallies?
    private let baselineByTag: Tallies?
    private var changed: [TallyKey: Int] = [:]
    private var changes: BaselineChanges.Accumulator?
    private var measuredDomains = 0
    private var providerFacts: [ProviderFacts] = []
    /// Per row, in the order added: its domain and the columns of its failed cells.
    private var failedCells: [(domain: String, failed: [String])] = []

    /// A report over `input`'s sets against its baseline (explained here once), with its
    /// measurement's metadata; the domains of `input.measurement` and
    /// `input.measurementUnderBaselineRules` are not read: give them to ``add(_:underBaselineRules:)``.
    public init(_ input: ReportInput, rows: Rows) {
        var input = input
        input.measurement.domains = []
        input.measurementUnderBaselineRules?.domains = []
        input.baseline = input.baseline.map { Explained.apply(input.explanations, to: $0, reportTime: input.reportTime) }
        self.input = input
        self.rows = rows
        let tag = input.sliceBy == "layer" ? nil : input.sliceBy
        self.tag = tag
        current = TallyCounter(sets: input.sets, tag: nil, sourceSet: input.measurement.sourceSet)
        currentByTag = tag.map { TallyCounter(sets: input.sets, tag: $0, sourceSet: input.measurement.sourceSet) }
        under = input.measurementUnderBaselineRules.map { TallyCounter(sets: input.sets, tag: nil, sourceSet: $0.sourceSet) }
        baseline = input.baseline.map { Tallies($0, sets: input.sets) }
        baselineByTag = input.baseline.flatMap { measurement in tag.map { Tallies(measurement, sets: input.sets, tag: $0) } }
        if let baseline = input.baseline, let note = BaselineChanges.note(input) {
            changes = BaselineChanges.Accumulator(note: note, baseline: baseline, sets: input.sets)
            for domain in baseline.domains { keys.formUnion(domain.cells.keys) }
        }
    }

    /// A batch of the measurement's domains and, when the report has it, the same domains judged
    /// under the baseline's rules (paired by name within the batch).
    public mutating func add(_ batch: [MeasuredDomain], underBaselineRules: [MeasuredDomain]?) throws(Rows.Failure) {
        let batch = explained(batch, input.measurement)
        for domain in batch {
            keys.formUnion(domain.cells.keys)
            current.add(domain)
            currentByTag?.add(domain)
            if !domain.cells.isEmpty { measuredDomains += 1 }
            if let facts = domain.facts {
                providerFacts.append(ProviderFacts(domain: domain.domain, facts: facts, organisationalDomain: input.organisationalDomain))
            }
            try addRow(domain)
        }
        var later = batch
        if let underBaselineRules, let measurement = input.measurementUnderBaselineRules {
            later = explained(underBaselineRules, measurement)
            let theirs = Dictionary(later.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
            for domain in later {
                keys.formUnion(domain.cells.keys)
                under?.add(domain)
            }
            for domain in batch {
                guard let other = theirs[domain.domain] else { continue }
                for (column, cell) in domain.cells where other.cells[column]?.status != cell.status {
                    for set in input.sets where set.members[domain.domain]?.tests(column) == true {
                        changed[TallyKey(set: set.name, layer: nil, column: column), default: 0] += 1
                    }
                }
            }
        }
        for domain in later { changes?.add(domain) }
    }

    /// `domains` with the explanations that count for `measurement` marked.
    private func explained(_ domains: [MeasuredDomain], _ measurement: MeasurementInput) -> [MeasuredDomain] {
        var measurement = measurement
        measurement.domains = domains
        return Explained.apply(input.explanations, to: measurement, reportTime: input.reportTime).domains
    }

    /// The domain's row when a compared set has it and it has a cell: the cells and subtests of
    /// the tests its sets ask for.
    private mutating func addRow(_ domain: MeasuredDomain) throws(Rows.Failure) {
        let memberships = input.sets.compactMap { set in set.members[domain.domain].map { (set.name, $0) } }
        guard !memberships.isEmpty, !domain.cells.isEmpty else { return }
        let tested = domain.cells.filter { cell in memberships.contains { $0.1.tests(cell.key) } }
        failedCells.append((domain.domain, tested.filter { $0.value.status == .failed }.map(\.key)))
        try rows.append(DomainRow(
            domain: domain.domain, sets: memberships.map(\.0), layer: memberships.lazy.compactMap(\.1.layer).first?.rawValue,
            organisation: memberships.lazy.compactMap(\.1.organisation).first, cells: tested, providers: Providers(),
            formalReaction: domain.formalReactions.sorted(),
            subtests: domain.subtests.filter { subtest in memberships.contains { subtest.key.test == .web ? $0.1.testsWeb : $0.1.testsMail } },
            peilSubtests: domain.peilSubtests.filter { subtest in memberships.contains { subtest.key.test == .web ? $0.1.testsWeb : $0.1.testsMail } }))
    }

    /// The report over every batch added.
    public mutating func finish(title: String? = nil) throws(Rows.Failure) -> Report {
        let columns = ReportColumns.ordered(keys).map(ReportColumn.init(key:))
        let current = current.tallies()
        let (adoption, layers) = ReportBuilder.adoptionAndLayers(sets: input.sets, columns: columns, current: current, baseline: baseline,
                                                                 under: under?.tallies(), changed: changed)
        let everyProvider = Suppliers.providers(of: providerFacts)
        var providers: [String: Providers] = [:]
        for (domain, _) in failedCells { providers[domain] = everyProvider[domain] }
        let suppliers = Suppliers.view(domains: failedCells.map { (providers[$0.domain] ?? Providers(), $0.failed) },
                                       imported: input.measurement.imported)
        let changes = changes.map { accumulator in
            var accumulator = accumulator
            return accumulator.finish(providers: providers)
        }
        let measurement = input.measurement
        return Report(
            title: title ?? "Internet.nl standards: \(measurement.name) (\(measurement.date))",
            measurement: ReportBuilder.summary(measurement, domains: measuredDomains), baseline: input.baseline.map(ReportBuilder.summary),
            sets: input.sets.map { set in
                SetSummary(name: set.name, members: set.members.count, measured: current.measured[set.name] ?? 0,
                           baselineMeasured: baseline.map { $0.measured[set.name] ?? 0 },
                           layers: set.members.values.reduce(into: [:]) { $0[$1.layer?.rawValue ?? "none", default: 0] += 1 })
            },
            columns: columns, adoption: adoption, layers: layers, sliceBy: input.sliceBy,
            slices: ReportBuilder.slices(input, byTag: currentByTag.map { ($0.tallies(), baselineByTag) }, layers: layers, columns: columns),
            attribution: ReportBuilder.attribution(input), suppliers: suppliers, domains: try rows.rows(providers: providers),
            changes: changes)
    }
}
