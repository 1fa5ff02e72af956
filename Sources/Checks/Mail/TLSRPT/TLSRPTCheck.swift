import PeilModel

/// SMTP TLS Reporting (RFC 8460): the policy a mail domain publishes in TXT at
/// `_smtp._tls.<domain>`, asking senders to report TLS failures to it. Internet.nl does not test
/// it (no `_smtp._tls` anywhere in its code at the commit SUBTESTS.md names): it is one of
/// Peil's own subtests (``PeilSubtestID/mailTLSRPT``), not in the Dutch standard list, so
/// absence is `info`. Pure.
///
/// RFC 8460 §3: TXT records not beginning `v=TLSRPTv1;` are discarded; more than one left is no
/// policy at all for a sender; the one left must follow the grammar
/// (`tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]`) with a `rua=` field: one or
/// more comma-separated URIs, `mailto:` or `https:`; other fields are extensions
/// (`name=value`), which senders ignore.
public enum TLSRPTCheck {
    public static let name = PeilSubtestID.mailTLSRPT.rawValue
    public static let version = "v=TLSRPTv1"

    /// Judges the TXT records at `_smtp._tls.<domain>`.
    public static func evaluate(_ txt: [String]) -> SubtestResult {
        let policies = txt.filter { $0.hasPrefix(version + ";") }
        switch policies.count {
        case 0:
            return SubtestResult(name: name, status: .info, requirement: .informational, findings: [Finding("no-record")])
        case 1:
            let problems = problems(policies[0])
            return SubtestResult(name: name, status: problems.isEmpty ? .passed : .warning, requirement: .optional,
                                 findings: problems.isEmpty ? [Finding("record", subject: policies[0])] : problems + [Finding("record", subject: policies[0])])
        default:
            return SubtestResult(name: name, status: .warning, requirement: .optional,
                                 findings: [Finding("several-records", subject: String(policies.count))] + policies.map { Finding("record", subject: $0) })
        }
    }

    /// What is wrong with one policy record (beginning `v=TLSRPTv1;`), empty when it is valid.
    static func problems(_ record: String) -> [Finding] {
        var fields = record.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingWSP() }
        fields.removeFirst()  // the version
        if fields.last?.isEmpty == true { fields.removeLast() }  // the optional trailing delimiter
        guard !fields.isEmpty else { return [Finding("no-rua")] }
        var problems: [Finding] = []
        var rua = 0
        for field in fields {
            guard let equals = field.firstIndex(of: "="), !field[..<equals].isEmpty else {
                problems.append(Finding("invalid-field", subject: String(field)))
                continue
            }
            let (key, value) = (field[..<equals], field[field.index(after: equals)...])
            if key == "rua" {
                rua += 1
                problems += uriProblems(value)
            } else if !isExtensionName(key) || !isExtensionValue(value) {
                problems.append(Finding("invalid-field", subject: String(field)))
            }
        }
        if rua == 0 { problems.append(Finding("no-rua")) }
        return problems
    }

    /// `tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)`, each `mailto:` with an address or `https:` with
    /// a host; commas, `!` and `;` must be percent-encoded inside a URI.
    static func uriProblems(_ value: Substring) -> [Finding] {
        let uris = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWSP() }
        return uris.compactMap { uri in
            if uri.isEmpty { return Finding("invalid-rua", subject: String(value), detail: "empty URI") }
            if uri.contains(where: { $0 == "!" || $0 == " " || $0 == "\t" }) || uri.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
                return Finding("invalid-rua", subject: String(uri), detail: "not a URI")
            }
            let lower = uri.lowercased()
            if lower.hasPrefix("mailto:") {
                let address = uri.dropFirst(7).prefix { $0 != "?" }
                let parts = address.split(separator: "@", omittingEmptySubsequences: false)
                return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
                    ? nil : Finding("invalid-rua", subject: String(uri), detail: "no mail address")
            }
            if lower.hasPrefix("https://") {
                let host = uri.dropFirst(8).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                return host.isEmpty || host.contains("@") ? Finding("invalid-rua", subject: String(uri), detail: "no host") : nil
            }
            return Finding("unsupported-rua-scheme", subject: String(uri))
        }
    }

    /// `(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
    static func isExtensionName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 32, isAlphaNumeric(first) else { return false }
        return name.unicodeScalars.allSatisfy { isAlphaNumeric($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }

    /// `1*(%x21-3A / %x3C / %x3E-7E)`: printable ASCII but `;`, `=` and space.
    static func isExtensionValue(_ value: Substring) -> Bool {
        !value.isEmpty && value.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != ";" && $0 != "=" }
    }

    static func isAlphaNumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (RFC 5234 `WSP`).
    func trimmingWSP() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
