/// The status of one subtest, in Internet.nl's words.
public enum SubtestStatus: String, CaseIterable, Codable, Sendable, Hashable {
    case passed
    case failed
    /// A recommendation is not met.
    case warning
    /// An optional item is not met.
    case info
    /// A prerequisite failed or the subtest does not apply.
    case notTested = "not_tested"
    /// Could not be determined.
    case error

    /// Severity rank, lowest is worst (Internet.nl's `ORDERED_STATUSES`).
    public var rank: Int {
        switch self {
        case .error: 0
        case .failed: 1
        case .warning: 2
        case .info: 3
        case .notTested: 4
        case .passed: 6
        }
    }

    /// The worse of two statuses.
    public static func worst(_ a: SubtestStatus, _ b: SubtestStatus) -> SubtestStatus {
        a.rank <= b.rank ? a : b
    }

    /// This status limited by a subtest's worst status: an optional subtest never goes below
    /// warning, an informational one never below info. `error` and `not_tested` are not limited.
    public func clamped(to worstStatus: SubtestStatus) -> SubtestStatus {
        switch self {
        case .error, .notTested, .passed: self
        default: rank >= worstStatus.rank ? self : worstStatus
        }
    }
}

/// How much a subtest counts: its worst possible status.
public enum Requirement: String, Codable, Sendable, Hashable, CaseIterable {
    /// Worst status `failed`.
    case mandatory
    /// Worst status `warning`.
    case optional
    /// Worst status `info`.
    case informational

    /// The worst status a subtest with this requirement can take.
    public var worstStatus: SubtestStatus {
        switch self {
        case .mandatory: .failed
        case .optional: .warning
        case .informational: .info
        }
    }
}

/// One subtest's outcome as the category verdict needs it.
public struct GradedSubtest: Codable, Sendable, Hashable {
    public var status: SubtestStatus
    public var requirement: Requirement
    /// Whether a `not_tested` outcome counts as its worst status (Internet.nl's default), or is
    /// left out (Internet.nl's `override_mandatory = False`, e.g. HTTPS redirect without HTTPS).
    public var countsWhenNotTested: Bool

    public init(status: SubtestStatus, requirement: Requirement, countsWhenNotTested: Bool = true) {
        self.status = status
        self.requirement = requirement
        self.countsWhenNotTested = countsWhenNotTested
    }
}

/// The category verdict (CHECKS.md "Status words", Internet.nl `checks/probes.py` `_verdict`):
/// any error → error; any failed → failed; warnings and no mandatory subtest → warning; info and
/// no mandatory or optional subtest → info; else passed. A `not_tested` subtest counts as its
/// worst status unless it opts out.
public func categoryVerdict(_ subtests: [GradedSubtest]) -> SubtestStatus {
    var seen = Set<SubtestStatus>()
    var hasMandatory = false
    var hasOptional = false
    for subtest in subtests {
        switch subtest.requirement {
        case .mandatory: hasMandatory = true
        case .optional: hasOptional = true
        case .informational: break
        }
        seen.insert(subtest.status)
        if subtest.status == .notTested, subtest.countsWhenNotTested {
            seen.insert(subtest.requirement.worstStatus)
        }
    }
    if seen.contains(.error) { return .error }
    if seen.contains(.failed) { return .failed }
    if seen.contains(.warning), !hasMandatory { return .warning }
    if seen.contains(.info), !hasMandatory, !hasOptional { return .info }
    return .passed
}
