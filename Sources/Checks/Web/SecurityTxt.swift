import PeilModel
/// What the probe saw when fetching security.txt over HTTPS: `/.well-known/security.txt`,
/// then `/security.txt` if the first did not answer 200.
public struct SecurityTxtRetrieval: Codable, Sendable, Hashable {
    /// HTTP status of the response used; nil when no response.
    public var status: Int?
    /// The `Content-Type` value, if any.
    public var contentType: String?
    /// Whether the 200 came from the legacy `/security.txt` location.
    public var foundAtLegacyPath: Bool
    /// The body (first 100 kB), if any.
    public var body: String?

    public init(status: Int?, contentType: String?, foundAtLegacyPath: Bool = false, body: String?) {
        self.status = status
        self.contentType = contentType
        self.foundAtLegacyPath = foundAtLegacyPath
        self.body = body
    }
}

/// The security.txt subtest (`http_securitytxt`, optional; internetnl-current only): retrieval
/// problems and RFC 9116 errors give a warning, recommendations alone give info.
public enum SecurityTxtCheck {
    public static let name = "http_securitytxt"

    /// Evaluates a retrieval at time `now` (seconds since 1970); `url`, the URL the file was
    /// found at, must be one of its `Canonical` fields when it has any.
    public static func evaluate(_ retrieval: SecurityTxtRetrieval, now: Int64, url: String? = nil) -> SubtestResult {
        var errors: [Finding] = []
        var body = retrieval.body
        switch retrieval.status {
        case nil, 404?: errors.append(Finding("no_security_txt_404"))
        case 200?: break
        case let other?: errors.append(Finding("no_security_txt_other", subject: String(other)))
        }
        if retrieval.status == 200 {
            if let type = retrieval.contentType, !type.isEmpty {
                let parts = type.split(separator: ";").map { HSTSCheck.trimPython(String($0)) }
                let charset = parts.dropFirst().compactMap { p -> String? in
                    let kv = p.split(separator: "=", maxSplits: 1).map { HSTSCheck.trimPython(String($0)).lowercased() }
                    return kv.count == 2 && kv[0] == "charset" ? kv[1].trimmingQuotes : nil
                }.first ?? "utf-8"
                if parts[0].lowercased() != "text/plain" {
                    errors.append(Finding("invalid_media", subject: parts[0]))
                    body = nil
                } else if charset != "utf-8" && charset != "csutf8" {
                    errors.append(Finding("invalid_charset", subject: charset))
                }
            } else {
                errors.append(Finding("no_content_type"))
                body = nil
            }
            if retrieval.foundAtLegacyPath { errors.append(Finding("location")) }
        }
        guard retrieval.status == 200, let text = body, !text.isEmpty else {
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: errors)
        }
        let parsed = SecurityTxtFields.check(text, now: now, url: url)
        errors += parsed.errors
        let status: Status = !errors.isEmpty ? .warning : (parsed.recommendations.isEmpty ? .passed : .info)
        return SubtestResult(name: name, status: status, requirement: .optional, findings: errors + parsed.recommendations)
    }
}

/// RFC 9116 field checks over the text of a security.txt file.
public enum SecurityTxtFields {
    static let known: Set<String> = ["acknowledgments", "canonical", "contact", "encryption", "expires",
                                     "hiring", "policy", "preferred-languages", "csaf"]
    static let uriFields: Set<String> = ["acknowledgments", "canonical", "contact", "encryption", "hiring", "policy", "csaf"]

    /// Errors (RFC violations) and recommendations (info) with line numbers as detail; with
    /// `url` (where the file was found), `no_canonical_match` when `Canonical` fields are there
    /// and none is `url` (RFC 9116 §2.5.2).
    public static func check(_ text: String, now: Int64, url: String? = nil) -> (errors: [Finding], recommendations: [Finding]) {
        var errors: [Finding] = []
        var recs: [Finding] = []
        let signed = text.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----")
        var inSignature = false
        var counts: [String: Int] = [:]
        var expiry: Int64?
        var canonicals: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = String(index + 1)
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if signed {
                if line.hasPrefix("-----BEGIN PGP SIGNATURE-----") { inSignature = true }
                if inSignature || line.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----") || line.hasPrefix("Hash:") { continue }
                if line.hasPrefix("- ") { line = line.dropFirst(2) }
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                errors.append(Finding("invalid_line", detail: lineNo))
                continue
            }
            let field = String(line[..<colon])
            if field.contains(where: { $0 == " " || $0 == "\t" }) {
                errors.append(Finding("invalid_line", detail: lineNo))
                continue
            }
            let key = field.lowercased()
            let value = HSTSCheck.trimPython(String(line[line.index(after: colon)...]))
            counts[key, default: 0] += 1
            guard known.contains(key) else {
                recs.append(Finding("unknown_field", subject: field, detail: lineNo))
                continue
            }
            if uriFields.contains(key) {
                guard let scheme = value.split(separator: ":", maxSplits: 1).first, value.contains(":"),
                      scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else {
                    errors.append(Finding("no_uri", subject: field, detail: lineNo))
                    continue
                }
                if scheme.lowercased() == "http" { errors.append(Finding("no_https", subject: field, detail: lineNo)) }
                if key == "canonical" { canonicals.append(value) }
            }
            if key == "expires" {
                if let t = rfc3339(value) {
                    expiry = t
                } else {
                    errors.append(Finding("invalid_expiry", subject: value, detail: lineNo))
                }
            }
        }
        if (counts["contact"] ?? 0) == 0 { errors.append(Finding("no_contact")) }
        switch counts["expires"] ?? 0 {
        case 0: errors.append(Finding("no_expire"))
        case 1: break
        default: errors.append(Finding("multi_expire"))
        }
        if let url, !canonicals.isEmpty, !canonicals.contains(url) { errors.append(Finding("no_canonical_match", subject: url)) }
        if (counts["preferred-languages"] ?? 0) > 1 { errors.append(Finding("multi_lang")) }
        if let expiry {
            if expiry < now { errors.append(Finding("expired")) }
            else if expiry - now > 366 * 86_400 { recs.append(Finding("long_expiry")) }
        }
        if (counts["encryption"] ?? 0) == 0 { recs.append(Finding("no_encryption")) }
        if !signed { recs.append(Finding("not_signed")) }
        return (errors, recs)
    }

    /// RFC 3339 date-time (`2025-12-31T23:59:59Z`, fraction and offset allowed) to epoch seconds.
    public static func rfc3339(_ s: String) -> Int64? {
        let c = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= c.count else { return nil }
            var v: Int64 = 0
            for b in c[from..<(from + len)] { guard (48...57).contains(b) else { return nil }; v = v * 10 + Int64(b - 48) }
            return v
        }
        guard c.count >= 20, c[4] == 45, c[7] == 45, c[10] == 84 || c[10] == 116, c[13] == 58, c[16] == 58,
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let se = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var i = 19
        if c[i] == 46 { i += 1; let start = i; while i < c.count, (48...57).contains(c[i]) { i += 1 }; guard i > start else { return nil } }
        guard i < c.count else { return nil }
        var offset: Int64 = 0
        if c[i] == 90 || c[i] == 122 { i += 1 } else if c[i] == 43 || c[i] == 45 {
            guard let oh = num(i + 1, 2), c.count > i + 3, c[i + 3] == 58, let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60 * (c[i] == 43 ? 1 : -1)
            i += 6
        } else { return nil }
        guard i == c.count else { return nil }
        // Days from civil (proleptic Gregorian).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + h * 3600 + mi * 60 + se - offset
    }
}

extension String {
    var trimmingQuotes: String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : self
    }
}
