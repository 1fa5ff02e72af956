import PeilModel

/// The report's per-domain view of the change against the baseline: every cell compared
/// (``MeasurementDiff``), the regressions listed and grouped by layer and by the supplier
/// behind them.
public struct BaselineChanges: Codable, Sendable, Hashable {
    /// Regressed and improved cells of one layer (raw value, or `none`).
    public struct LayerChanges: Codable, Sendable, Hashable {
        public var layerName: String
        public var regressed: Int
        public var improved: Int
    }

    /// Regressed cells behind one provider, in the columns its kind owns (``SupplierKind/owns(_:)``).
    public struct SupplierChanges: Codable, Sendable, Hashable {
        public var kind: SupplierKind
        public var provider: String
        /// Regressed cells per column.
        public var regressed: [String: Int]
        /// Domains with a regressed cell here.
        public var domains: Int

        public var total: Int { regressed.values.reduce(0, +) }
    }

    /// Which judgements were compared.
    public var note: String
    /// Cells per kind of change (``CellChange`` raw values).
    public var counts: [String: Int]
    /// Regressed cells, by layer (report order), domain and column.
    public var regressions: [CellDiff]
    /// Per layer with a regressed or improved cell, in report order, `none` last.
    public var layers: [LayerChanges]
    /// Per provider with a regressed cell: by kind, most regressions first; empty without DNS facts.
    public var suppliers: [SupplierChanges]

    /// Which judgements the changes compare: the measurement against the baseline or, when it
    /// was also judged under the baseline's rules, that judgement (changed configurations only).
    static func note(_ input: ReportInput) -> String? {
        guard let baseline = input.baseline else { return nil }
        let current = input.measurementUnderBaselineRules ?? input.measurement
        return input.measurementUnderBaselineRules != nil && current.ruleSet != input.measurement.ruleSet
            ? "the measurement judged under \(baseline.ruleSet), the baseline's rules, against the baseline: changed configurations only"
            : "\(current.ruleSet) against \(baseline.ruleSet)"
    }

    /// The changes against the baseline, gathered as the later side's domains pass, each with
    /// the baseline's domain of its name (``MeasurementDiff/compare(_:_:_:sets:_:)`` per
    /// domain): what it keeps is the counts, the regressed cells and the per-layer counts.
    struct Accumulator {
        let note: String
        let sets: [ReportSet]
        private var seen: Set<String> = []
        private var counts: [CellChange: Int] = [:]
        private var regressions: [CellDiff] = []
        private var layers: [String: LayerChanges] = [:]

        init(note: String, sets: [ReportSet]) {
            self.note = note
            self.sets = sets
        }

        /// A domain of the later side with the baseline's of its name (the first of a name counts).
        mutating func add(_ domain: MeasuredDomain, before: MeasuredDomain?) {
            guard seen.insert(domain.domain).inserted else { return }
            compare(domain.domain, before, domain)
        }

        /// Whether the later side had a domain of this name.
        func saw(_ name: String) -> Bool { seen.contains(name) }

        /// A baseline domain the later side lacks.
        mutating func addGone(_ domain: MeasuredDomain) {
            compare(domain.domain, domain, nil)
        }

        private mutating func compare(_ name: String, _ before: MeasuredDomain?, _ after: MeasuredDomain?) {
            MeasurementDiff.compare(name, before, after, sets: sets) { cell in
                counts[cell.change, default: 0] += 1
                guard cell.change == .regressed || cell.change == .improved else { return }
                if cell.change == .regressed { regressions.append(cell) }
                let layerName = cell.layer ?? "none"
                var entry = layers[layerName] ?? LayerChanges(layerName: layerName, regressed: 0, improved: 0)
                if cell.change == .regressed { entry.regressed += 1 } else { entry.improved += 1 }
                layers[layerName] = entry
            }
        }

        /// The changes, regressions in the report's order (by layer, domain and column, the
        /// columns ranked in `columnOrder`) and grouped by the provider `providers` names for
        /// their domain.
        func finish(providers: [String: Providers], columnOrder: [String]) -> BaselineChanges {
            let layerOrder = Layer.allCases.map(\.rawValue) + ["none"]
            func rank(_ layer: String?) -> Int { layerOrder.firstIndex(of: layer ?? "none") ?? layerOrder.count }
            func columnRank(_ key: String) -> Int { columnOrder.firstIndex(of: key) ?? columnOrder.count }
            let regressions = regressions.sorted {
                (rank($0.layer), $0.domain, columnRank($0.column)) < (rank($1.layer), $1.domain, columnRank($1.column))
            }
            var suppliers: [String: SupplierChanges] = [:]
            var domainsOf: [String: Set<String>] = [:]
            for cell in regressions {
                for kind in SupplierKind.allCases where kind.owns(cell.column) {
                    guard let provider = providers[cell.domain]?[kind] else { continue }
                    let key = kind.rawValue + "\u{0}" + provider
                    var entry = suppliers[key] ?? SupplierChanges(kind: kind, provider: provider, regressed: [:], domains: 0)
                    entry.regressed[cell.column, default: 0] += 1
                    domainsOf[key, default: []].insert(cell.domain)
                    entry.domains = domainsOf[key]?.count ?? 0
                    suppliers[key] = entry
                }
            }
            return BaselineChanges(
                note: note,
                counts: Dictionary(uniqueKeysWithValues: CellChange.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
                regressions: regressions,
                layers: layers.values.sorted { rank($0.layerName) < rank($1.layerName) },
                suppliers: suppliers.values.sorted { ($0.kind.rank, -$0.total, $0.provider) < ($1.kind.rank, -$1.total, $1.provider) })
        }
    }
}
