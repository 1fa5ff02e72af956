import Lab
import PeilModel

/// Measured verdicts against a twin's ground truth, cell by cell: agreement per column, and
/// every disagreement with both causes. A truth cell that keeps a March 2021 quirk as reported
/// agrees with either its status or the status the rules derive (`derived`).
public struct TruthComparison: Sendable {
    /// One cell where the measurement and the truth differ.
    public struct Disagreement: Sendable, Hashable {
        public var domain: String
        public var column: BulkColumnID
        public var truth: StatusCell
        public var measured: StatusCell
    }

    /// Compared cells per column.
    public private(set) var cells: [BulkColumnID: Int] = [:]
    /// Agreeing cells per column.
    public private(set) var agreed: [BulkColumnID: Int] = [:]
    /// In the order of the measured domains, then of ``BulkColumns/all``.
    public private(set) var disagreements: [Disagreement] = []
    /// Measured domains the truth knows.
    public private(set) var domains = 0

    /// Compares every column both sides have; domains the truth does not know are skipped.
    public init(measured: [DomainVerdicts], truth: [TwinDomainTruth]) {
        let truthByDomain = Dictionary(truth.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
        for verdicts in measured {
            guard let expected = truthByDomain[verdicts.domain] else { continue }
            domains += 1
            for column in BulkColumns.all {
                let wanted = column.test == .web ? expected.web[column.name] : expected.mail[column.name]
                guard let want = wanted, let cell = verdicts[column] else { continue }
                cells[column, default: 0] += 1
                if cell.status == want.status || cell.status == want.derived {
                    agreed[column, default: 0] += 1
                } else {
                    disagreements.append(Disagreement(domain: verdicts.domain, column: column, truth: want, measured: cell))
                }
            }
        }
    }

    /// All compared cells.
    public var totalCells: Int { cells.values.reduce(0, +) }
    /// All agreeing cells.
    public var totalAgreed: Int { agreed.values.reduce(0, +) }
    /// Agreement in percent, nil without cells.
    public var agreement: Double? { totalCells == 0 ? nil : 100 * Double(totalAgreed) / Double(totalCells) }

    /// Disagreements where the truth says the server gave no result (error, unreachable) and
    /// the measurement says failed: a timeout read as a failed standard.
    public var timeoutsReadAsFailures: [Disagreement] {
        disagreements.filter { [.error, .unreachable].contains($0.truth.status) && $0.measured.status == .failed }
    }

    /// Disagreements grouped by column and (truth → measured), largest group first.
    public var groups: [(column: BulkColumnID, truth: Status, measured: Status, cases: [Disagreement])] {
        var order: [String] = []
        var byKey: [String: [Disagreement]] = [:]
        for disagreement in disagreements {
            let key = "\(disagreement.column.key) \(disagreement.truth.status.rawValue) \(disagreement.measured.status.rawValue)"
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(disagreement)
        }
        return order.map { byKey[$0]! }.enumerated()
            .sorted { ($1.element.count, $0.offset) < ($0.element.count, $1.offset) }
            .map { (column: $0.element[0].column, truth: $0.element[0].truth.status, measured: $0.element[0].measured.status, cases: $0.element) }
    }
}
