import PeilModel

/// The mail bulk columns that need the mail servers themselves: `starttls`, `starttls_ncsc`,
/// `dane`, `ipv6_mailserver`, and the IPv6 category `ipv6_mail` with `ipv6_nameserver`.
///
/// MX discovery as in `MailExchangerDNSSEC`: a null MX alone → not_tested; a null MX beside
/// other MX → warning (DANE info); no MX but an address → info; no MX and no address →
/// not_tested (2021) or no_mx (current); a failed MX lookup → error. Each MX host is judged on its addresses that answered
/// on port 25; a host none of whose addresses answered makes the STARTTLS columns
/// `unreachable` (never failed). Across hosts a column takes the worst status.
public enum MailServerColumns {
    public static let names = ["starttls", "starttls_ncsc", "dane", "ipv6_mailserver", "ipv6_nameserver", "ipv6_mail"]

    /// Whether an MX host's TLSA records (DNSSEC-secure) match the chain it presented, and why.
    public typealias DANEJudge = @Sendable (_ exchanger: MailExchanger, _ chainDER: [String]) -> (valid: Bool, because: String)

    public static func evaluate(_ evidence: DomainEvidence, ruleSet: RuleSet, dane: DANEJudge) -> [String: StatusCell] {
        var columns = servers(evidence, ruleSet: ruleSet, dane: dane)
        let nameservers = IPv6Columns.nameservers(evidence, servers: evidence.facts.nameservers,
                                                  climbFailure: evidence.mailNameserverClimbFailure)
        columns["ipv6_nameserver"] = nameservers
        let parts = [nameservers.status, columns["ipv6_mailserver"]?.status ?? .error]
        let category = Status.category(ofMandatory: parts)
        columns["ipv6_mail"] = StatusCell(category, category == .passed ? "nameservers and mail servers"
                                              : "nameservers: \(parts[0].rawValue); mail servers: \(parts[1].rawValue)")
        return columns
    }

    static func servers(_ evidence: DomainEvidence, ruleSet: RuleSet, dane: DANEJudge) -> [String: StatusCell] {
        let facts = evidence.facts
        func all(_ status: Status, dane: Status? = nil, _ because: String) -> [String: StatusCell] {
            ["starttls": StatusCell(status, because), "starttls_ncsc": StatusCell(status, because),
             "dane": StatusCell(dane ?? status, because), "ipv6_mailserver": StatusCell(status, because)]
        }
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        if hosts.isEmpty {
            if facts.nullMX { return all(.notTested, "null MX: receives no mail") }
            // No MX seen because the MX lookup failed is unknown, not "no MX" (as `dnssec_mx`).
            if evidence.lookupFailed(facts.domain, "MX") { return all(.error, "the MX lookup of \(facts.domain) failed") }
            if !facts.domainAddresses.ipv4.isEmpty || !facts.domainAddresses.ipv6.isEmpty { return all(.info, "no MX, but the domain has A/AAAA") }
            return all(ruleSet == .internetnl2021 ? .notTested : .noMX, "no MX and no address")
        }
        if hosts.count != facts.mx.count { return all(.warning, dane: .info, "null MX next to other MX records") }
        var columns: [String: StatusCell] = ["ipv6_mailserver": ipv6(hosts, evidence)]
        var starttls: [StatusCell] = [], ncsc: [StatusCell] = [], daneColumns: [StatusCell] = []
        for host in hosts {
            let addresses = (host.ipv4 + host.ipv6).filter { !ConnectPlanner.isMapped($0) }
            let seen = addresses.compactMap { address in evidence.mail[address].map { (address, $0.tls) } }
            guard seen.count == addresses.count, !addresses.isEmpty else {
                let missing = addresses.filter { evidence.mail[$0] == nil }.map { "\($0) (\(evidence.whyNotProbed(.mail, $0)))" }
                let why = addresses.isEmpty ? "\(host.host) has no address" : "\(host.host): not every address was probed: " + missing.joined(separator: ", ")
                starttls.append(StatusCell(.error, why)); ncsc.append(StatusCell(.error, why)); daneColumns.append(StatusCell(.error, why))
                continue
            }
            let answered = seen.filter { $0.1.outcome != .unreachable }
            guard !answered.isEmpty else {
                let why = "\(host.host): port 25 does not answer (\(seen.compactMap(\.1.detail).first ?? "no connection"))"
                starttls.append(StatusCell(.unreachable, why)); ncsc.append(StatusCell(.unreachable, why)); daneColumns.append(StatusCell(.unreachable, why))
                continue
            }
            if let bad = answered.first(where: { [.noStartTLS, .noTLS].contains($0.1.outcome) }) {
                let why = "\(host.host) \(bad.0): " + (bad.1.outcome == .noStartTLS ? "no STARTTLS" : "STARTTLS without a working TLS version") + (bad.1.detail.map { " (\($0))" } ?? "")
                starttls.append(StatusCell(.failed, why)); ncsc.append(StatusCell(.failed, why))
            } else if let unsure = answered.first(where: { $0.1.outcome == .inconclusive }) {
                let why = "\(host.host) \(unsure.0): scan inconclusive (\(unsure.1.detail ?? "no detail"))"
                starttls.append(StatusCell(.error, why)); ncsc.append(StatusCell(.error, why))
            } else {
                starttls.append(StatusCell(.passed, "STARTTLS on \(host.host)"))
                ncsc += answered.map { tlsColumn($0.1, label: "\(host.host) \($0.0)", ruleSet: ruleSet) }
            }
            daneColumns.append(daneColumn(host, answered.compactMap { $0.1.outcome == .completed ? $0.1.certificate?.chainDER : nil }.first, dane,
                                          tlsaLookupFailed: evidence.lookupFailed("_25._tcp.\(host.host)", "TLSA")))
        }
        columns["starttls"] = StatusCell.worst(starttls)
        columns["starttls_ncsc"] = StatusCell.worst(ncsc)
        columns["dane"] = StatusCell.worst(daneColumns)
        return columns
    }

