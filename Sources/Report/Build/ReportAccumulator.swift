import PeilModel

/// Builds a ``Report`` from a measurement's domains batch by batch: what it keeps of a domain
/// is its tallies, its providers' names, the columns of its failed cells and, against a
/// baseline, its regressed cells; the domain's row (cells and subtests with their evidence)
/// goes to the `Scratch` as it passes (``DiskScratch`` writes it to disk). The baseline's
/// domains come first, in batches too (``addBaseline(_:)``): their tallies are counted and their
/// cells kept in the scratch until the measurement's domain of each name is compared with them.
/// Fed each whole measurement as one batch it is ``ReportBuilder/build(_:title:)``.
public struct ReportAccumulator<Scratch: ReportScratch> {
    /// The input without the measurements' domains (they come in batches).
    private let input: ReportInput
    private var scratch: Scratch
    private var keys: Set<String> = []
    private var current: TallyCounter
    private var currentByTag: TallyCounter?
    private var under: TallyCounter?
    private var baseline: TallyCounter?
    private var baselineByTag: TallyCounter?
    private var changed: [TallyKey: Int] = [:]
    private var changes: BaselineChanges.Accumulator?
    private var measuredDomains = 0
    private var baselineDomains = 0
    private var providerFacts: [ProviderFacts] = []
    /// One copy of each provider name and address the provider facts hold.
    private var names = Interner()
    /// Per row, in the order added: its domain and the columns of its failed cells (a number
    /// in ``failedPatterns``: the sets of failed columns repeat across domains).
    private var failedCells: [(domain: String, pattern: Int32)] = []
    private var failedPatterns: [[String]] = []
    private var patternNumbers: [[String]: Int32] = [:]

    /// A report over `input`'s sets with the metadata of its measurements; their domains are
    /// not read here: give the baseline's to ``addBaseline(_:)``, then the measurement's (and
    /// those under the baseline's rules) to ``add(_:underBaselineRules:)``.
    public init(_ input: ReportInput, scratch: Scratch) {
        var input = input
        input.measurement.domains = []
        input.measurementUnderBaselineRules?.domains = []
        input.baseline?.domains = []
        self.input = input
        self.scratch = scratch
        let tag = input.sliceBy == "layer" ? nil : input.sliceBy
        let sets = input.sets
        current = TallyCounter(sets: sets, tag: nil, sourceSet: input.measurement.sourceSet)
        currentByTag = tag.map { TallyCounter(sets: sets, tag: $0, sourceSet: input.measurement.sourceSet) }
        under = input.measurementUnderBaselineRules.map { TallyCounter(sets: sets, tag: nil, sourceSet: $0.sourceSet) }
        baseline = input.baseline.map { TallyCounter(sets: sets, tag: nil, sourceSet: $0.sourceSet) }
        baselineByTag = input.baseline.flatMap { baseline in tag.map { TallyCounter(sets: sets, tag: $0, sourceSet: baseline.sourceSet) } }
        changes = BaselineChanges.note(input).map { BaselineChanges.Accumulator(note: $0, sets: sets) }
    }

    /// A batch of the baseline's domains: all of them before the measurement's first.
    public mutating func addBaseline(_ batch: [MeasuredDomain]) throws(Scratch.Failure) {
        guard let measurement = input.baseline else { return }
        for domain in explained(batch, measurement) {
            keys.formUnion(domain.cells.keys)
            baseline?.add(domain)
            baselineByTag?.add(domain)
            if !domain.cells.isEmpty { baselineDomains += 1 }
            try scratch.keepBaseline(domain)
        }
    }

