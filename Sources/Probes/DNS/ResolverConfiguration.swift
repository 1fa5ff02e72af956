import Foundation
import PeilModel

/// Where a resolver may send its queries and connect probes may connect. libunbound is fenced
/// with `do-not-query-address` for every network the policy refuses (``deniedNetworks``), so a
/// referral there is never followed; a connect probe asks ``refusal(of:)`` before any socket.
public enum UpstreamPolicy: Sendable, Hashable {
    /// Only these networks (e.g. ``IPNetwork/labAndLoopback``): the lab.
    case only([IPNetwork])
    /// Public addresses only (``SpecialPurposeAddresses``: never loopback, private, link-local,
    /// documentation, benchmarking, multicast…): measuring the real internet (`--any-upstream`),
    /// where a hostile zone can point a host at the agent's own network. Never the default.
    case publicOnly

    /// Loopback and the lab's benchmarking ranges.
    public static let labAndLoopback = UpstreamPolicy.only(IPNetwork.labAndLoopback)

    /// Whether `address` (4 or 16 octets) may be sent traffic.
    public func allows(_ address: [UInt8]) -> Bool {
        switch self {
        case .publicOnly: SpecialPurposeAddresses.isPublic(address)
        case .only(let networks): networks.contains { $0.contains(address) }
        }
    }

    /// Why nothing may be sent to `address` (text form), as a connect task reports it; nil
    /// when it is allowed.
    public func refusal(of address: String) -> String? {
        switch self {
        case .publicOnly:
            return SpecialPurposeAddresses.refusal(of: address)
        case .only:
            guard let octets = IPNetwork.parseAddress(address) else { return "not probed: \(address) is not an IP address" }
            return allows(octets) ? nil : "not probed: \(address) is outside the networks this agent may probe (loopback and the lab ranges)"
        }
    }

    /// The networks, of both families, that nothing may be sent to (libunbound's
    /// `do-not-query-address` list).
    public var deniedNetworks: [IPNetwork] {
        switch self {
        case .only(let allowed): IPNetwork.complement(of: allowed, ipv6: false) + IPNetwork.complement(of: allowed, ipv6: true)
        case .publicOnly: IPNetwork.specialPurpose(ipv6: false) + IPNetwork.specialPurpose(ipv6: true)
        }
    }
}

/// How a ``ValidatingResolver`` reaches the DNS and what it trusts.
///
/// There is no implicit default upstream: libunbound's built-in root hints (the real root
/// servers) are never used, because a root hints file must be given and is checked to hold a
/// root NS set with addresses before libunbound sees it.
public struct ResolverConfiguration: Sendable, Hashable {
    /// Where iteration starts.
    public enum Upstream: Sendable, Hashable {
        /// Full recursion from the root servers in this zone-file-format hints file.
        case rootHints(file: String)
        /// Forward every query to this recursive resolver (`address` or `address@port`).
        case forwarder(address: String)
    }

    public var upstream: Upstream
    /// Trust anchor file: DS or DNSKEY records of the root in zone-file format.
    public var trustAnchorFile: String
    /// The families the vantage has; the other is switched off (`do-ip4`/`do-ip6`).
    public var families: Set<AddressFamily>
    /// How long libunbound may work on one question before it is cancelled and reported as
    /// `TIMEOUT` (counted from when the question is handed to libunbound; a bogus answer's
    /// second, non-validating lookup has its own budget).
    public var queryTimeout: Duration
    /// The longest libunbound waits for one nameserver's answer to one try before it counts the
    /// try as lost and retries there or elsewhere (`infra-cache-max-rtt`; libunbound's own
    /// default is 120 s). A try's wait starts short and doubles after each loss up to this cap,
    /// so with the default a validator that restarts a bogus answer against a zone's other
    /// servers waited 30 s to 5 min on one silent address (docs/ARCHITECTURE.md, "A silent nameserver").
    /// 5 s by default: Internet.nl gives a whole question 5 s (`DNS_TIMEOUT` in its
    /// `checks/resolver.py`), so an answer slower than that never counts there either.
    public var serverWait: Duration
    /// The ``serverWait`` values ``validate()`` accepts.
    public static let serverWaitLimits: ClosedRange<Duration> = .milliseconds(100) ... .seconds(120)
    /// Where queries may go. Defaults to loopback and the lab ranges.
    public var upstreamPolicy: UpstreamPolicy
    /// Questions handed to libunbound at once per context; more wait in line.
    public var maxQueriesInFlight: Int

