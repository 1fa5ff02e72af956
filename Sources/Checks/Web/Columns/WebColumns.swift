import PeilModel

/// The 8 web bulk columns of one domain (`data/README.md`): `dnssec`, `tls_available`,
/// `tls_ncsc`, `https_redirect`, `hsts`, `ipv6_web`, `ipv6_nameserver`, `ipv6_webserver`.
///
/// HTTPS is judged on the probed addresses (one per family) that completed a TLS scan; an
/// address unreachable over one family is the IPv6 test's business, not HTTPS's. Without TLS
/// anywhere, a refusal on one address means HTTP only (failed), silence everywhere error. Across
/// addresses a column takes the worst status. A probe without a result gives `error`, and so
/// does a failed A or AAAA lookup of the web host (an address may be missing).
public enum WebColumns {
    public static func evaluate(_ evidence: DomainEvidence, ruleSet: RuleSet) -> [String: StatusCell] {
        var columns: [String: StatusCell] = [:]
        let facts = evidence.facts
        columns["dnssec"] = dnssecColumn(facts)
        columns["ipv6_nameserver"] = IPv6Columns.nameservers(evidence, servers: facts.webTestNameservers,
                                                             climbFailure: evidence.webNameserverClimbFailure)
        columns["ipv6_webserver"] = IPv6Columns.webServer(evidence)
        let parts = [columns["ipv6_nameserver"]!.status, columns["ipv6_webserver"]!.status]
        let category = Status.category(ofMandatory: parts)
        let because = switch category {
        case .passed: "nameservers and web server reachable over IPv6"
        case .error: "IPv6 nameservers or web server unknown (nameservers: \(parts[0].rawValue); web server: \(parts[1].rawValue))"
        default: "IPv6 nameservers or web server not passed"
        }
        columns["ipv6_web"] = StatusCell(category, because)
        for (name, column) in https(evidence, ruleSet: ruleSet) { columns[name] = column }
        return columns
    }

    /// `dnssec`: passed when the web host's answers are DNSSEC-secure, error when its lookup
    /// timed out or failed (unknown, as on the mail side), else failed.
    static func dnssecColumn(_ facts: DNSFacts) -> StatusCell {
        StatusCell(facts.webDNSSEC.columnStatus, "\(facts.web.host): \(facts.webDNSSEC.rawValue)")
    }

    /// `tls_available`, `tls_ncsc`, `https_redirect` and `hsts`.
    static func https(_ evidence: DomainEvidence, ruleSet: RuleSet) -> [String: StatusCell] {
        let host = evidence.facts.web.host
        let probed = evidence.probedAddresses
        func all(_ column: StatusCell) -> [String: StatusCell] {
            ["tls_available": column, "tls_ncsc": column, "https_redirect": column, "hsts": column]
        }
        guard !probed.isEmpty else { return all(StatusCell(.error, "\(host) has no address")) }
        // An address family whose lookup failed may hold the address that fails (or the one
        // with HTTPS): every address is judged, so none of these is known.
        if let failed = evidence.webAddressLookupFailure {
            return all(StatusCell(.error, "the \(failed) lookup of \(host) failed: not every address is known"))
        }
        let secure = probed.compactMap { address in evidence.web[address].flatMap { $0.tls.outcome == .completed ? (address, $0) : nil } }
        guard !secure.isEmpty else {
            let why = probed.map { "\($0): \(failure(of: $0, evidence))" }.joined(separator: "; ")
            // A definite refusal (or no TLS) on a probed address, and TLS nowhere: HTTP only,
            // even when another family's address is silent (that is the IPv6 test's business).
            // Silence or an inconclusive scan everywhere: unknown. So is an address without a
            // result (not probed: a special-purpose address, a cap, not testable): it may have TLS.
            let unknown = probed.contains { evidence.web[$0] == nil && !isRefused($0, evidence) }
            guard !unknown, probed.contains(where: { isRefused($0, evidence) }) else { return all(StatusCell(.error, why)) }
            return ["tls_available": StatusCell(.failed, why), "tls_ncsc": StatusCell(.notTested, "no HTTPS"),
                    "https_redirect": StatusCell(.failed, "no HTTPS to redirect to"), "hsts": StatusCell(.notTested, "no HTTPS")]
        }
        return [
            "tls_available": StatusCell(.passed, "TLS on " + secure.map(\.0).joined(separator: ", ")),
            "tls_ncsc": StatusCell.worst(secure.map { tlsColumn($0.1, address: $0.0, ruleSet: ruleSet) })!,
            "https_redirect": StatusCell.worst(secure.map { redirectColumn($0.1, address: $0.0, host: host) })!,
            "hsts": StatusCell.worst(secure.map { hstsColumn($0.1, address: $0.0, ruleSet: ruleSet) })!,
        ]
    }

    /// Whether port 443 of `address` refused the connection or answered without TLS.
    static func isRefused(_ address: String, _ evidence: DomainEvidence) -> Bool {
        if let web = evidence.web[address] {
            if web.tls.outcome == .noTLS { return true }
            if web.tls.outcome != .unreachable { return false }
        }
        return evidence.reach[address]?.ports.first { $0.port == 443 }?.state == .refused
    }

    static func failure(of address: String, _ evidence: DomainEvidence) -> String {
        guard let web = evidence.web[address] else {
            let port = evidence.reach[address]?.ports.first { $0.port == 443 }.map { ", port 443 \($0.state.rawValue)" } ?? ""
            return "no web probe result (\(evidence.whyNotProbed(.web, address)))" + port
        }
        let port = evidence.reach[address]?.ports.first { $0.port == 443 }.map { ", port 443 \($0.state.rawValue)" } ?? ""
        return "TLS \(web.tls.outcome.rawValue)" + (web.tls.detail.map { " (\($0))" } ?? "") + port
    }

