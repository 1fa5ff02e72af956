/// One of the ten status words of the government report and Internet.nl (`data/README.md`),
/// encoded as the word itself. The cases are declared in the order the report's tables list them.
public enum Status: String, CaseIterable, Codable, Sendable, Hashable {
    /// The standard is applied.
    case passed
    /// Not (correctly) applied, but it is a recommendation, not an obligation.
    case warning
    /// Not (correctly) applied, but it is an optional configuration.
    case info
    /// Not applied, or not applied correctly.
    case failed
    /// Not run because a prerequisite is not (correctly) applied, or the test does not apply.
    case notTested = "not_tested"
    /// Not relevant for this technical configuration.
    case notApplicable = "not_applicable"
    /// No mail server configured, so the standard does not apply.
    case noMX = "no_mx"
    /// The server could not be reached (no result).
    case unreachable
    /// The test could not be run (no result).
    case notTestable = "not_testable"
    /// Could not be determined (no result).
    case error

    /// The one severity order, worst first: unknowns (error, unreachable, not_testable) before
    /// failed, then warning, info, the words that say a test did not apply, and passed. Within
    /// error, failed, warning, info, not_tested and passed it is Internet.nl's `ORDERED_STATUSES`.
    public static let worstFirst: [Status] = [.error, .unreachable, .notTestable, .failed, .warning, .info,
                                              .notTested, .notApplicable, .noMX, .passed]

    /// The position in ``worstFirst``: 0 is the worst.
    public var severity: Int { Self.worstFirst.firstIndex(of: self) ?? 0 }

    /// The worse of two statuses.
    public static func worst(_ a: Status, _ b: Status) -> Status {
        a.severity <= b.severity ? a : b
    }

    /// The worst of some statuses (the first of equals), nil for none.
    public static func worst(of statuses: some Sequence<Status>) -> Status? {
        statuses.min { $0.severity < $1.severity }
    }

    /// How the status counts in the adoption formula (``Tally``): true for passed, warning and
    /// info, false for failed, nil for every other word (left out of both numerator and denominator).
    public var countsAsAdopted: Bool? {
        switch self {
        case .passed, .warning, .info: true
        case .failed: false
        default: nil
        }
    }

    /// This status limited by a subtest's worst status: an optional subtest never goes below
    /// warning, an informational one never below info. Words that are no judgement
    /// (error, not_tested, …) and passed are not limited.
    public func clamped(to worstStatus: Status) -> Status {
        switch self {
        case .failed, .warning, .info: severity >= worstStatus.severity ? self : worstStatus
        default: self
        }
    }
}
