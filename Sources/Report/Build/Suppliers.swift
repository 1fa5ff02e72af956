import PeilModel

/// The providers behind a domain, named from its DNS facts (see docs/REPORTS.md for the
/// heuristics and their limits).
public struct Providers: Codable, Sendable, Hashable {
    /// The registered domain of the MX hosts (`wolkmail.com`), `own domain`, or nil without MX.
    public var mail: String?
    /// The registered domain of the nameservers, `own domain`, or nil without nameservers.
    public var dns: String?
    /// The shared web addresses the web host is on, `own address`, or nil without addresses.
    public var web: String?

    public init(mail: String? = nil, dns: String? = nil, web: String? = nil) {
        self.mail = mail
        self.dns = dns
        self.web = web
    }

    /// The provider of a kind.
    public subscript(kind: SupplierKind) -> String? {
        switch kind {
        case .mail: mail
        case .dns: dns
        case .web: web
        }
    }

    static let ownDomain = "own domain"
    static let ownAddress = "own address"
}

/// The three kinds of supplier the government's advice points at.
public enum SupplierKind: String, Codable, Sendable, CaseIterable {
    case mail, dns, web

    /// The columns whose failures sit with this kind of supplier: the nameservers' DNSSEC and
    /// IPv6 with the DNS provider, the rest of each test with its mail or web provider.
    public func owns(_ column: String) -> Bool {
        let dnsColumns = Set([BulkColumnID(.web, "dnssec"), .webIPv6Nameserver, .mailIPv6Nameserver].map(\.key))
        switch self {
        case .dns: return dnsColumns.contains(column)
        case .mail: return BulkColumnID(key: column)?.test == .mail && !dnsColumns.contains(column)
        case .web: return BulkColumnID(key: column)?.test == .web && !dnsColumns.contains(column)
        }
    }

    public var title: String {
        switch self {
        case .mail: "Mail provider (from the MX host names)"
        case .dns: "DNS provider (from the NS host names)"
        case .web: "Web hosting (shared web addresses)"
        }
    }
}

/// Failures of the domains one provider serves.
public struct SupplierGroup: Codable, Sendable, Hashable {
    public var kind: SupplierKind
    public var provider: String
    public var domains: Int
    /// Failed cells per column the kind owns.
    public var failures: [String: Int]

    public var totalFailures: Int { failures.values.reduce(0, +) }
    /// The domains that run it themselves (`own domain`, `own address`), not a supplier.
    public var isSelf: Bool { provider == Providers.ownDomain || provider == Providers.ownAddress }
}

/// The supplier view: failures grouped by the provider behind them.
public struct SupplierView: Codable, Sendable, Hashable {
    public var available: Bool
    public var note: String
    /// Sorted by kind, then most failures first.
    public var groups: [SupplierGroup]
    /// Failed cells per column over all domains considered, for shares.
    public var failuresByColumn: [String: Int]
}

/// Names providers and groups failures by them.
public enum Suppliers {
    /// Addresses that serve at least this many domains count as shared hosting.
    public static let sharedThreshold = 3

    /// The providers of every domain with facts; web hosting from addresses shared by others.
    public static func providers(of domains: [MeasuredDomain], organisationalDomain: (String) -> String?) -> [String: Providers] {
        providers(of: domains.compactMap { domain in
            domain.facts.map { ProviderFacts(domain: domain.domain, facts: $0, organisationalDomain: organisationalDomain) }
        })
    }

    /// The providers of every domain in `facts`; web hosting from addresses shared by others.
    static func providers(of facts: [ProviderFacts]) -> [String: Providers] {
        let hosting = WebHosting(facts)
        var result: [String: Providers] = [:]
        for domain in facts {
            result[domain.domain] = Providers(mail: domain.mail, dns: domain.dns, web: hosting.name(of: domain.domain))
        }
        return result
    }

