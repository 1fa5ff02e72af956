/// How much a subtest counts: its worst possible status.
public enum Requirement: String, Codable, Sendable, Hashable, CaseIterable {
    /// Worst status `failed`.
    case mandatory
    /// Worst status `warning`.
    case optional
    /// Worst status `info`.
    case informational

    /// The worst status a subtest with this requirement can take.
    public var worstStatus: Status {
        switch self {
        case .mandatory: .failed
        case .optional: .warning
        case .informational: .info
        }
    }
}

/// One subtest's outcome as the category verdict needs it.
public struct GradedSubtest: Codable, Sendable, Hashable {
    public var status: Status
    public var requirement: Requirement
    /// Whether a `not_tested` outcome counts as its worst status (Internet.nl's default), or is
    /// left out (Internet.nl's `override_mandatory = False`, e.g. HTTPS redirect without HTTPS).
    public var countsWhenNotTested: Bool

    public init(status: Status, requirement: Requirement, countsWhenNotTested: Bool = true) {
        self.status = status
        self.requirement = requirement
        self.countsWhenNotTested = countsWhenNotTested
    }
}

extension Status {
    /// The one category combiner (CHECKS.md "Status words", Internet.nl `checks/probes.py`
    /// `_verdict`): any error → error; any failed → failed; warnings and no mandatory subtest →
    /// warning; info and no mandatory or optional subtest → info; else passed. A `not_tested`
    /// subtest counts as its worst status unless it opts out.
    public static func category(_ subtests: [GradedSubtest]) -> Status {
        var seen = Set<Status>()
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

    /// A category of mandatory parts whose `not_tested` is left out (the IPv6 categories
    /// `ipv6_web` and `ipv6_mail` from their nameserver and server columns): any error → error,
    /// any failed → failed, else passed.
    public static func category(ofMandatory parts: [Status]) -> Status {
        category(parts.map { GradedSubtest(status: $0, requirement: .mandatory, countsWhenNotTested: false) })
    }
}
