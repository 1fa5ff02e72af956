import ArgumentParser
import PeilModel
import Probes

/// Where a validating resolver starts and what it trusts: shared by `resolve`, `agent` and `lint`.
struct ResolverOptions: ParsableArguments {
    @Option(help: "Root hints file (zone-file format, NS and A/AAAA of the root servers).")
    var rootHints: String?

    @Option(help: "Or: a recursive resolver to forward to, ADDRESS or ADDRESS@PORT.")
    var forwarder: String?

    @Option(help: "Trust anchor file: the root's DS or DNSKEY records, zone-file format.")
    var trustAnchor: String

    /// 45 s by default: a ceiling, not a pace. A validator that meets a bogus answer restarts
    /// against each server of the zone; each try waits at most `--nameserver-wait` (5 s), so a
    /// bogus zone with one silent nameserver address is judged bogus in 13–15 s, now and then 25 s
    /// (docs/ARCHITECTURE.md, "A silent nameserver"); a deadline shorter than that would turn it
    /// into an error.
    @Option(name: .customLong("query-timeout"), help: "Seconds one DNS question may take.")
    var timeout: Double = 45

    @Option(name: .customLong("nameserver-wait"),
            help: "Seconds the resolver waits for one nameserver's answer to one try before it tries again or elsewhere (libunbound's infra-cache-max-rtt).")
    var nameserverWait: Double = 5

    @Flag(help: "Measure the real internet: the resolver queries, and an agent connects to, public addresses only (never loopback, private, link-local or other special-purpose addresses). Without it, only loopback and the lab ranges (198.18.0.0/15, 2001:2::/48).")
    var anyUpstream = false

    func validate() throws {
        guard (rootHints == nil) != (forwarder == nil) else {
            throw ValidationError("give exactly one of --root-hints FILE or --forwarder ADDRESS")
        }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--query-timeout must be between 0 and 300 seconds") }
        let limits = ResolverConfiguration.serverWaitLimits
        let (shortest, longest) = (limits.lowerBound / .seconds(1), limits.upperBound / .seconds(1))
        // Compared as a number first: NaN and infinity never reach the conversion to a Duration.
        guard nameserverWait >= shortest, nameserverWait <= longest else {
            throw ValidationError("--nameserver-wait must be between \(shortest) and \(longest) seconds")
        }
    }

    func configuration(families: Set<AddressFamily>) -> ResolverConfiguration {
        Self.configuration(rootHints: rootHints, forwarder: forwarder, trustAnchor: trustAnchor,
                           timeout: timeout, nameserverWait: nameserverWait, anyUpstream: anyUpstream, families: families)
    }

    /// The resolver configuration these options describe (shared with `lint`'s optional ones).
    static func configuration(rootHints: String?, forwarder: String?, trustAnchor: String, timeout: Double,
                              nameserverWait: Double = 5, anyUpstream: Bool, families: Set<AddressFamily>) -> ResolverConfiguration {
        let upstream: ResolverConfiguration.Upstream = rootHints.map { .rootHints(file: $0) } ?? .forwarder(address: forwarder ?? "")
        return ResolverConfiguration(
            upstream: upstream, trustAnchorFile: trustAnchor, families: families,
            queryTimeout: .milliseconds(Int64(timeout * 1000)), serverWait: .milliseconds(Int64(nameserverWait * 1000)),
            upstreamPolicy: anyUpstream ? .publicOnly : .labAndLoopback)
    }
}

/// Parses `--families ipv4,ipv6`.
enum FamilyList {
    static func parse(_ text: String) throws -> Set<AddressFamily> {
        var result = Set<AddressFamily>()
        for word in text.split(separator: ",") {
            guard let family = AddressFamily(rawValue: word.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ValidationError("unknown family '\(word)' in --families (use ipv4, ipv6 or ipv4,ipv6)")
            }
            result.insert(family)
        }
        guard !result.isEmpty else { throw ValidationError("--families needs ipv4, ipv6 or both") }
        return result
    }
}
