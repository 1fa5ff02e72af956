/// The simple security-header subtests of Internet.nl's "security options" category
/// (`checks/tasks/http_headers.py`). Each takes the header's field values in order, as the
/// HTTPS response to `GET /` (redirects not followed) carried them; Internet.nl sees them
/// joined with `, ` and split on commas.
public enum SecurityHeaders {
    /// Comma-separated items of the joined field values, stripped (Internet.nl
    /// `get_multiple_values_from_header`). Empty when the header is absent or empty.
    public static func items(_ headerValues: [String]) -> [String] {
        let joined = headerValues.joined(separator: ", ")
        guard !joined.isEmpty else { return [] }
        return joined.split(separator: ",", omittingEmptySubsequences: false).map { HSTSCheck.trimPython(String($0)) }
    }

    /// `http_x_frame_options` (informational): the first item must be DENY or SAMEORIGIN.
    public static func xFrameOptions(_ headerValues: [String], ruleSet: RuleSet = .internetnlCurrent) -> SubtestResult {
        let values = items(headerValues)
        let name = "http_x_frame_options"
        guard let first = values.first else {
            return SubtestResult(name: name, status: .info, requirement: .informational, findings: [Finding("header-missing", subject: "X-Frame-Options")])
        }
        let found = values.map { Finding("header-value", subject: $0) }
        guard ["DENY", "SAMEORIGIN"].contains(first.uppercased()) else {
            return SubtestResult(name: name, status: .info, requirement: .informational, findings: found + [Finding("bad-value", subject: first)])
        }
        return SubtestResult(name: name, status: .passed, requirement: .informational, findings: found)
    }

    /// `http_x_content_type` (optional): the first item must be `nosniff`.
    public static func xContentTypeOptions(_ headerValues: [String], ruleSet: RuleSet = .internetnlCurrent) -> SubtestResult {
        let values = items(headerValues)
        let name = "http_x_content_type"
        guard let first = values.first else {
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: [Finding("header-missing", subject: "X-Content-Type-Options")])
        }
        let found = values.map { Finding("header-value", subject: $0) }
        guard first.lowercased() == "nosniff" else {
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: found + [Finding("bad-value", subject: first)])
        }
        return SubtestResult(name: name, status: .passed, requirement: .optional, findings: found)
    }

    /// Referrer-Policy tokens by Internet.nl's current grading.
    static let referrerGood: Set<String> = ["same-origin", "no-referrer"]
    static let referrerRecommendation: Set<String> = ["strict-origin", "strict-origin-when-cross-origin"]
    static let referrerBad: Set<String> = ["origin", "origin-when-cross-origin", "no-referrer-when-downgrade", "unsafe-url"]

    /// `http_referrer_policy` (optional).
    ///
    /// internetnl-current: the last comma-separated item decides (it is the effective fallback
    /// policy); `no-referrer`/`same-origin` pass, `strict-origin(-when-cross-origin)` or an
    /// absent/blank header are info (recommendation), anything else warning. Matching is
    /// case-sensitive, as in Internet.nl.
    /// internetnl-2021 (v1.3.0): every item must be one of the eight policy tokens (any case);
    /// absent → warning; an empty value passes.
    public static func referrerPolicy(_ headerValues: [String], ruleSet: RuleSet = .internetnlCurrent) -> SubtestResult {
        let name = "http_referrer_policy"
        let joined = headerValues.joined(separator: ", ")
        switch ruleSet {
        case .internetnlCurrent:
            guard !HSTSCheck.trimPython(joined).isEmpty else {
                return SubtestResult(name: name, status: .info, requirement: .optional, findings: [Finding("no-policy")])
            }
            let values = items(headerValues)
            let found = values.map { Finding("header-value", subject: $0) }
            let last = values[values.count - 1]
            if referrerGood.contains(last) {
                return SubtestResult(name: name, status: .passed, requirement: .optional, findings: found)
            }
            if referrerRecommendation.contains(last) {
                return SubtestResult(name: name, status: .info, requirement: .optional, findings: found + [Finding("recommendation-\(last)")])
            }
            let code = referrerBad.contains(last) ? "bad-\(last)" : "bad-invalid"
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: found + [Finding(code, subject: last)])
        case .internetnl2021:
            if headerValues.isEmpty {
                return SubtestResult(name: name, status: .warning, requirement: .optional, findings: [Finding("header-missing", subject: "Referrer-Policy")])
            }
            if joined.isEmpty {
                return SubtestResult(name: name, status: .passed, requirement: .optional, findings: [Finding("header-value", subject: "\"\"")])
            }
            let values = items(headerValues)
            let known = referrerGood.union(referrerRecommendation).union(referrerBad)
            let unknown = values.filter { !known.contains($0.lowercased()) }
            let found = values.map { Finding("header-value", subject: $0) }
            if unknown.isEmpty {
                return SubtestResult(name: name, status: .passed, requirement: .optional, findings: found)
            }
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: found + unknown.map { Finding("bad-invalid", subject: $0) })
        }
    }

    /// `http_compression` (informational): any `Content-Encoding` value → info.
    public static func httpCompression(_ contentEncoding: [String]) -> SubtestResult {
        let joined = contentEncoding.joined(separator: ", ")
        if joined.isEmpty {
            return SubtestResult(name: "http_compression", status: .passed, requirement: .informational)
        }
        return SubtestResult(name: "http_compression", status: .info, requirement: .informational, findings: [Finding("compression-enabled", subject: joined)])
    }
}
