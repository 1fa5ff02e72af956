/// The HSTS subtest (`https_hsts`), as Internet.nl decides it.
///
/// Internet.nl reads the response to `GET /` over HTTPS without following redirects, joins the
/// `Strict-Transport-Security` field values with `, ` (as Python `requests` does), takes the
/// first comma-separated item, lowercases it and reads the integer after the first `max-age=`
/// up to the next `;` (`checks/tasks/http_headers.py`, `HeaderCheckerStrictTransportSecurity`).
/// Peil reproduces that reading for the status, and also parses the first field value by
/// RFC 6797 so the user sees when browsers would ignore the header (finding `rfc6797-invalid`).
public enum HSTSCheck {
    /// Subtest name in Internet.nl's reports.
    public static let name = "https_hsts"

    /// The minimum max-age in seconds under a rule set: one year in both. Internet.nl v1.3.0
    /// (17 March 2021) raised it from 15552000 (6 months, v1.2.x) to 31536000 (#421).
    public static func minimumMaxAge(_ ruleSet: RuleSet) -> Int {
        switch ruleSet {
        case .internetnlCurrent, .internetnl2021: 31_536_000
        }
    }

    /// Points (Internet.nl `WEB_TLS_HSTS_*`): 10 good, 2 max-age too short, 0 missing/unparsable.
    public enum Score: Int, Codable, Sendable { case good = 10, partial = 2, bad = 0 }

    /// Evaluates the `Strict-Transport-Security` field values of one HTTPS response, in order.
    public static func evaluate(headerValues: [String], ruleSet: RuleSet = .internetnlCurrent) -> (result: SubtestResult, score: Score) {
        var findings: [Finding] = []
        let joined = headerValues.joined(separator: ", ")
        guard !joined.isEmpty else {
            return (SubtestResult(name: name, status: .failed, requirement: .mandatory,
                                  findings: [Finding("hsts-missing")]), .bad)
        }
        let items = joined.split(separator: ",", omittingEmptySubsequences: false).map { trimPython(String($0)) }
        findings += items.map { Finding("hsts-policy", subject: $0) }
        if let first = headerValues.first {
            do {
                _ = try HSTSPolicy(parsing: first)
            } catch {
                findings.append(Finding("rfc6797-invalid", subject: first, detail: "\(error)"))
            }
        }
        let minimum = minimumMaxAge(ruleSet)
        guard let maxAge = internetNLMaxAge(items[0]) else {
            findings.append(Finding("hsts-unparsable", subject: items[0]))
            return (SubtestResult(name: name, status: .failed, requirement: .mandatory, findings: findings), .bad)
        }
        if maxAge < minimum {
            findings.append(Finding("hsts-max-age-too-short", subject: String(maxAge), detail: "minimum \(minimum)"))
            return (SubtestResult(name: name, status: .failed, requirement: .mandatory, findings: findings), .partial)
        }
        return (SubtestResult(name: name, status: .passed, requirement: .mandatory, findings: findings), .good)
    }

    /// Internet.nl's max-age reading of one item: text after the first `max-age=` in the
    /// lowercased item, up to `;`, read as Python `int()` reads a string. Nil when it fails.
    public static func internetNLMaxAge(_ item: String) -> Int? {
        let lower = Array(item.lowercased().unicodeScalars)
        let needle = Array("max-age=".unicodeScalars)
        guard lower.count >= needle.count,
              let start = (0...(lower.count - needle.count)).first(where: { Array(lower[$0..<($0 + needle.count)]) == needle })
        else { return nil }
        var field = String.UnicodeScalarView()
        for scalar in lower[(start + needle.count)...] {
            if scalar == ";" { break }
            field.append(scalar)
        }
        return pythonInt(String(field))
    }

    /// Python `int(str)`: surrounding whitespace, an optional sign, ASCII digits with single
    /// underscores between digits. Values beyond 64 bits saturate.
    static func pythonInt(_ text: String) -> Int? {
        var chars = Array(trimPython(text).unicodeScalars)
        guard !chars.isEmpty else { return nil }
        var negative = false
        if chars[0] == "+" || chars[0] == "-" {
            negative = chars[0] == "-"
            chars.removeFirst()
        }
        guard let firstChar = chars.first, let lastChar = chars.last, firstChar != "_", lastChar != "_" else { return nil }
        var value = 0
        var previousUnderscore = false
        for c in chars {
            if c == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            guard let digit = c.properties.numericType == .decimal ? Int(c.properties.numericValue ?? -1) : nil,
                  digit >= 0 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(digit)
            value = (o1 || o2) ? Int.max : plus
        }
        return negative ? -value : value
    }

    /// Python `str.strip()` for the whitespace HTTP values can hold.
    static func trimPython(_ s: String) -> String {
        let ws: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        let scalars = Array(s.unicodeScalars)
        guard let start = scalars.firstIndex(where: { !ws.contains($0) }),
              let end = scalars.lastIndex(where: { !ws.contains($0) }) else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start...end])
        return String(out)
    }
}
