import PeilModel

extension MeasurementDiff {
    /// ``MeasurementDiff/compare(_:_:sets:includeUnchanged:)`` a batch at a time: the earlier
    /// measurement's domains first (``addBefore(_:)``, their cells kept in the scratch), then the
    /// later one's (``addAfter(_:)``), each compared as it comes with the earlier domain of its
    /// name. What it holds is the compared cells it keeps (changed ones, or all when asked) and
    /// an index entry per earlier domain.
    public struct Accumulator<Scratch: ReportScratch> {
        let sets: [ReportSet]
        let includeUnchanged: Bool
        private var scratch: Scratch
        private var keys: Set<String> = []
        private var seen: Set<String> = []
        private var counts: [CellChange: Int] = [:]
        private var cells: [CellDiff] = []
        private var beforeDomains = 0
        private var afterDomains = 0

        public init(sets: [ReportSet], includeUnchanged: Bool = false, scratch: Scratch) {
            self.sets = sets
            self.includeUnchanged = includeUnchanged
            self.scratch = scratch
        }

        /// A batch of the earlier measurement: all of it before the later one's first.
        public mutating func addBefore(_ batch: [MeasuredDomain]) throws(Scratch.Failure) {
            for domain in batch {
                keys.formUnion(domain.cells.keys)
                if !domain.cells.isEmpty { beforeDomains += 1 }
                try scratch.keepBaseline(domain)
            }
        }

        /// A batch of the later measurement (the first domain of a name counts).
        public mutating func addAfter(_ batch: [MeasuredDomain]) throws(Scratch.Failure) {
            for domain in batch {
                keys.formUnion(domain.cells.keys)
                if !domain.cells.isEmpty { afterDomains += 1 }
                guard seen.insert(domain.domain).inserted else { continue }
                compare(domain.domain, try scratch.baselineDomain(domain.domain), domain)
            }
        }

        private mutating func compare(_ name: String, _ before: MeasuredDomain?, _ after: MeasuredDomain?) {
            MeasurementDiff.compare(name, before, after, sets: sets) { cell in
                counts[cell.change, default: 0] += 1
                if cell.change != .unchanged || includeUnchanged { cells.append(cell) }
            }
        }

        /// The diff between `before` and `after` (their metadata; their domains were added), the
        /// earlier domains the later measurement lacks compared too; cells by domain, then the
        /// report's column order.
        public mutating func finish(before: MeasurementInput, after: MeasurementInput) throws(Scratch.Failure) -> MeasurementDiff {
            for name in scratch.baselineNames where !seen.contains(name) {
                if let domain = try scratch.baselineDomain(name) { compare(name, domain, nil) }
            }
            let order = ReportColumns.ordered(keys)
            let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
            let sorted = cells.sorted { ($0.domain, rank[$0.column] ?? order.count) < ($1.domain, rank[$1.column] ?? order.count) }
            return MeasurementDiff(before: ReportBuilder.summary(before, domains: beforeDomains),
                                   after: ReportBuilder.summary(after, domains: afterDomains),
                                   sets: sets.map(\.name), counts: counts, cells: sorted)
        }
    }
}
