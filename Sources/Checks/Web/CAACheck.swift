import PeilModel

/// The CAA subtest (`web_caa`, optional: its worst status is warning), following Internet.nl's
/// `checks/caa/retrieval.py` and `checks/caa/parser.py`: the CAA set found by climbing from the
/// web host (RFC 8659 §3) must exist, every record must be valid (flags 0 or 128, a known
/// property with a value in its syntax), and at least one `issue` property must be present.
/// Anything else is a warning naming Internet.nl's message id.
public enum CAACheck {
    public static let name = "web_caa"
    /// Internet.nl reads at most this many records (`CAA_MAX_RECORDS`).
    public static let maxRecords = 100

    /// ACME validation methods (IANA registry, as Internet.nl lists them); RFC 8657 §4 also
    /// allows any method starting `ca-`.
    static let validationMethods: Set<String> = ["http-01", "dns-01", "tls-alpn-01", "email-reply-00", "tkauth-01", "onion-csr-01", "bp-nodeid-00"]

    /// Judges `records` (presentation form, `flags tag "value"`) found at `foundAt`.
    public static func evaluate(foundAt: String?, records: [String]) -> SubtestResult {
        guard let foundAt, !records.isEmpty else {
            return SubtestResult(name: name, status: .failed, requirement: .optional, findings: [Finding("not-found")])
        }
        var findings = [Finding("found-host", subject: foundAt)]
        var errors: [Finding] = []
        var tags = Set<String>()
        for text in records.prefix(maxRecords) {
            findings.append(Finding("caa-record", subject: text))
            guard let record = CAARecord(text) else {
                errors.append(Finding("invalid-property-syntax", subject: text))
                continue
            }
            tags.insert(record.tag)
            if let problem = problem(record) { errors.append(problem) }
        }
        if !tags.contains("issue") { errors.append(Finding("missing-required-property-issue", subject: "issue")) }
        return SubtestResult(name: name, status: errors.isEmpty ? .passed : .failed, requirement: .optional, findings: errors + findings)
    }

    /// Why one record is invalid (Internet.nl's message id), nil when it is valid.
    static func problem(_ record: CAARecord) -> Finding? {
        guard record.flags == 0 || record.flags == 128 else { return Finding("invalid-flags-reserved-bits", subject: String(record.flags)) }
        switch record.tag {
        case "issue", "issuewild", "issuevmc":
            guard let parameters = issueParameters(record.value) else { return syntax(record) }
            if let methods = parameters["validationmethods"], !validValidationMethods(methods) {
                return Finding("invalid-parameter-validation-methods", subject: methods)
            }
            return nil
        case "issuemail":
            return issueParameters(record.value) == nil ? Finding("invalid-property-issuemail-value", subject: record.value) : nil
        case "iodef":
            return validIODEF(record.value) ? nil : Finding("invalid-property-iodef-value", subject: record.value)
        case "contactemail":
            return isEmailAddress(record.value) ? nil : Finding("invalid-property-contactemail-value", subject: record.value)
        case "contactphone":
            return isGlobalPhoneNumber(record.value) ? nil : Finding("invalid-property-contactphone-value", subject: record.value)
        case "auth", "path", "policy":
            return Finding("invalid-reserved-property", subject: record.tag)
        default:
            return Finding("invalid-unknown-property", subject: record.tag)
        }
    }

    static func syntax(_ record: CAARecord) -> Finding {
        Finding("invalid-property-syntax", subject: record.tag, detail: record.value)
    }