    /// The TLS subtests (versions, ciphers, order, key exchange, hash, compression,
    /// renegotiation, 0-RTT, OCSP, certificate key and signature) plus certificate trust and
    /// name and HTTP compression: the worst status among them, `not_tested` left out.
    static func tlsColumn(_ web: WebObservation, address: String, ruleSet: RuleSet) -> StatusCell {
        guard let subtests = tlsSubtests(web, ruleSet: ruleSet) else { return StatusCell(.error, "\(address): no TLS observation") }
        return StatusCell.worst(of: subtests, label: address)
    }

    /// The subtests `tls_ncsc` is the worst of, for one address; nil without a TLS observation.
    /// The per-domain subtests (``WebSubtests``) surface them one by one.
    static func tlsSubtests(_ web: WebObservation, ruleSet: RuleSet) -> [SubtestResult]? {
        guard let observation = web.tls.observation else { return nil }
        var subtests = TLSEvaluation.evaluate(observation, ruleSet: ruleSet)
        // No verification (OpenSSL could not complete a handshake with what the server offers):
        // trust and name are unknown, not failed.
        if let certificate = web.tls.certificate {
            subtests.append(SubtestResult(name: "cert_trust", status: certificate.trusted ? .passed : .failed, requirement: .mandatory,
                                          findings: certificate.trusted ? [] : [Finding("not_trusted", subject: certificate.verifyError)]))
            subtests.append(SubtestResult(name: "cert_hostmatch", status: certificate.nameMatches == true ? .passed : .failed, requirement: .mandatory,
                                          findings: certificate.nameMatches == true ? [] : [Finding("name_mismatch")]))
        } else {
            subtests.append(SubtestResult(name: "cert_trust", status: .notTested, requirement: .mandatory, findings: [Finding("not_verified")]))
        }
        if let https = web.https, https.status != nil {
            let compressed = !https.values("Content-Encoding").filter { !$0.isEmpty && $0.lowercased() != "identity" }.isEmpty
            subtests.append(SubtestResult(name: "http_compression", status: compressed ? .info : .passed, requirement: .informational))
        }
        return subtests
    }

    /// The first hop from `http://host/` must go to `https://` on the same host; no HTTP on
    /// port 80 passes (nothing to redirect).
    static func redirectColumn(_ web: WebObservation, address: String, host: String) -> StatusCell {
        guard web.port80 == .open else { return StatusCell(.passed, "\(address): port 80 \(web.port80.rawValue), no HTTP") }
        // Port 80 answered in another protocol (an SSH banner, TLS): no HTTP to redirect, as
        // Internet.nl's "no_http". No complete answer (timeout, a head over the cap, cut short):
        // whether it redirects is unknown, neither passed nor failed.
        if let http = web.http, http.isNotHTTP { return StatusCell(.passed, "\(address): port 80 open, no HTTP (\(http.error ?? ""))") }
        guard let http = web.http, let status = http.status else {
            return StatusCell(.error, "\(address): port 80 open, but no HTTP answer (\(web.http?.error ?? "not asked"))")
        }
        guard (300...399).contains(status), let location = http.values("Location").first else {
            return StatusCell(.failed, "\(address): HTTP \(status) without a redirect")
        }
        guard let target = RedirectTarget(location), target.scheme == "https" else {
            return StatusCell(.failed, "\(address): first hop \(status) to \(location), not HTTPS")
        }
        guard target.host == host.lowercased() else {
            return StatusCell(.failed, "\(address): first hop \(status) to \(location), another host")
        }
        return StatusCell(.passed, "\(address): \(status) to \(location)")
    }

    /// The first `Strict-Transport-Security` of `GET /` over HTTPS.
    static func hstsColumn(_ web: WebObservation, address: String, ruleSet: RuleSet) -> StatusCell {
        guard let https = web.https, https.status != nil else {
            return StatusCell(.error, "\(address): no HTTPS response (\(web.https?.error ?? "not asked"))")
        }
        let values = https.values("Strict-Transport-Security")
        let result = HSTSCheck.evaluate(headerValues: values, ruleSet: ruleSet).result
        let seen = values.first.map { "'\($0)'" } ?? "no header"
        return StatusCell(result.status, "\(address): \(seen)" + (result.findings.isEmpty ? "" : " (" + result.findings.map(\.description).joined(separator: ", ") + ")"))
    }
}

/// The scheme and host of an absolute redirect target (`Location`); nil for a relative one.
struct RedirectTarget: Hashable {
    var scheme: String
    var host: String

    init?(_ location: String) {
        let trimmed = location.trimmingSpaces
        guard let colon = trimmed.firstIndex(of: ":"), trimmed[colon...].hasPrefix("://") else { return nil }
        scheme = trimmed[..<colon].lowercased()
        var rest = trimmed[trimmed.index(colon, offsetBy: 3)...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var hostPart = String(rest)
        if hostPart.hasPrefix("[") {
            hostPart = String(hostPart.prefix { $0 != "]" }.dropFirst())
        } else if let portColon = hostPart.lastIndex(of: ":") {
            hostPart = String(hostPart[..<portColon])
        }
        if hostPart.hasSuffix(".") { hostPart.removeLast() }
        guard !hostPart.isEmpty else { return nil }
        host = hostPart.lowercased()
    }
}