    /// Groups the failed cells of the domains (those a compared set tests) by provider: each
    /// domain's providers and the columns of its failed cells.
    static func view(domains: some Collection<(providers: Providers, failed: [String])>, imported: Bool) -> SupplierView {
        guard domains.contains(where: { $0.providers != Providers() }) else {
            let why = imported ? "imported results carry no DNS facts, so their providers are unknown"
                : "the measurement holds no DNS facts for these domains"
            return SupplierView(available: false, note: why, groups: [], failuresByColumn: [:])
        }
        var groups: [String: SupplierGroup] = [:]
        var totals: [String: Int] = [:]
        for (providers, failed) in domains {
            for column in failed { totals[column, default: 0] += 1 }
            for kind in SupplierKind.allCases {
                guard let provider = providers[kind] else { continue }
                let key = kind.rawValue + "\u{0}" + provider
                var group = groups[key] ?? SupplierGroup(kind: kind, provider: provider, domains: 0, failures: [:])
                group.domains += 1
                for column in failed where kind.owns(column) { group.failures[column, default: 0] += 1 }
                groups[key] = group
            }
        }
        // Suppliers first, most failures first; the self-hosted (own domain, own address) last.
        let sorted = groups.values.sorted {
            ($0.kind.rank, $0.isSelf ? 1 : 0, -$0.totalFailures, -$0.domains, $0.provider)
                < ($1.kind.rank, $1.isSelf ? 1 : 0, -$1.totalFailures, -$1.domains, $1.provider)
        }
        return SupplierView(available: true, note: "failed cells of the compared sets' domains, by the provider behind them",
                            groups: sorted, failuresByColumn: totals)
    }
}

/// What the supplier view keeps of a domain's DNS facts: its mail and DNS providers, named
/// from the MX and NS host names, and its web host with its addresses (web hosting is named
/// only once every domain's addresses are known).
struct ProviderFacts {
    var domain: String
    var mail: String?
    var dns: String?
    var webHost: String
    var webAddresses: [String]

    init(domain: String, facts: DNSFacts, organisationalDomain: (String) -> String?) {
        func registered(_ name: String) -> String {
            organisationalDomain(name) ?? name.split(separator: ".").suffix(2).joined(separator: ".")
        }
        let own = registered(domain)
        func named(_ hosts: [String]) -> String? {
            let names = Set(hosts.filter { !$0.isEmpty }.map(registered))
            guard !names.isEmpty else { return nil }
            if names == [own] { return Providers.ownDomain }
            return names.subtracting([own]).sorted().joined(separator: " + ")
        }
        self.domain = domain
        mail = named(facts.mx.map(\.host))
        dns = named(facts.nameservers.map(\.host))
        webHost = facts.web.host
        webAddresses = facts.web.ipv4 + facts.web.ipv6
    }
}

extension SupplierKind {
    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// Web hosting from shared addresses: addresses serving at least ``Suppliers/sharedThreshold``
/// web hosts, joined into one platform when a web host is on several of them.
struct WebHosting {
    private var platformOf: [String: String] = [:]
    private var hasAddress: Set<String> = []

    init(_ domains: [ProviderFacts]) {
        var users: [String: Set<String>] = [:]
        var addressesOf: [String: [String]] = [:]
        for domain in domains {
            let addresses = domain.webAddresses
            if !addresses.isEmpty { hasAddress.insert(domain.domain) }
            addressesOf[domain.domain] = addresses
            for address in addresses { users[address, default: []].insert(domain.webHost) }
        }
        let shared = Set(users.filter { $0.value.count >= Suppliers.sharedThreshold }.keys)
        // Union-find over shared addresses that one web host uses together.
        var parent: [String: String] = [:]
        func root(_ address: String) -> String {
            var current = address
            while let next = parent[current], next != current { current = next }
            return current
        }
        for addresses in addressesOf.values {
            let mine = addresses.filter(shared.contains)
            for address in mine where parent[address] == nil { parent[address] = address }
            for (first, other) in zip(mine, mine.dropFirst()) {
                let a = root(first), b = root(other)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [String: [String]] = [:]
        for address in shared { members[root(address), default: []].append(address) }
        var label: [String: String] = [:]
        for (key, addresses) in members {
            let sorted = addresses.sorted { ($0.contains(":") ? 1 : 0, $0) < ($1.contains(":") ? 1 : 0, $1) }
            label[key] = "shared " + sorted[0] + (sorted.count > 1 ? " (+\(sorted.count - 1))" : "")
        }
        for (domain, addresses) in addressesOf {
            if let first = addresses.first(where: shared.contains) { platformOf[domain] = label[root(first)] }
        }
    }

    func name(of domain: String) -> String? {
        platformOf[domain] ?? (hasAddress.contains(domain) ? Providers.ownAddress : nil)
    }
}
