import PeilModel
/// One fact behind a verdict, as a value: a stable code (Internet.nl's message id where one
/// exists, e.g. `has-unsafe-inline`), the thing it is about (a header value, a cipher name, a
/// TLS version) and optional detail.
public struct Finding: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable code.
    public var code: String
    /// What the finding is about ("TLS 1.0", "ECDHE-RSA-AES128-SHA", a header value), if anything.
    public var subject: String?
    /// Extra context (a line number, the expected value, a level).
    public var detail: String?

    public init(_ code: String, subject: String? = nil, detail: String? = nil) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    public var description: String {
        [code, subject, detail].compactMap { $0 }.joined(separator: ": ")
    }
}

/// The outcome of one subtest: its status (already limited by its worst status) and the
/// findings that explain it.
public struct SubtestResult: Codable, Sendable, Hashable {
    /// Internet.nl's subtest name (`https_hsts`, `tls_version`, …).
    public var name: String
    public var status: Status
    public var requirement: Requirement
    public var findings: [Finding]

    public init(name: String, status: Status, requirement: Requirement, findings: [Finding] = []) {
        self.name = name
        self.status = status.clamped(to: requirement.worstStatus)
        self.requirement = requirement
        self.findings = findings
    }

    /// This result as the category verdict reads it.
    public var graded: GradedSubtest {
        GradedSubtest(status: status, requirement: requirement)
    }
}
