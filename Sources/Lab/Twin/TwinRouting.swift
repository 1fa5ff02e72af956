import Foundation
import PeilModel

/// The twin's routing, for the RPKI subtests: every server group (web platform, mail platform,
/// DNS provider) has a route origin *cause*, and from the causes come a relying party's ROA
/// export, an origin table (what `peil rpki load` reads) and the expected statuses. The cause
/// is a stable function of the group's id, so a world file gives the same routing every time.
public struct TwinRouting: Sendable, Hashable {
    /// How the addresses of one server group are routed and covered.
    public enum Cause: String, Codable, Sendable, Hashable, CaseIterable {
        /// Routed by its AS, with a ROA for that AS: valid.
        case valid
        /// Routed, and no ROA covers the route: not-found.
        case notCovered
        /// Routed by one AS while the ROA names another: invalid (as).
        case invalidOrigin
        /// Not in the routing table; a ROA exists for the address.
        case unrouted
    }

    /// Every server group's cause, by group id (`web:ID`, `mail:ID`, `dns:ID`).
    public var causes: [String: Cause]
    /// The cause of each address the twin serves.
    public var causeOfAddress: [String: Cause]
    public var snapshot: RPKISnapshot

    /// The routing of `world`: one in twenty groups not covered, one in twenty with another
    /// origin, one in twenty unrouted, the rest valid. Each address is its own host route
    /// (`/32`, `/128`) originated by its group's AS, so causes never overlap.
    public init(_ world: TwinWorld) {
        var groups: [(id: String, addresses: [String])] = world.webPlatforms.map { ("web:\($0.id)", $0.ipv4 + $0.ipv6) }
        groups += world.mailPlatforms.map { ("mail:\($0.id)", $0.ipv4 + $0.ipv6) }
        groups += world.dnsProviders.map { provider in ("dns:\(provider.id)", provider.nameservers.flatMap { [$0.ipv4] + ($0.ipv6.map { [$0] } ?? []) }) }
        var causes: [String: Cause] = [:]
        var causeOfAddress: [String: Cause] = [:]
        var roas: [ValidatedROA] = []
        var routes: [OriginRoute] = []
        for (index, group) in groups.sorted(by: { $0.id < $1.id }).enumerated() {
            let cause = Self.cause(of: group.id)
            causes[group.id] = cause
            let asn = UInt32(64_512 + index)  // private-use ASNs (RFC 6996)
            for address in group.addresses {
                guard let network = IPNetwork(address), causeOfAddress[address] == nil else { continue }
                causeOfAddress[address] = cause
                let length = network.prefixLength
                switch cause {
                case .valid:
                    roas.append(ValidatedROA(prefix: network, maxLength: length, asn: asn, trustAnchor: "lab"))
                    routes.append(OriginRoute(prefix: network, origin: asn))
                case .notCovered:
                    routes.append(OriginRoute(prefix: network, origin: asn))
                case .invalidOrigin:
                    roas.append(ValidatedROA(prefix: network, maxLength: length, asn: 64_511, trustAnchor: "lab"))
                    routes.append(OriginRoute(prefix: network, origin: asn))
                case .unrouted:
                    roas.append(ValidatedROA(prefix: network, maxLength: length, asn: asn, trustAnchor: "lab"))
                }
            }
        }
        self.causes = causes
        self.causeOfAddress = causeOfAddress
        snapshot = RPKISnapshot(roas: roas, routes: routes)
    }

    /// A group's cause from its id (FNV-1a, so stable across runs and platforms).
    static func cause(of id: String) -> Cause {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        switch hash % 20 {
        case 0: return .notCovered
        case 1: return .invalidOrigin
        case 2: return .unrouted
        default: return .valid
        }
    }

