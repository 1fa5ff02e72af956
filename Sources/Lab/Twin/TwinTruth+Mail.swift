import PeilModel

extension TwinJudge {
    func mailColumns(_ domain: TwinDomain, _ facts: DNSFacts) -> [String: StatusCell] {
        var columns: [String: StatusCell] = [:]
        let name = domain.name
        columns["ipv6_nameserver"] = ipv6Nameservers(of: name)
        let spf = facts.spf
        columns["spf"] = spf.count == 1 ? StatusCell(.passed, "one SPF record")
            : StatusCell(.failed, spf.isEmpty ? "no SPF record" : "\(spf.count) SPF records")
        if spf.count == 1 {
            let problem = TwinMailRecords.spfPolicyProblem(spf[0]) { target in
                oracle.exists(target) || !oracle.records(target, "TXT").isEmpty ? oracle.records(target, "TXT") : nil
            }
            columns["spf_policy"] = problem.map { StatusCell(.failed, $0) }
                ?? StatusCell(.passed, spf[0])
        } else {
            columns["spf_policy"] = StatusCell(.failed, "no single SPF record")
        }
        let dmarc = dmarcColumns(name, facts)
        columns["dmarc"] = dmarc.exists
        columns["dmarc_policy"] = dmarc.policy
        let nonSending = dmarc.reject && spf.count == 1 && spf[0].lowercased() == "v=spf1 -all"
        // Internet.nl skips DKIM for a non-sending domain only when `_domainkey` is absent
        // (`skip_dkim_for_non_sending_domain`: `not dkim_available and …`).
        if nonSending && facts.domainKey != .exists {
            columns["dkim"] = StatusCell(.notApplicable, "sends no mail: DMARC p=reject and SPF 'v=spf1 -all'")
        } else if oracle.exists("*._domainkey." + name) {
            columns["dkim"] = StatusCell(.info, "_domainkey exists only through a wildcard")
        } else {
            columns["dkim"] = facts.domainKey == .exists ? StatusCell(.passed, "_domainkey exists")
                : StatusCell(.failed, "_domainkey is NXDOMAIN")
        }
        for (column, value) in mailServerColumns(facts) { columns[column] = value }
        let category = Status.category(ofMandatory: [columns["ipv6_nameserver"]!.status, columns["ipv6_mailserver"]!.status])
        columns["ipv6_mail"] = StatusCell(category, category == .passed ? "nameservers and mail servers" : "nameservers or mail servers fail")
        return columns
    }

    /// DMARC existence and policy, with the organisational domain's record as fallback.
    func dmarcColumns(_ name: String, _ facts: DNSFacts) -> (exists: StatusCell, policy: StatusCell, reject: Bool) {
        let organisational = TwinNames.organisational(name)
        var records = facts.dmarc.filter(TwinMailRecords.isDMARC)
        var source = "_dmarc.\(name)"
        if records.isEmpty && organisational != name {
            records = oracle.records("_dmarc." + organisational, "TXT").filter(TwinMailRecords.isDMARC)
            source = "_dmarc.\(organisational)"
        }
        guard records.count == 1 else {
            let why = records.isEmpty ? "no DMARC record" : "\(records.count) DMARC records at \(source)"
            return (StatusCell(.failed, why), StatusCell(.failed, why), false)
        }
        let policy = TwinMailRecords.dmarcPolicy(records[0], domain: name, organisational: organisational) { host in
            oracle.exists("\(name)._report._dmarc.\(host)") || oracle.exists("*._report._dmarc.\(host)")
        }
        let reject = TwinMailRecords.tags(records[0]).first { $0.name == "p" }?.value.lowercased() == "reject"
        return (StatusCell(.passed, "one record at \(source)"), StatusCell(policy.status, policy.because), reject)
    }

