/// One cell of a bulk column: its status, why it is what it is, and — for a twin's truth
/// overridden by the March 2021 report — the status the rules derived.
/// Encoded as `{"status": word, "because": text, "derived": word?, "explanation": text?}`.
public struct StatusCell: Codable, Sendable, Hashable {
    public var status: Status
    /// The evidence behind the status (a verdict's findings); empty when the source gives none.
    public var because: String
    /// When the status is a published one rather than the rule set's: the derived one.
    public var derived: Status?
    /// Comply or explain: on a failed cell, the organisation's explanation that counts for this
    /// measurement (``Explanation/counts(forMeasurementOn:reportTime:)``), as the report shows it.
    public var explanation: String?

    public init(_ status: Status, _ because: String = "", derived: Status? = nil, explanation: String? = nil) {
        self.status = status
        self.because = because
        self.derived = derived
        self.explanation = explanation
    }

    /// The worst of several cells (of one server each), their reasons for that status joined
    /// (each once); nil for none.
    public static func worst(_ cells: [StatusCell]) -> StatusCell? {
        guard let worst = Status.worst(of: cells.map(\.status)) else { return nil }
        var seen = Set<String>()
        let reasons = cells.filter { $0.status == worst }.map(\.because).filter { seen.insert($0).inserted }
        return StatusCell(worst, reasons.joined(separator: "; "))
    }
}
