import PeilModel

/// Where a report being built (``ReportAccumulator``) keeps what it reads again once every
/// batch is in: its domain rows, written out when the files are, and its baseline's cells, read
/// back as the measurement's domains come to be compared with them. ``MemoryScratch`` holds
/// them; ``DiskScratch`` writes them to a file and holds an index.
public protocol ReportScratch {
    associatedtype Failure: Error
    /// Adds a row (its providers are attached when the rows are read: ``rows(providers:)``).
    mutating func append(_ row: DomainRow) throws(Failure)
    /// The rows added, by domain name, each with its providers from `providers`.
    mutating func rows(providers: [String: Providers]) throws(Failure) -> DomainRows
    /// Keeps a baseline domain's cells (the first domain of a name is kept).
    mutating func keepBaseline(_ domain: MeasuredDomain) throws(Failure)
    /// The cells of the baseline domain of that name, nil when the baseline has none.
    mutating func baselineDomain(_ name: String) throws(Failure) -> MeasuredDomain?
    /// The names of the baseline's domains, in no particular order.
    var baselineNames: [String] { get }
}

/// Rows and baseline kept in memory: what the dashboard and the tests build.
public struct MemoryScratch: ReportScratch {
    private var rows: [DomainRow] = []
    private var baseline: [String: MeasuredDomain] = [:]

    public init() {}

    public mutating func append(_ row: DomainRow) { rows.append(row) }

    public mutating func rows(providers: [String: Providers]) -> DomainRows {
        DomainRows(rows.sorted { $0.domain < $1.domain }.map { row in
            var row = row
            row.providers = providers[row.domain] ?? Providers()
            return row
        })
    }

    public mutating func keepBaseline(_ domain: MeasuredDomain) {
        if baseline[domain.domain] == nil { baseline[domain.domain] = domain }
    }

    public mutating func baselineDomain(_ name: String) -> MeasuredDomain? { baseline[name] }

    public var baselineNames: [String] { Array(baseline.keys) }
}