    /// starttls, starttls_ncsc, dnssec_mx, dane and ipv6_mailserver.
    func mailServerColumns(_ facts: DNSFacts) -> [String: StatusCell] {
        let names = ["starttls", "starttls_ncsc", "dnssec_mx", "dane", "ipv6_mailserver"]
        func all(_ status: Status, dane: Status, _ because: String) -> [String: StatusCell] {
            Dictionary(uniqueKeysWithValues: names.map { ($0, StatusCell($0 == "dane" ? dane : status, because)) })
        }
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        if hosts.isEmpty {
            if facts.nullMX { return all(.notTested, dane: .notTested, "null MX: receives no mail") }
            let addressed = !facts.domainAddresses.ipv4.isEmpty || !facts.domainAddresses.ipv6.isEmpty
            return addressed ? all(.info, dane: .info, "no MX, but the domain has A/AAAA")
                : all(.notTested, dane: .notTested, "no MX and no address")
        }
        if hosts.count != facts.mx.count { return all(.warning, dane: .info, "null MX next to other MX records") }
        var columns: [String: StatusCell] = [:]
        let platforms = hosts.map { mailPlatformByHost[$0.host] }
        let described = hosts.map(\.host).joined(separator: ", ")
        if platforms.contains(where: { $0 == nil }) {
            return all(.unreachable, dane: .unreachable, "an MX host is on no mail platform")
        }
        let servers = platforms.compactMap { $0 }
        let secure = hosts.allSatisfy { $0.dnssec == .secure }
        columns["dnssec_mx"] = StatusCell(secure ? .passed : .failed,
                                          hosts.map { "\($0.host) \(dnssec(of: $0.host).status.rawValue)" }.joined(separator: ", "))
        let ipv6 = zip(hosts, servers).allSatisfy { host, server in !host.ipv6.isEmpty && server.ipv6Service == .answering && server.smtp != .silent }
        columns["ipv6_mailserver"] = StatusCell(ipv6 ? .passed : .failed,
                                                servers.map { "\($0.id): IPv6 \($0.ipv6Service.rawValue)" }.joined(separator: ", "))
        if let silent = servers.first(where: { $0.smtp == .silent }) {
            for column in ["starttls", "starttls_ncsc", "dane"] {
                columns[column] = StatusCell(.unreachable, "port 25 on \(silent.id) does not answer")
            }
            return columns
        }
        if let plain = servers.first(where: { $0.smtp == .noStarttls }) {
            columns["starttls"] = StatusCell(.failed, "\(plain.id) offers no STARTTLS")
            columns["starttls_ncsc"] = StatusCell(.failed, "\(plain.id) offers no STARTTLS")
        } else {
            columns["starttls"] = StatusCell(.passed, "STARTTLS on \(described)")
            let judged = servers.compactMap { profiles[$0.tlsProfile] }
            let findings = judged.flatMap { TwinTLSCatalogue.findings($0, service: .mail) }
            columns["starttls_ncsc"] = StatusCell(
                Status.worst(of: judged.map { TwinTLSCatalogue.status($0, service: .mail) }) ?? .passed,
                "profiles " + judged.map(\.id).joined(separator: ", ") + (findings.isEmpty ? "" : ": " + findings.map { "\($0.item) (\($0.status.rawValue))" }.joined(separator: ", ")))
        }
        let daneProblems = zip(hosts, servers).compactMap { host, server -> String? in
            if host.tlsa.isEmpty { return "no TLSA for \(host.host)" }
            if host.dnssec != .secure { return "TLSA for \(host.host) is not DNSSEC-secure" }
            if server.tlsa != .valid { return "TLSA for \(host.host) matches no presented key" }
            if server.smtp != .starttls { return "\(host.host) offers no STARTTLS" }
            return nil
        }
        columns["dane"] = daneProblems.isEmpty ? StatusCell(.passed, "valid TLSA on \(described)")
            : StatusCell(.failed, daneProblems.joined(separator: "; "))
        return columns
    }
}
