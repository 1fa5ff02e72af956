import PeilModel

/// Every web subtest Peil judges for one domain, by Internet.nl's batch name (`docs/SUBTESTS.md`).
///
/// The subtests behind the bulk columns are the checks' own results surfaced, not judged again:
/// `https_exists`, `https_forced` and `https_hsts` are the columns' cells; the TLS, certificate
/// and HTTP-compression subtests are the results the `tls_ncsc` column is the worst of, here
/// per subtest and the worst over the web host's probed addresses. New ones: the security
/// headers of the HTTPS response (X-Frame-Options, X-Content-Type-Options, CSP,
/// Referrer-Policy), CAA, DANE for `_443._tcp` and security.txt (``SecurityTxtCheck/cell(_:address:)``).
/// Without HTTPS, every HTTPS subtest but
/// `https_exists` and `https_forced` is `not_tested`, as in Internet.nl.
public enum WebSubtests {
    /// The web TLS subtests (not `https_exists`, `https_forced`, `https_hsts`, CAA or DANE).
    static let tls: [SubtestID] = [.webHTTPSHTTPCompress, .webHTTPSTLSVersion, .webHTTPSTLSCiphers, .webHTTPSTLSCipherOrder,
                                   .webHTTPSTLSKeyExchange, .webHTTPSTLSKeyExchangeHash, .webHTTPSTLSCompress,
                                   .webHTTPSTLSSecureRenegotiation, .webHTTPSTLSClientRenegotiation, .webHTTPSTLSExtendedMasterSecret,
                                   .webHTTPSTLSZeroRTT, .webHTTPSTLSOCSP, .webHTTPSCertChain, .webHTTPSCertPubkey, .webHTTPSCertSig,
                                   .webHTTPSCertDomain]
    static let headers: [SubtestID] = [.webAppsecprivXFrameOptions, .webAppsecprivXContentTypeOptions, .webAppsecprivCSP, .webAppsecprivReferrerPolicy]
    static let dane: [SubtestID] = [.webHTTPSDANEExist, .webHTTPSDANEValid]

    /// `columns`: the domain's web bulk columns (``WebColumns/evaluate(_:ruleSet:)``).
    public static func evaluate(_ evidence: DomainEvidence, columns: [String: StatusCell], ruleSet: RuleSet,
                                dane judge: DANESubtestJudge, tlsaDNSSEC: DNSSECStatus) -> [SubtestID: StatusCell] {
        var cells = SubtestCells()
        let facts = evidence.facts
        let climbFailure = evidence.webNameserverClimbFailure
        cells.add(.webIPv6NSAddress, IPv6Subtests.nameserverAddresses(evidence, servers: facts.webTestNameservers, climbFailure: climbFailure))
        cells.add(.webIPv6NSReach, IPv6Subtests.nameserverReachability(evidence, servers: facts.webTestNameservers, climbFailure: climbFailure))
        cells.add(.webIPv6WSAddress, IPv6Subtests.webServerAddresses(evidence))
        cells.add(.webIPv6WSReach, IPv6Subtests.webServerReachability(evidence))
        cells.add(.webIPv6WSSimilar, IPv6Subtests.sameWebsite(evidence))
        for (id, cell) in DNSSECSubtests.cells(facts.webDNSSEC, name: facts.web.host, exists: .webDNSSECExist, valid: .webDNSSECValid) {
            cells.add(id, cell)
        }
        let available = columns["tls_available"] ?? StatusCell(.error, "no HTTPS verdict")
        cells.add(.webHTTPSHTTPAvailable, available)
        cells.add(.webHTTPSHTTPRedirect, columns["https_redirect"] ?? StatusCell(.error, "no redirect verdict"))
        guard available.status == .passed else {
            let cell = StatusCell(.notTested, "HTTPS not available (\(available.status.rawValue))")
            cells.set([.webHTTPSHTTPHSTS, .webHTTPSTLSCAA, .webAppsecprivSecurityTxt] + tls + dane + headers, cell)
            return cells.cells
        }
        cells.add(.webHTTPSHTTPHSTS, columns["hsts"] ?? StatusCell(.error, "no HSTS verdict"))
        cells.add(.webHTTPSTLSCAA, caa(evidence))
        let secure = evidence.probedAddresses.compactMap { address in
            evidence.web[address].flatMap { $0.tls.outcome == .completed ? (address, $0) : nil }
        }
        for (address, web) in secure {
            for result in tlsResults(web, ruleSet: ruleSet) { cells.add(result, test: .web, server: address) }
            for (id, cell) in headerCells(web, address: address, host: facts.web.host, ruleSet: ruleSet) { cells.add(id, cell) }
            cells.add(.webAppsecprivSecurityTxt, SecurityTxtCheck.cell(web, address: address))
            let chain = web.tls.certificate?.chainDER
            for result in judge(facts.web.host, facts.webTLSA, tlsaDNSSEC, chain?.isEmpty == false ? chain : nil) {
                cells.add(result, test: .web, server: "\(facts.web.host) \(address)")
            }
        }
        return cells.cells
    }

