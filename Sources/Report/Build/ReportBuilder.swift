import PeilModel

/// Builds a ``Report`` from a ``ReportInput``. Pure.
public enum ReportBuilder {
    /// The report: adoption per set and column, per layer, against the baseline with the
    /// change attributed when possible, the supplier view and the per-domain rows.
    /// Explanations mark the failed cells they count for in every measurement first
    /// (``Explained``); `input.sliceBy` adds the slice rows. The whole measurement at once, its
    /// rows in memory: ``ReportAccumulator`` builds the same report batch by batch.
    public static func build(_ input: ReportInput, title: String? = nil) -> Report {
        var accumulator = ReportAccumulator(input, scratch: MemoryScratch())
        accumulator.addBaseline(input.baseline?.domains ?? [])
        accumulator.add(input.measurement.domains, underBaselineRules: input.measurementUnderBaselineRules?.domains)
        return accumulator.finish(title: title)
    }

    /// The adoption and layer rows from the tallies of the measurement, the baseline and the
    /// measurement under the baseline's rules, with the cells the rules changed.
    static func adoptionAndLayers(sets: [ReportSet], columns: [ReportColumn], current: Tallies, baseline: Tallies?, under: Tallies?,
                                  changed: [TallyKey: Int]) -> (adoption: [AdoptionRow], layers: [LayerRow]) {
        var adoption: [AdoptionRow] = []
        var layers: [LayerRow] = []
        for set in sets {
            for column in columns {
                let key = TallyKey(set: set.name, layer: nil, column: column.key)
                let now = current.tallies[key] ?? Tally(), before = baseline.map { $0.tallies[key] ?? Tally() }
                let rules = under.map { $0.tallies[key] ?? Tally() }
                adoption.append(AdoptionRow(
                    set: set.name, column: column.key, current: now, baseline: before, currentUnderBaselineRules: rules,
                    deltaPoints: Points.delta(now.adoption, before?.adoption),
                    configurationPoints: rules == nil ? nil : Points.delta(rules?.adoption, before?.adoption),
                    criteriaPoints: rules == nil || before == nil ? nil : Points.delta(now.adoption, rules?.adoption),
                    cellsChangedByRules: rules == nil ? nil : changed[key] ?? 0))
            }
            for layer in layerNames(of: set, current, baseline) {
                for column in columns {
                    let key = TallyKey(set: set.name, layer: layer, column: column.key)
                    let now = current.tallies[key] ?? Tally(), before = baseline.map { $0.tallies[key] ?? Tally() }
                    layers.append(LayerRow(set: set.name, layerName: layer, column: column.key, current: now, baseline: before,
                                           deltaPoints: Points.delta(now.adoption, before?.adoption)))
                }
            }
        }
        return (adoption, layers)
    }

    /// The rows of `--by`: the layer rows again for `layer`, else per tag value (sorted, `none` last).
    /// `byTag` holds the tallies by the tag's values of the measurement and the baseline.
    static func slices(_ input: ReportInput, byTag: (current: Tallies, baseline: Tallies?)?, layers: [LayerRow],
                       columns: [ReportColumn]) -> [SliceRow] {
        guard let by = input.sliceBy else { return [] }
        guard let byTag, let tag = input.sliceBy, tag != "layer" else {
            return input.sets.flatMap { set in
                let members = set.members.values.reduce(into: [String: Int]()) { $0[$1.layer?.rawValue ?? "none", default: 0] += 1 }
                return layers.filter { $0.set == set.name }.map {
                    SliceRow(set: set.name, by: by, value: $0.layerName, members: members[$0.layerName] ?? 0, column: $0.column,
                             current: $0.current, baseline: $0.baseline, deltaPoints: $0.deltaPoints)
                }
            }
        }
        let (current, baseline) = byTag
        var rows: [SliceRow] = []
        for set in input.sets {
            let members = set.members.values.reduce(into: [String: Int]()) { $0[$1.tags[tag] ?? SetTags.none, default: 0] += 1 }
            var values = Set(members.keys).union(current.layers[set.name] ?? [])
            values.formUnion(baseline?.layers[set.name] ?? [])
            for value in values.sorted(by: { ($0 == SetTags.none ? 1 : 0, $0) < ($1 == SetTags.none ? 1 : 0, $1) }) {
                for column in columns {
                    let key = TallyKey(set: set.name, layer: value, column: column.key)
                    let now = current.tallies[key] ?? Tally(), before = baseline.map { $0.tallies[key] ?? Tally() }
                    rows.append(SliceRow(set: set.name, by: by, value: value, members: members[value] ?? 0, column: column.key,
                                         current: now, baseline: before, deltaPoints: Points.delta(now.adoption, before?.adoption)))
                }
            }
        }
        return rows
    }