    public init(
        upstream: Upstream, trustAnchorFile: String, families: Set<AddressFamily> = [.ipv4, .ipv6],
        queryTimeout: Duration = .seconds(10), serverWait: Duration = .seconds(5),
        upstreamPolicy: UpstreamPolicy = .labAndLoopback, maxQueriesInFlight: Int = 256
    ) {
        self.upstream = upstream
        self.trustAnchorFile = trustAnchorFile
        self.families = families
        self.queryTimeout = queryTimeout
        self.serverWait = serverWait
        self.upstreamPolicy = upstreamPolicy
        self.maxQueriesInFlight = maxQueriesInFlight
    }

    /// Checks everything that can be checked before libunbound is involved: files readable and
    /// meaningful, addresses parseable and allowed, limits positive.
    public func validate() throws(ResolverError) {
        guard !families.isEmpty else { throw ResolverError(.noAddressFamily, "enable ipv4, ipv6 or both") }
        guard queryTimeout > .zero, maxQueriesInFlight > 0 else {
            throw ResolverError(.limitInvalid, "query timeout and in-flight limit must be positive")
        }
        guard Self.serverWaitLimits.contains(serverWait) else {
            throw ResolverError(.limitInvalid, "the wait for one nameserver's answer must be between \(Self.serverWaitLimits.lowerBound) and \(Self.serverWaitLimits.upperBound)")
        }
        switch upstream {
        case .rootHints(let file):
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ResolverError(.rootHintsUnreadable, "cannot read root hints file \(file)")
            }
            let hints = RootHints.parse(text)
            try hints.check(file: file)
            let addresses = hints.addresses.filter { address in
                families.contains(address.count == 4 ? .ipv4 : .ipv6)
            }
            guard !addresses.isEmpty else {
                throw ResolverError(.rootHintsInvalid, "\(file) has no root server address of an enabled family")
            }
            for address in hints.addresses where !upstreamPolicy.allows(address) {
                throw ResolverError(.upstreamNotAllowed, "root hint address \(RootHints.text(address)) is outside the allowed networks")
            }
        case .forwarder(let address):
            let host = address.split(separator: "@", maxSplits: 1).first.map(String.init) ?? ""
            let port = address.split(separator: "@", maxSplits: 1).dropFirst().first
            guard let octets = IPNetwork.parseAddress(host), port.map({ UInt16($0) != nil }) ?? true else {
                throw ResolverError(.forwarderInvalid, "forwarder \(address) is not ADDRESS or ADDRESS@PORT")
            }
            guard families.contains(octets.count == 4 ? .ipv4 : .ipv6) else {
                throw ResolverError(.forwarderInvalid, "forwarder \(address) is of a family the vantage lacks")
            }
            guard upstreamPolicy.allows(octets) else {
                throw ResolverError(.upstreamNotAllowed, "forwarder \(address) is outside the allowed networks")
            }
        }
        guard let anchors = try? String(contentsOfFile: trustAnchorFile, encoding: .utf8) else {
            throw ResolverError(.trustAnchorInvalid, "cannot read trust anchor file \(trustAnchorFile)")
        }
        guard RootHints.records(in: anchors).contains(where: { $0.type == "DS" || $0.type == "DNSKEY" }) else {
            throw ResolverError(.trustAnchorInvalid, "\(trustAnchorFile) holds no DS or DNSKEY record")
        }
    }
}
