import PeilModel

/// How one cell (a domain's column) changed from one measurement to the next, judged by the
/// adoption formula (``Status/countsAsAdopted``): only the words the formula judges (passed,
/// warning, info, failed) are compared; see docs/REPORTS.md, "What changed, per domain".
public enum CellChange: String, Codable, Sendable, Hashable, CaseIterable {
    /// A better judged word: failed → info, warning or passed; info → passed; warning → info or passed.
    case improved
    /// A worse judged word: the reverse of ``improved``.
    case regressed
    /// The same word on both sides.
    case unchanged
    /// A different word where either side is not judged: an unknown (error, unreachable,
    /// not_testable) or a test that did not apply (not_tested, not_applicable, no_mx). Neither
    /// better nor worse: a fix can only be seen once both sides are judged.
    case notComparable = "not_comparable"
    /// The cell is only in the later measurement.
    case new
    /// The cell is only in the earlier measurement.
    case gone

    /// The change from `before` to `after`; nil is a cell the measurement does not have.
    /// Between judged words the severity order decides (passed, info, warning, failed, best first).
    public static func classify(before: Status?, after: Status?) -> CellChange? {
        switch (before, after) {
        case (nil, nil): return nil
        case (nil, _?): return .new
        case (_?, nil): return .gone
        case let (before?, after?):
            if before == after { return .unchanged }
            guard before.countsAsAdopted != nil, after.countsAsAdopted != nil else { return .notComparable }
            return after.severity > before.severity ? .improved : .regressed
        }
    }

    /// Report order: what needs attention first.
    public static let reportOrder: [CellChange] = [.regressed, .improved, .notComparable, .new, .gone, .unchanged]

    /// The position in ``reportOrder``.
    public var rank: Int { Self.reportOrder.firstIndex(of: self) ?? Self.reportOrder.count }
}