    /// The summary of a measurement with `domains` domains that have a cell.
    static func summary(_ measurement: MeasurementInput, domains: Int) -> MeasurementSummary {
        MeasurementSummary(id: measurement.id, name: measurement.name, date: measurement.date, ruleSet: measurement.ruleSet,
                           imported: measurement.imported, domains: domains)
    }

    /// Layers in report order that have members in the set, `none` last.
    static func layerNames(of set: ReportSet, _ tallies: Tallies?...) -> [String] {
        var present = Set(set.members.values.map { $0.layer?.rawValue ?? "none" })
        for tally in tallies.compactMap({ $0 }) { present.formUnion(tally.layers[set.name] ?? []) }
        return Layer.allCases.map(\.rawValue).filter(present.contains) + (present.contains("none") ? ["none"] : [])
    }

    static func attribution(_ input: ReportInput) -> Attribution {
        let measurement = input.measurement
        guard let baseline = input.baseline else {
            return Attribution(available: false, measurementRuleSet: measurement.ruleSet, baselineRuleSet: nil, note: "no baseline")
        }
        if input.measurementUnderBaselineRules != nil {
            let note = baseline.ruleSet == measurement.ruleSet
                ? "both measurements are judged under \(measurement.ruleSet): every change is a changed configuration"
                : "the measurement's observations were judged again under \(baseline.ruleSet), the baseline's rules: "
                    + "configuration = (new observations, \(baseline.ruleSet)) − baseline; criteria = (new observations, "
                    + "\(measurement.ruleSet)) − (new observations, \(baseline.ruleSet))"
            return Attribution(available: true, measurementRuleSet: measurement.ruleSet, baselineRuleSet: baseline.ruleSet, note: note)
        }
        let note = input.attributionNote ?? (measurement.imported
            ? "the measurement is imported: it has statuses but no observations to judge again under \(baseline.ruleSet)"
            : "the measurement was not judged again under the baseline's rules")
        return Attribution(available: false, measurementRuleSet: measurement.ruleSet, baselineRuleSet: baseline.ruleSet, note: note)
    }

    /// Cells whose status differs between the two judgements of the same observations, per set and column.
    static func changedCells(_ measurement: MeasurementInput, _ other: MeasurementInput, sets: [ReportSet]) -> [TallyKey: Int] {
        let others = Dictionary(other.domains.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
        var changed: [TallyKey: Int] = [:]
        for domain in measurement.domains {
            guard let theirs = others[domain.domain] else { continue }
            for (column, cell) in domain.cells where theirs.cells[column]?.status != cell.status {
                for set in sets where set.members[domain.domain]?.tests(column) == true {
                    changed[TallyKey(set: set.name, layer: nil, column: column), default: 0] += 1
                }
            }
        }
        return changed
    }

    /// One row per domain of the compared sets that the measurement has cells for, by name.
    static func domainRows(_ input: ReportInput, columns: [ReportColumn]) -> [DomainRow] {
        let providers = Suppliers.providers(of: input.measurement.domains, organisationalDomain: input.organisationalDomain)
        var rows: [DomainRow] = []
        for domain in input.measurement.domains.sorted(by: { $0.domain < $1.domain }) {
            let memberships = input.sets.compactMap { set in set.members[domain.domain].map { (set.name, $0) } }
            guard !memberships.isEmpty, !domain.cells.isEmpty else { continue }
            let tested = domain.cells.filter { cell in memberships.contains { $0.1.tests(cell.key) } }
            rows.append(DomainRow(domain: domain.domain, sets: memberships.map(\.0),
                                  layer: memberships.lazy.compactMap(\.1.layer).first?.rawValue,
                                  organisation: memberships.lazy.compactMap(\.1.organisation).first,
                                  cells: tested, providers: providers[domain.domain] ?? Providers(),
                                  formalReaction: domain.formalReactions.sorted(),
                                  subtests: domain.subtests.filter { subtest in memberships.contains { subtest.key.test == .web ? $0.1.testsWeb : $0.1.testsMail } },
                                  peilSubtests: domain.peilSubtests.filter { subtest in memberships.contains { subtest.key.test == .web ? $0.1.testsWeb : $0.1.testsMail } }))
        }
        return rows
    }
}

