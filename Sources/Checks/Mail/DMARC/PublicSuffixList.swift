import PeilModel

/// The Public Suffix List, parsed from its text (Debian's `publicsuffix` package ships it as
/// `/usr/share/publicsuffix/public_suffix_list.dat`; the caller reads the file, so this stays
/// pure). Both the ICANN and the private section count, as in Internet.nl.
public struct PublicSuffixList: Sendable, Hashable {
    /// Rules by their labels from the right, e.g. `["uk", "co"]`; `*` is a wildcard label.
    private var rules: Set<[String]> = []
    private var exceptions: Set<[String]> = []

    public var count: Int { rules.count + exceptions.count }

    /// Reads the list: one rule per line, up to the first whitespace; `//` comments and empty
    /// lines skipped; `!` marks an exception. Labels are kept in lower case, internationalised
    /// ones as A-labels (as Internet.nl converts them), so A-label domains match them.
    public init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard let rule = line.split(whereSeparator: \.isWhitespace).first, !rule.hasPrefix("//") else { continue }
            if line.first?.isWhitespace == true { continue }
            if rule.hasPrefix("!") {
                exceptions.insert(Self.labels(rule.dropFirst()))
            } else {
                rules.insert(Self.labels(rule))
            }
        }
    }

    static func labels(_ name: Substring) -> [String] {
        name.lowercased().split(separator: ".", omittingEmptySubsequences: false).reversed().map { label in
            guard !label.allSatisfy(\.isASCII), let converted = try? DomainName(parsing: "\(label).invalid"),
                  let first = converted.labels.first else { return String(label) }
            return String(first)
        }
    }

    private func matches(_ rule: [String], _ labels: [String]) -> Bool {
        guard rule.count <= labels.count else { return false }
        return zip(rule, labels).allSatisfy { $0 == "*" || $0 == $1 }
    }

    /// The public suffix of `domain` by the list's algorithm (the default rule is `*`).
    public func publicSuffix(of domain: String) -> String {
        let labels = Self.labels(Substring(Self.normalise(domain)))
        for length in stride(from: labels.count, through: 1, by: -1) {
            let candidate = Array(labels.prefix(length))
            if exceptions.contains(candidate) { return Self.join(candidate.dropLast()) }
        }
        var best = 1
        for length in 1...max(1, labels.count) where length <= labels.count {
            let candidate = Array(labels.prefix(length))
            if rules.contains(candidate) || rules.contains(Array(candidate.dropLast()) + ["*"]) { best = max(best, length) }
        }
        return Self.join(labels.prefix(best))
    }

    /// The organisational domain (RFC 7489 §3.2): the public suffix plus one label; nil when
    /// the name is itself a public suffix (or empty).
    public func organisationalDomain(of domain: String) -> String? {
        let name = Self.normalise(domain)
        guard !name.isEmpty else { return nil }
        let labels = Self.labels(Substring(name))
        let suffix = publicSuffix(of: name).split(separator: ".").count
        guard labels.count > suffix else { return nil }
        return Self.join(labels.prefix(suffix + 1))
    }

    static func normalise(_ domain: String) -> String {
        (domain.hasSuffix(".") ? String(domain.dropLast()) : domain).lowercased()
    }

    private static func join(_ reversedLabels: some Collection<String>) -> String {
        reversedLabels.reversed().joined(separator: ".")
    }
}