    /// The parameters of an `issue`-style value (RFC 8659 §4.2:
    /// `*WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]`), nil when it does not parse.
    static func issueParameters(_ value: String) -> [String: String]? {
        let isWSP: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let (domainPart, parameterPart): (Substring, Substring?) = {
            guard let semicolon = value.firstIndex(of: ";") else { return (value[...], nil) }
            return (value[..<semicolon], value[value.index(after: semicolon)...])
        }()
        let domain = domainPart.drop(while: isWSP).reversed().drop(while: isWSP).reversed()
        if !domain.isEmpty {
            let labels = String(domain).split(separator: ".", omittingEmptySubsequences: false)
            guard labels.allSatisfy(isLabel) else { return nil }
        }
        var parameters: [String: String] = [:]
        guard let parameterPart else { return parameters }
        let trimmed = String(parameterPart.drop(while: isWSP).reversed().drop(while: isWSP).reversed())
        guard !trimmed.isEmpty else { return parameters }
        for item in trimmed.split(separator: ";", omittingEmptySubsequences: false) {
            let stripped = String(item.drop(while: isWSP).reversed().drop(while: isWSP).reversed())
            guard let equals = stripped.firstIndex(of: "=") else { return nil }
            let tag = String(stripped[..<equals].reversed().drop(while: isWSP).reversed())
            let parameterValue = String(stripped[stripped.index(after: equals)...].drop(while: isWSP))
            guard isLabel(Substring(tag)), parameterValue.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != ";" }) else { return nil }
            parameters[tag] = parameterValue
        }
        return parameters
    }

    /// `(ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))`: letters and digits, inner hyphens.
    static func isLabel(_ label: Substring) -> Bool {
        guard let first = label.first, let last = label.last, first.isASCIIAlphanumeric, last.isASCIIAlphanumeric else { return false }
        return label.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" }
    }

    /// RFC 8657 §4: a comma-separated list of known ACME methods or `ca-` ones, possibly empty
    /// (Internet.nl's grammar: `value = [*(label ",") label]`).
    static func validValidationMethods(_ value: String) -> Bool {
        value.isEmpty || value.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { method in
            !method.isEmpty && method.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" }
                && (validationMethods.contains(String(method)) || method.hasPrefix("ca-"))
        }
    }

    /// RFC 8659 §4.4: an `https:` URL with a host or a `mailto:` address.
    static func validIODEF(_ value: String) -> Bool {
        if value.lowercased().hasPrefix("mailto:") { return isEmailAddress(String(value.dropFirst(7))) }
        guard value.lowercased().hasPrefix("https://") else { return false }
        let host = value.dropFirst(8).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty
    }

    /// One address `local@domain`, no spaces, a domain of labels (a practical reading of the
    /// RFC 6532 address Internet.nl validates with `email_validator`).
    static func isEmailAddress(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !value.contains(where: \.isWhitespace) else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy(isLabel)
    }

    /// RFC 3966 §5.1.4 `global-number-digits`: `+`, then digits and visual separators
    /// (`-`, `.`, `(`, `)`) with at least one digit; parameters after `;` are not judged.
    static func isGlobalPhoneNumber(_ value: String) -> Bool {
        let number = value.prefix { $0 != ";" }
        guard number.first == "+" else { return false }
        let rest = number.dropFirst()
        return rest.contains(where: \.isASCIIDigit) && rest.allSatisfy { $0.isASCIIDigit || "-.()".contains($0) }
    }
}

/// One CAA record from its presentation form `flags tag "value"` (the probe's `DNSPresentation`:
/// `\"`, `\\` and `\DDD` escapes in the value).
struct CAARecord: Hashable {
    var flags: Int
    var tag: String
    var value: String

    init?(_ text: String) {
        let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let flags = Int(fields[0]), (0...255).contains(flags), !fields[1].isEmpty else { return nil }
        var quoted = Substring(fields[2])
        guard quoted.count >= 2, quoted.first == "\"", quoted.last == "\"" else { return nil }
        quoted = quoted.dropFirst().dropLast()
        var bytes: [UInt8] = []
        var index = quoted.startIndex
        while index < quoted.endIndex {
            let character = quoted[index]
            if character == "\\" {
                let next = quoted.index(after: index)
                guard next < quoted.endIndex else { return nil }
                let digits = quoted[next...].prefix(3)
                if digits.count == 3, digits.allSatisfy(\.isASCIIDigit), let byte = UInt8(digits) {
                    bytes.append(byte)
                    index = quoted.index(next, offsetBy: 3)
                    continue
                }
                bytes += Array(String(quoted[next]).utf8)
                index = quoted.index(after: next)
                continue
            }
            bytes += Array(String(character).utf8)
            index = quoted.index(after: index)
        }
        self.flags = flags
        tag = fields[1].lowercased()
        value = String(decoding: bytes, as: UTF8.self)
    }
}

extension Character {
    var isASCIIAlphanumeric: Bool { isASCII && (isLetter || isNumber) }
    var isASCIIDigit: Bool { isASCII && isNumber }
}
