import ArgumentParser
import Checks
import Foundation
import PeilModel
import Probes

/// `peil resolve`: run the resolve probe for one domain and print what it found. An operator's
/// debugging tool, and what the lab tests run inside a vantage namespace.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve every DNS fact of a domain through a validating resolver and print them.",
        discussion: """
            Give either --root-hints (full recursion from those root servers) or --forwarder \
            (a recursive resolver to ask), and always --trust-anchor. Queries go only to \
            loopback and the lab ranges (198.18.0.0/15, 2001:2::/48) unless --any-upstream is given.
            """
    )

    @Argument(help: "The domain, e.g. example.nl.")
    var domain: String

    @Option(help: "The web host (default www.<domain>).")
    var webHost: String?

    @OptionGroup var resolver: ResolverOptions

    @Option(help: "Address families this vantage has: ipv4, ipv6 or ipv4,ipv6.")
    var families: String = "ipv4,ipv6"

    @Flag(help: "Print the observation (facts and every query) as JSON.")
    var json = false

    @Flag(help: "Print the DNS-decidable mail bulk columns (dmarc, dkim, spf, dmarc_policy, spf_policy, dnssec_mx) as one JSON line.")
    var mailColumns = false

    @Option(help: "The rule set for --mail-columns: internetnl-current or internetnl-2021.")
    var ruleSet: String = RuleSet.internetnlCurrent.rawValue

    @Flag(help: "Skip the mail-authentication follow-up questions (SPF tree, DMARC fallback and authorisations, DKIM wildcard).")
    var noMailFollowUp = false

    @OptionGroup var mailAuth: MailAuthOptions

    func validate() throws {
        _ = try FamilyList.parse(families)
        guard RuleSet(rawValue: ruleSet) != nil else {
            throw ValidationError("unknown rule set '\(ruleSet)' (use \(RuleSet.allCases.map(\.rawValue).joined(separator: " or ")))")
        }
        for name in [domain, webHost].compactMap({ $0 }) where !DNSNames.isValidQueryName(name) {
            throw ValidationError("'\(name)' is not a valid domain name")
        }
    }

    func run() async throws {
        let resolver = try ValidatingResolver(self.resolver.configuration(families: try FamilyList.parse(families)))
        defer { resolver.shutdown() }
        let started = ContinuousClock.now
        let psl = try mailAuth.loadList()
        let followUp = noMailFollowUp ? nil : MailAuthOptions.followUp(psl)
        let observation = try await DomainResolution(resolver: resolver, followUp: followUp, retry: .standard).resolve(domain: domain, webHost: webHost)
        let elapsed = ContinuousClock.now - started
        if mailColumns {
            let columns = await MailColumns.evaluate(observation, ruleSet: RuleSet(rawValue: ruleSet) ?? .internetnlCurrent, psl: psl)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(columns), as: UTF8.self))
        } else if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(observation), as: UTF8.self))
        } else {
            print(ResolveReport.text(observation, elapsed: elapsed))
        }
    }
}

/// The human-readable form of a resolution.
enum ResolveReport {
    static func text(_ observation: ResolutionObservation, elapsed: Duration) -> String {
        let facts = observation.facts
        func hosts(_ address: HostAddresses) -> String {
            "\(address.host)  A \(list(address.ipv4))  AAAA \(list(address.ipv6))"
        }
        var lines = [
            "domain        \(facts.domain)  DNSSEC \(facts.dnssec.rawValue)\(facts.dnssecReason.map { " (\($0))" } ?? "")",
            "nameservers   zone \(facts.nsZone ?? "-")",
        ]
        lines += facts.nameservers.map { "  " + hosts($0) }
        lines.append("addresses     " + hosts(facts.domainAddresses))
        lines.append("web           " + hosts(facts.web) + "  DNSSEC \(facts.webDNSSEC.rawValue)")
        lines.append("web TLSA      \(list(facts.webTLSA))")
        lines.append("CAA           \(facts.caaFoundAt.map { "at \($0): \(list(facts.caa))" } ?? "-")")
        lines.append("MX            \(facts.nullMX ? "null MX" : facts.mx.isEmpty ? "none" : "\(facts.mx.count) exchanger(s)")")
        for exchanger in facts.mx where !exchanger.host.isEmpty {
            lines.append("  \(exchanger.preference) \(exchanger.host)  DNSSEC \(exchanger.dnssec.rawValue)  A \(list(exchanger.ipv4))  AAAA \(list(exchanger.ipv6))  TLSA \(list(exchanger.tlsa))")
        }
        lines.append("SPF           \(list(facts.spf))")
        lines.append("DMARC         \(list(facts.dmarc))")
        lines.append("_domainkey    \(facts.domainKey.rawValue)")
        lines.append("TXT           \(list(facts.txt))")
        lines.append("")
        lines.append("\(observation.queries.count) questions in \(elapsed.formatted(.units(allowed: [.milliseconds])))")
        for query in observation.queries {
            lines.append("  \(query.name) \(query.type)  \(query.rcode) \(query.dnssec.rawValue)\(query.reason.map { " (\($0))" } ?? "")  \(list(query.records))")
        }
        return lines.joined(separator: "\n")
    }

    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "-" : items.joined(separator: ", ")
    }
}