    /// Every MX host has AAAA, and port 25 answers on every IPv6 address.
    static func ipv6(_ hosts: [MailExchanger], _ evidence: DomainEvidence) -> StatusCell {
        var problems: [String] = [], unknown: [String] = []
        for host in hosts {
            let ipv6 = host.ipv6.filter { !ConnectPlanner.isMapped($0) }
            if ipv6.isEmpty, evidence.lookupFailed(host.host, "AAAA") { unknown.append("\(host.host) (AAAA lookup failed)"); continue }
            if ipv6.isEmpty { problems.append("\(host.host) has no AAAA"); continue }
            for address in ipv6 {
                guard let seen = evidence.mail[address] else { unknown.append("\(address) (\(evidence.whyNotProbed(.mail, address)))"); continue }
                if seen.tls.outcome == .unreachable { problems.append("\(host.host) \(address): port 25 does not answer") }
            }
        }
        if !problems.isEmpty { return StatusCell(.failed, problems.joined(separator: "; ")) }
        if !unknown.isEmpty { return StatusCell(.error, "unknown: " + unknown.joined(separator: ", ")) }
        return StatusCell(.passed, "every MX reachable over IPv6")
    }

    /// The TLS subtests after STARTTLS (OCSP stapling not tested and 0-RTT not applicable for
    /// mail); certificate trust and name are informational. The worst status.
    static func tlsColumn(_ scan: TLSScanResult, label: String, ruleSet: RuleSet) -> StatusCell {
        guard let subtests = tlsSubtests(scan, ruleSet: ruleSet) else { return StatusCell(.error, "\(label): no TLS observation") }
        return StatusCell.worst(of: subtests, label: label)
    }

    /// The subtests `starttls_ncsc` is the worst of, for one address; nil without a TLS
    /// observation. The per-domain subtests (``MailSubtests``) surface them one by one.
    static func tlsSubtests(_ scan: TLSScanResult, ruleSet: RuleSet) -> [SubtestResult]? {
        guard let observation = scan.observation else { return nil }
        var subtests = TLSEvaluation.evaluate(observation, ruleSet: ruleSet).filter { !["ocsp_stapling", "zero_rtt"].contains($0.name) }
        let certificate = scan.certificate
        subtests.append(SubtestResult(name: "cert_trust", status: certificate?.trusted == true ? .passed : .info, requirement: .informational,
                                      findings: certificate?.trusted == true ? [] : [Finding("not_trusted", subject: certificate?.verifyError)]))
        subtests.append(SubtestResult(name: "cert_hostmatch", status: certificate?.nameMatches == true ? .passed : .info, requirement: .informational,
                                      findings: certificate?.nameMatches == true ? [] : [Finding("name_mismatch")]))
        return subtests
    }

    /// DANE for one MX host: TLSA present, DNSSEC-secure, and matching the presented chain.
    /// No TLSA because the lookup failed is unknown (`error`), not absent.
    static func daneColumn(_ host: MailExchanger, _ chain: [String]?, _ judge: DANEJudge, tlsaLookupFailed: Bool = false) -> StatusCell {
        if host.tlsa.isEmpty, tlsaLookupFailed { return StatusCell(.error, "unknown: the TLSA lookup for \(host.host) failed") }
        if host.tlsa.isEmpty { return StatusCell(.failed, "no TLSA for \(host.host)") }
        if host.dnssec != .secure { return StatusCell(.failed, "TLSA for \(host.host) is not DNSSEC-secure (\(host.dnssec.rawValue))") }
        guard let chain else { return StatusCell(.failed, "\(host.host) presented no certificate after STARTTLS") }
        let verdict = judge(host, chain)
        return StatusCell(verdict.valid ? .passed : .failed, "\(host.host): \(verdict.because)")
    }
}
