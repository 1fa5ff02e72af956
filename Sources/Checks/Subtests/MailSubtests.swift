import PeilModel

/// Every mail subtest Peil judges for one domain, by Internet.nl's batch name (`docs/SUBTESTS.md`).
///
/// The authentication subtests are ``MailAuthColumns``' results, `starttls_exists` the
/// `starttls` column's cell, the TLS and certificate subtests the results the `starttls_ncsc`
/// column is the worst of (per subtest, the worst over every answering MX address), DANE
/// the DANE target's verdicts per MX host, CAA ``CAACheck`` on the set climbing from each MX
/// host found (Internet.nl's `mail_caa`, `checks/tasks/tls/scans.py` `cert_checks`). Without
/// an MX to test, the STARTTLS subtests take the `starttls` column's status for
/// `starttls_exists` and are `not_tested` otherwise.
public enum MailSubtests {
    static let tls: [SubtestID] = [.mailSTARTTLSTLSVersion, .mailSTARTTLSTLSCiphers, .mailSTARTTLSTLSCipherOrder, .mailSTARTTLSTLSKeyExchange,
                                   .mailSTARTTLSTLSKeyExchangeHash, .mailSTARTTLSTLSCompress, .mailSTARTTLSTLSSecureRenegotiation,
                                   .mailSTARTTLSTLSClientRenegotiation, .mailSTARTTLSTLSExtendedMasterSecret, .mailSTARTTLSTLSZeroRTT,
                                   .mailSTARTTLSCertChain, .mailSTARTTLSCertPubkey, .mailSTARTTLSCertSig, .mailSTARTTLSCertDomain,
                                   .mailSTARTTLSDANEExist, .mailSTARTTLSDANEValid, .mailSTARTTLSDANERollover, .mailSTARTTLSTLSCAA]
    static let ipv6Servers: [SubtestID] = [.mailIPv6MXAddress, .mailIPv6MXReach]
    static let dnssecServers: [SubtestID] = [.mailDNSSECMXExist, .mailDNSSECMXValid]

    /// `columns`: the domain's mail bulk columns; `auth`: the mail-authentication results.
    public static func evaluate(_ evidence: DomainEvidence, auth: MailAuthColumns, columns: [String: StatusCell], ruleSet: RuleSet,
                                dane judge: DANESubtestJudge) -> [SubtestID: StatusCell] {
        var cells = SubtestCells()
        let facts = evidence.facts
        let climbFailure = evidence.mailNameserverClimbFailure
        cells.add(.mailIPv6NSAddress, IPv6Subtests.nameserverAddresses(evidence, servers: facts.nameservers, climbFailure: climbFailure))
        cells.add(.mailIPv6NSReach, IPv6Subtests.nameserverReachability(evidence, servers: facts.nameservers, climbFailure: climbFailure))
        for (id, cell) in DNSSECSubtests.cells(facts.dnssec, name: facts.domain, exists: .mailDNSSECMailtoExist, valid: .mailDNSSECMailtoValid) {
            cells.add(id, cell)
        }
        for result in [auth.dmarc, auth.dmarcPolicy, auth.dkim, auth.spf, auth.spfPolicy] {
            cells.add(result, test: .mail, server: facts.domain)
        }
        let starttls = columns["starttls"] ?? StatusCell(.error, "no STARTTLS verdict")
        cells.add(.mailSTARTTLSTLSAvailable, starttls)
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        guard !hosts.isEmpty, hosts.count == facts.mx.count else {
            // No MX host to judge: not tested, unless the column says the MX set is unknown
            // (its lookup failed, or there is no verdict): then error, with the column's reason.
            let cell = StatusCell(starttls.status == .error ? .error : .notTested, starttls.because)
            cells.set(ipv6Servers + dnssecServers + tls, cell)
            return cells.cells
        }
        cells.add(.mailIPv6MXAddress, IPv6Subtests.mailServerAddresses(hosts, evidence))
        cells.add(.mailIPv6MXReach, IPv6Subtests.mailServerReachability(hosts, evidence))
        for host in hosts {
            for (id, cell) in DNSSECSubtests.cells(host.dnssec, name: host.host, exists: .mailDNSSECMXExist, valid: .mailDNSSECMXValid) {
                cells.add(id, cell)
            }
        }
        guard starttls.status == .passed else {
            cells.set(tls, StatusCell(.notTested, "STARTTLS \(starttls.status.rawValue): \(starttls.because)"))
            return cells.cells
        }
        for host in hosts {
            let answered = (host.ipv4 + host.ipv6).filter { !ConnectPlanner.isMapped($0) }
                .compactMap { address in evidence.mail[address].map { (address, $0.tls) } }
                .filter { $0.1.outcome == .completed }
            for (address, scan) in answered {
                for result in tlsResults(scan, ruleSet: ruleSet) { cells.add(result, test: .mail, server: "\(host.host) \(address)") }
            }
            let chain = answered.compactMap { $0.1.certificate?.chainDER }.first { !$0.isEmpty }
            for result in judge(host.host, host.tlsa, host.dnssec, chain) { cells.add(result, test: .mail, server: host.host) }
            cells.add(.mailSTARTTLSTLSCAA, caa(host, evidence))
        }
        return cells.cells
    }

    /// CAA at the name the climb from the MX host found; `error` when nothing was found and the
    /// host's own CAA lookup failed (absence unknown); `not_tested` for an observation stored
    /// before the resolution climbed CAA per MX host.
    static func caa(_ host: MailExchanger, _ evidence: DomainEvidence) -> StatusCell {
        guard let caa = host.caa else { return StatusCell(.notTested, "\(host.host): CAA not observed (resolved before Peil climbed CAA per MX host)") }
        if caa.foundAt == nil, evidence.lookupFailed(host.host, "CAA") {
            return StatusCell(.error, "the CAA lookup of \(host.host) failed")
        }
        return SubtestCells.cell(CAACheck.evaluate(foundAt: caa.foundAt, records: caa.records), server: host.host)
    }

    /// The results the `starttls_ncsc` column is the worst of (``MailServerColumns/tlsColumn``),
    /// one per subtest: OCSP stapling is no mail subtest; 0-RTT does not apply to SMTP, which
    /// Internet.nl reports as passed with verdict "na" (`checks/tasks/tls/scans.py`, mail
    /// `zero_rtt=ZeroRttStatus.na`); certificate trust and name are informational.
    static func tlsResults(_ scan: TLSScanResult, ruleSet: RuleSet) -> [SubtestResult] {
        guard var results = MailServerColumns.tlsSubtests(scan, ruleSet: ruleSet) else {
            return tls.filter { !$0.rawValue.contains("_dane_") && $0 != .mailSTARTTLSTLSCAA }.map { SubtestResult(name: $0.reportName, status: .error, requirement: .mandatory, findings: [Finding("no-tls-observation")]) }
        }
        results.append(SubtestResult(name: "zero_rtt", status: .passed, requirement: .informational, findings: [Finding("na", detail: "0-RTT does not apply to SMTP")]))
        return results
    }
}