    /// The expected exists and valid statuses for servers with these addresses, from their
    /// causes (an address the twin does not serve is neither routed nor covered): no address →
    /// not tested; exists warns when an address has no ROA; valid fails on a not-covered or
    /// invalid route and is not tested when no address is routed.
    public func expected(addresses: [String]) -> (exists: Status, valid: Status) {
        if addresses.isEmpty { return (.notTested, .notTested) }
        let causes = addresses.map { causeOfAddress[$0] }
        let exists: Status = causes.allSatisfy { $0 != nil && $0 != .notCovered } ? .passed : .warning
        let routed = causes.compactMap { $0 }.filter { $0 != .unrouted }
        let valid: Status = if routed.contains(where: { $0 != .valid }) { .failed } else if routed.isEmpty { .notTested } else { .passed }
        return (exists, valid)
    }

    /// The ROA export in rpki-client's JSON shape (`{"roas": [{"asn", "prefix", "maxLength", "ta"}]}`).
    public func roaExport() throws -> Data {
        struct Entry: Encodable { var asn: UInt32; var prefix: String; var maxLength: Int; var ta: String }
        struct Export: Encodable { var roas: [Entry] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Export(roas: snapshot.roas.map {
            Entry(asn: $0.asn, prefix: $0.prefix.description, maxLength: $0.maxLength, ta: $0.trustAnchor)
        }))
    }

    /// The origin table, `PREFIX ORIGIN` per line.
    public func originTable() -> String {
        "# the twin's routes: prefix and origin AS\n" + snapshot.routes.map { "\($0.prefix) AS\($0.origin)\n" }.joined()
    }
}

extension TwinRouting {
    /// Measured RPKI subtests against what the routing's causes say for the addresses each
    /// domain's truth has: web server, its nameservers, the mail servers, the domain's
    /// nameservers, the MX hosts' nameservers (`web_rpki_*`, `web_ns_rpki_*`, `mail_rpki_*`,
    /// `mail_ns_rpki_*`, `mail_mx_ns_rpki_*`).
    public struct Comparison: Sendable, Hashable {
        public var cells = 0
        /// `domain subtest: truth X, measured Y (because)`, sorted.
        public var disagreements: [String] = []
    }

    /// `results` are `peil results --format jsonl` lines (with `subtests`); domains without a
    /// truth are skipped.
    public func compare(truth: [TwinDomainTruth], results: Data) throws -> Comparison {
        let facts = Dictionary(truth.map { ($0.domain, $0.facts) }, uniquingKeysWith: { first, _ in first })
        var comparison = Comparison()
        for line in String(decoding: results, as: UTF8.self).split(separator: "\n") where !line.isEmpty {
            let row = try JSONDecoder().decode(ResultLine.self, from: Data(line.utf8))
            guard let domainFacts = facts[row.domain] else { continue }
            for (name, expected) in expectedSubtests(domainFacts) {
                comparison.cells += 1
                let measured = row.subtests?[name]
                if measured?.status != expected {
                    comparison.disagreements.append("\(row.domain) \(name): truth \(expected.rawValue), measured \(measured?.status.rawValue ?? "missing")"
                                                    + (measured.map { " (\($0.because))" } ?? ""))
                }
            }
        }
        comparison.disagreements.sort()
        return comparison
    }

    /// The 10 RPKI subtests a domain with these facts should get, by batch name.
    public func expectedSubtests(_ facts: DNSFacts) -> [(String, Status)] {
        func addresses(_ hosts: [HostAddresses]) -> [String] { hosts.flatMap { $0.ipv4 + $0.ipv6 } }
        let servers: [(String, [String])] = [
            ("web", addresses([facts.web])), ("web_ns", addresses(facts.webNameservers ?? facts.nameservers)),
            ("mail", facts.mx.filter { !$0.host.isEmpty }.flatMap { $0.ipv4 + $0.ipv6 }), ("mail_ns", addresses(facts.nameservers)),
            ("mail_mx_ns", addresses(facts.mxNameservers ?? [])),
        ]
        return servers.flatMap { kind, serverAddresses in
            let expected = expected(addresses: serverAddresses)
            return [("\(kind)_rpki_exists", expected.exists), ("\(kind)_rpki_valid", expected.valid)]
        }
    }

    struct ResultLine: Decodable {
        var domain: String
        var subtests: [String: StatusCell]?
    }
}