    /// The results the `tls_ncsc` column is the worst of (``WebColumns/tlsSubtests``), one per
    /// subtest; what the column leaves out is said here: the host name when the certificate was
    /// not verified (not tested), HTTP compression without an HTTPS response (error).
    static func tlsResults(_ web: WebObservation, ruleSet: RuleSet) -> [SubtestResult] {
        guard var results = WebColumns.tlsSubtests(web, ruleSet: ruleSet) else {
            return tls.map { SubtestResult(name: $0.reportName, status: .error, requirement: .mandatory, findings: [Finding("no-tls-observation")]) }
        }
        if !results.contains(where: { $0.name == "cert_hostmatch" }) {
            results.append(SubtestResult(name: "cert_hostmatch", status: .notTested, requirement: .mandatory, findings: [Finding("not_verified")]))
        }
        if !results.contains(where: { $0.name == "http_compression" }) {
            results.append(SubtestResult(name: "http_compression", status: .error, requirement: .informational, findings: [Finding("no-https-response")]))
        }
        return results
    }

    /// The four security-header subtests on the HTTPS response to `GET /` (redirects not followed).
    static func headerCells(_ web: WebObservation, address: String, host: String, ruleSet: RuleSet) -> [(SubtestID, StatusCell)] {
        guard let https = web.https, https.status != nil else {
            let cell = StatusCell(.error, "\(address): no HTTPS response (\(web.https?.error ?? "not asked"))")
            return headers.map { ($0, cell) }
        }
        let results: [(SubtestID, SubtestResult)] = [
            (.webAppsecprivXFrameOptions, SecurityHeaders.xFrameOptions(https.values("X-Frame-Options"), ruleSet: ruleSet)),
            (.webAppsecprivXContentTypeOptions, SecurityHeaders.xContentTypeOptions(https.values("X-Content-Type-Options"), ruleSet: ruleSet)),
            (.webAppsecprivCSP, CSPCheck.evaluate(https.values("Content-Security-Policy"), host: host, ruleSet: ruleSet)),
            (.webAppsecprivReferrerPolicy, SecurityHeaders.referrerPolicy(https.values("Referrer-Policy"), ruleSet: ruleSet)),
        ]
        return results.map { ($0.0, SubtestCells.cell($0.1, server: address)) }
    }

    /// CAA at the name the climb from the web host found; `error` when nothing was found and
    /// the web host's own CAA lookup failed (absence unknown).
    static func caa(_ evidence: DomainEvidence) -> StatusCell {
        let facts = evidence.facts
        if facts.caaFoundAt == nil, evidence.lookupFailed(facts.web.host, "CAA") {
            return StatusCell(.error, "the CAA lookup of \(facts.web.host) failed")
        }
        return SubtestCells.cell(CAACheck.evaluate(foundAt: facts.caaFoundAt, records: facts.caa), server: facts.caaFoundAt ?? facts.web.host)
    }
}

/// The two DNSSEC subtests of one name from its validation status: secure passes both;
/// insecure fails `exists` (and `valid` is not tested); bogus has signatures (`exists`
/// passed) that do not validate (`valid` failed); a failed lookup is `error` for both.
public enum DNSSECSubtests {
    public static func cells(_ status: DNSSECStatus, name: String, exists: SubtestID, valid: SubtestID) -> [(SubtestID, StatusCell)] {
        let because = "\(name): \(status.rawValue)"
        switch status {
        case .secure: return [(exists, StatusCell(.passed, because)), (valid, StatusCell(.passed, because))]
        case .insecure: return [(exists, StatusCell(.failed, because)), (valid, StatusCell(.notTested, because))]
        case .bogus: return [(exists, StatusCell(.passed, because)), (valid, StatusCell(.failed, because))]
        case .error: return [(exists, StatusCell(.error, because)), (valid, StatusCell(.error, because))]
        }
    }
}
