import PeilModel
/// The subset of zone-file syntax that root hints and trust anchor files use: one record per
/// line (`owner [ttl] [class] type rdata…`), `;` comments, `$TTL`/`$ORIGIN` lines. Pure.
///
/// Peil reads the hints itself before libunbound does, because libunbound silently falls back
/// to its compiled-in hints (the real root servers) when a hints file yields no root NS set.
struct RootHints: Sendable, Hashable {
    /// One record as written: owner name normalised (lower case, trailing dot), type upper case.
    struct Record: Sendable, Hashable {
        var owner: String
        var type: String
        var data: [String]
    }

    var records: [Record]
    /// `$INCLUDE` would let libunbound read records Peil never checked.
    var hasInclude: Bool

    /// Names of the root's nameservers.
    var rootServers: [String] {
        records.filter { $0.owner == "." && $0.type == "NS" }.compactMap { $0.data.first.map(Self.normalise) }
    }

    /// Every A/AAAA address in the file, as octets.
    var addresses: [[UInt8]] {
        records.filter { $0.type == "A" || $0.type == "AAAA" }.compactMap { record in
            record.data.first.flatMap(IPNetwork.parseAddress)
        }
    }

    static func parse(_ text: String) -> RootHints {
        RootHints(records: records(in: text), hasInclude: text.split(whereSeparator: \.isNewline)
            .contains { $0.trimmingPrefix(while: \.isWhitespace).uppercased().hasPrefix("$INCLUDE") })
    }

    private static let knownTypes: Set<String> = ["A", "AAAA", "NS", "DS", "DNSKEY", "SOA", "CNAME", "TXT"]
    private static let classes: Set<String> = ["IN", "CH", "HS", "CS"]

    /// Records of the text, one per line; lines whose type Peil does not know are skipped.
    static func records(in text: String) -> [Record] {
        var result: [Record] = []
        var previousOwner = "."
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            if line.trimmingPrefix(while: \.isWhitespace).hasPrefix("$") { continue }
            var tokens = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !tokens.isEmpty else { continue }
            var owner = previousOwner
            if let first = line.first, !first.isWhitespace {
                owner = normalise(tokens.removeFirst())
                previousOwner = owner
            }
            while let token = tokens.first, !knownTypes.contains(token.uppercased()),
                  token.allSatisfy(\.isNumber) || classes.contains(token.uppercased()) {
                tokens.removeFirst()
            }
            guard let type = tokens.first?.uppercased(), knownTypes.contains(type) else { continue }
            result.append(Record(owner: owner, type: type, data: Array(tokens.dropFirst())))
        }
        return result
    }

    /// Refuses hints libunbound would treat as missing: no root NS, or no address for any of them.
    func check(file: String) throws(ResolverError) {
        guard !hasInclude else { throw ResolverError(.rootHintsInvalid, "\(file) uses $INCLUDE") }
        let servers = rootServers
        guard !servers.isEmpty else { throw ResolverError(.rootHintsInvalid, "\(file) has no NS records for the root") }
        let unreadable = records.filter { ($0.type == "A" || $0.type == "AAAA") && $0.data.first.flatMap(IPNetwork.parseAddress) == nil }
        if let bad = unreadable.first {
            throw ResolverError(.rootHintsInvalid, "\(file): \(bad.owner) \(bad.type) \(bad.data.joined(separator: " ")) is not an address")
        }
        let addressed = Set(records.filter { $0.type == "A" || $0.type == "AAAA" }.map(\.owner))
        guard servers.contains(where: addressed.contains) else {
            throw ResolverError(.rootHintsInvalid, "\(file) has no address for any root nameserver")
        }
    }

    static func normalise(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? lower : lower + "."
    }

    static func text(_ address: [UInt8]) -> String {
        (address.count == 4 ? DNSPresentation.ipv4(address) : DNSPresentation.ipv6(address)) ?? "?"
    }
}