    /// A batch of the measurement's domains and, when the report has it, the same domains judged
    /// under the baseline's rules (paired by name within the batch).
    public mutating func add(_ batch: [MeasuredDomain], underBaselineRules: [MeasuredDomain]?) throws(Scratch.Failure) {
        let batch = explained(batch, input.measurement)
        for domain in batch {
            keys.formUnion(domain.cells.keys)
            current.add(domain)
            currentByTag?.add(domain)
            if !domain.cells.isEmpty { measuredDomains += 1 }
            if let facts = domain.facts {
                var named = ProviderFacts(domain: domain.domain, facts: facts, organisationalDomain: input.organisationalDomain)
                named.mail = named.mail.map { names($0) }
                named.dns = named.dns.map { names($0) }
                named.webAddresses = named.webAddresses.map { names($0) }
                providerFacts.append(named)
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
        if changes != nil {
            for domain in later { changes?.add(domain, before: try scratch.baselineDomain(domain.domain)) }
        }
    }

    /// `domains` with the explanations that count for `measurement` marked.
    private func explained(_ domains: [MeasuredDomain], _ measurement: MeasurementInput) -> [MeasuredDomain] {
        var measurement = measurement
        measurement.domains = domains
        return Explained.apply(input.explanations, to: measurement, reportTime: input.reportTime).domains
    }

    /// The domain's row when a compared set has it and it has a cell: the cells and subtests of
    /// the tests its sets ask for.
    private mutating func addRow(_ domain: MeasuredDomain) throws(Scratch.Failure) {
        let memberships = input.sets.compactMap { set in set.members[domain.domain].map { (set.name, $0) } }
        guard !memberships.isEmpty, !domain.cells.isEmpty else { return }
        let tested = domain.cells.filter { cell in memberships.contains { $0.1.tests(cell.key) } }
        let failed = tested.filter { $0.value.status == .failed }.map(\.key).sorted()
        let pattern = patternNumbers[failed] ?? {
            failedPatterns.append(failed)
            patternNumbers[failed] = Int32(failedPatterns.count - 1)
            return Int32(failedPatterns.count - 1)
        }()
        failedCells.append((domain.domain, pattern))
        try scratch.append(DomainRow(
            domain: domain.domain, sets: memberships.map(\.0), layer: memberships.lazy.compactMap(\.1.layer).first?.rawValue,
            organisation: memberships.lazy.compactMap(\.1.organisation).first, cells: tested, providers: Providers(),
            formalReaction: domain.formalReactions.sorted(),
            subtests: domain.subtests.filter { subtest in memberships.contains { subtest.key.test == .web ? $0.1.testsWeb : $0.1.testsMail } },
            peilSubtests: domain.peilSubtests.filter { subtest in memberships.contains { subtest.key.test == .web ? $0.1.testsWeb : $0.1.testsMail } }))
    }

    /// The report over every batch added.
    public mutating func finish(title: String? = nil) throws(Scratch.Failure) -> Report {
        let columns = ReportColumns.ordered(keys).map(ReportColumn.init(key:))
        let current = current.tallies(), baseline = baseline?.tallies()
        let (adoption, layers) = ReportBuilder.adoptionAndLayers(sets: input.sets, columns: columns, current: current, baseline: baseline,
                                                                 under: under?.tallies(), changed: changed)
        // The providers of the rows' domains; the facts they were named from are dropped first.
        var providers: [String: Providers] = [:]
        do {
            let every = Suppliers.providers(of: providerFacts)
            providerFacts = []
            for (domain, _) in failedCells { providers[domain] = every[domain] }
        }
        let patterns = failedPatterns
        let suppliers = Suppliers.view(domains: failedCells.lazy.map { (providers[$0.domain] ?? Providers(), patterns[Int($0.pattern)]) },
                                       imported: input.measurement.imported)
        if changes != nil {
            for name in scratch.baselineNames where changes?.saw(name) == false {
                if let domain = try scratch.baselineDomain(name) { changes?.addGone(domain) }
            }
        }
        let measurement = input.measurement
        return Report(
            title: title ?? "Internet.nl standards: \(measurement.name) (\(measurement.date))",
            measurement: ReportBuilder.summary(measurement, domains: measuredDomains),
            baseline: input.baseline.map { ReportBuilder.summary($0, domains: baselineDomains) },
            sets: input.sets.map { set in
                SetSummary(name: set.name, members: set.members.count, measured: current.measured[set.name] ?? 0,
                           baselineMeasured: baseline.map { $0.measured[set.name] ?? 0 },
                           layers: set.members.values.reduce(into: [:]) { $0[$1.layer?.rawValue ?? "none", default: 0] += 1 })
            },
            columns: columns, adoption: adoption, layers: layers, sliceBy: input.sliceBy,
            slices: ReportBuilder.slices(input, byTag: currentByTag.map { ($0.tallies(), baselineByTag?.tallies()) }, layers: layers,
                                         columns: columns),
            attribution: ReportBuilder.attribution(input), suppliers: suppliers, domains: try scratch.rows(providers: providers),
            changes: changes?.finish(providers: providers, columnOrder: columns.map(\.key)))
    }
}

/// Keeps one copy of each string: the copies it returns share their storage.
struct Interner {
    private var strings: Set<String> = []

    mutating func callAsFunction(_ text: String) -> String {
        if let kept = strings.firstIndex(of: text) { return strings[kept] }
        strings.insert(text)
        return text
    }
}
