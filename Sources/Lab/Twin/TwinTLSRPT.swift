import PeilModel

/// The TLS-RPT policy (RFC 8460) a domain publishes at `_smtp._tls.<domain>`.
public enum TwinTLSRPT: String, Codable, Sendable, Hashable, CaseIterable {
    /// None.
    case none
    /// `v=TLSRPTv1; rua=mailto:tlsrpt@<domain>`.
    case mailto
    /// Reports to an HTTPS endpoint and a mail address.
    case https
    /// `v=TLSRPTv1;` without the required `rua`.
    case noRUA
    /// Two policy records (a sender then has none).
    case twoRecords

    /// The TXT records at `_smtp._tls.<domain>`.
    public func records(domain: String) -> [String] {
        switch self {
        case .none: []
        case .mailto: ["v=TLSRPTv1; rua=mailto:tlsrpt@\(domain)"]
        case .https: ["v=TLSRPTv1;rua=https://tlsrpt.\(domain)/v1,mailto:tlsrpt@\(domain)"]
        case .noRUA: ["v=TLSRPTv1;"]
        case .twoRecords: ["v=TLSRPTv1; rua=mailto:tlsrpt@\(domain)", "v=TLSRPTv1; rua=mailto:postmaster@\(domain)"]
        }
    }

    /// What Peil's `mail_tlsrpt` says of it: a valid policy passed, none info (not in the Dutch
    /// standard list), anything else warning.
    var status: Status {
        switch self {
        case .mailto, .https: .passed
        case .none: .info
        case .noRUA, .twoRecords: .warning
        }
    }
}

extension TwinRealServers {
    /// Gives the domains (sorted by name) every TLS-RPT variant in turn. No random draws.
    static func spreadTLSRPT(_ world: inout TwinWorld) {
        let positions = world.domains.indices.sorted { world.domains[$0].name < world.domains[$1].name }
        for (turn, position) in positions.enumerated() {
            world.domains[position].mail.tlsrpt = TwinTLSRPT.allCases[turn % TwinTLSRPT.allCases.count]
        }
    }
}
