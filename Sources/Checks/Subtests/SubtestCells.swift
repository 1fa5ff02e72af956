import PeilModel

/// Subtest outcomes gathered per server and folded into one cell per subtest: across servers
/// (addresses, MX hosts) a subtest takes the worst status, its evidence naming the servers
/// that have it (CHECKS.md "Status words").
public struct SubtestCells: Sendable, Hashable {
    private var gathered: [SubtestID: [StatusCell]] = [:]

    public init() {}

    /// Adds one server's cell for `id`.
    public mutating func add(_ id: SubtestID, _ cell: StatusCell) {
        gathered[id, default: []].append(cell)
    }

    /// Adds one server's check result under the subtest of `test` that Internet.nl's report
    /// calls `result.name`; results without such a subtest are left out.
    public mutating func add(_ result: SubtestResult, test: BulkTest, server: String) {
        guard let id = SubtestID(test: test, reportName: result.name) else { return }
        add(id, Self.cell(result, server: server))
    }

    /// The same cell for every one of `ids` (a prerequisite that decides them all).
    public mutating func set(_ ids: [SubtestID], _ cell: StatusCell) {
        for id in ids { gathered[id] = [cell] }
    }

    /// One cell per subtest: the worst across its servers.
    public var cells: [SubtestID: StatusCell] {
        gathered.compactMapValues { StatusCell.worst($0) }
    }

    /// A check result as a cell: its status, and as evidence the server with the findings.
    public static func cell(_ result: SubtestResult, server: String) -> StatusCell {
        let findings = result.findings.map(\.description).joined(separator: ", ")
        return StatusCell(result.status, server + (findings.isEmpty ? "" : ": " + findings))
    }
}

/// Judges the DANE subtests (`dane_exists`, `dane_valid`, and for mail `dane_rollover`) of one
/// host from its TLSA records, their DNSSEC status and the chain it presented (base64 DER,
/// leaf first; nil when no chain was read). `Checks` does not match certificates itself: the
/// caller passes the DANE target's judge in.
public typealias DANESubtestJudge = @Sendable (_ host: String, _ tlsa: [String], _ dnssec: DNSSECStatus, _ chainDER: [String]?) -> [SubtestResult]

/// The subtests Peil judges: every one of Internet.nl's (`docs/SUBTESTS.md`). RPKI is judged
/// against the routing snapshot an operator gave the measurement (`not_tested` without one).
public enum JudgedSubtests {
    public static let notJudged: Set<SubtestID> = []
    /// In Internet.nl's order.
    public static let all: [SubtestID] = SubtestID.allCases.filter { !notJudged.contains($0) }
}
