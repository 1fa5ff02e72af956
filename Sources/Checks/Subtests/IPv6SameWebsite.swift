import PeilModel

/// `web_ipv46` (`web_ipv6_ws_similar`): the same website over IPv6 as over IPv4, Internet.nl's
/// `simhash` and its callback (`checks/tasks/ipv6.py`, docs/CHECKS-WEB.md), on the `web` task of
/// the web host's one probed IPv4 and one probed IPv6 address.
extension IPv6Subtests {
    /// Internet.nl's `SIMHASH_MAX` (`internetnl/settings.py`): the largest distance that is
    /// still the same website.
    public static let sameWebsiteMaxDistance = 10.0

    /// Not tested without AAAA, when no IPv6 address accepts connections on 80 or 443, and for an
    /// IPv6-only host (no A: `result_no_v4`); failed when no IPv4 address accepts connections or
    /// a port open over IPv4 is open on no IPv6 address (not comparable: `SIMHASH_NOT_CALCULABLE`);
    /// otherwise ``sameWebsite(ipv4:_:ipv6:_:)`` on the probed pair.
    public static func sameWebsite(_ evidence: DomainEvidence) -> StatusCell {
        let web = evidence.facts.web
        let ipv6 = web.ipv6.filter { !ConnectPlanner.isMapped($0) }
        guard !ipv6.isEmpty else {
            let why = evidence.lookupFailed(web.host, "AAAA") ? "the AAAA lookup of \(web.host) failed" : "\(web.host) has no AAAA"
            return StatusCell(.notTested, why)
        }
        let unknown = (web.ipv4 + ipv6).filter { evidence.reach[$0] == nil }
        if !unknown.isEmpty {
            return StatusCell(.error, "reachability not probed: " + unknown.map { "\($0) (\(evidence.whyNotProbed(.reach, $0)))" }.joined(separator: ", "))
        }
        func open(_ addresses: [String]) -> Set<UInt16> {
            addresses.reduce(into: Set<UInt16>()) { $0.formUnion(evidence.reach[$1]?.openPorts ?? []) }
        }
        guard ipv6.contains(where: { evidence.reach[$0]?.openPorts.isEmpty == false }) else {
            return StatusCell(.notTested, "no IPv6 address of \(web.host) accepts connections on port 80 or 443")
        }
        guard !web.ipv4.isEmpty else { return StatusCell(.notTested, "\(web.host) has no A: IPv6 only, nothing to compare") }
        guard web.ipv4.contains(where: { evidence.reach[$0]?.openPorts.isEmpty == false }) else {
            return StatusCell(.failed, "no IPv4 address of \(web.host) accepts connections: not comparable")
        }
        let missing = open(web.ipv4).subtracting(open(ipv6))
        guard missing.isEmpty else {
            return StatusCell(.failed, "port " + missing.sorted().map(String.init).joined(separator: ", ")
                              + " open over IPv4 on no IPv6 address: not comparable")
        }
        guard let address4 = ConnectPlanner.webAddress(web.ipv4), let address6 = ConnectPlanner.webAddress(ipv6) else {
            return StatusCell(.error, "no probed address")
        }
        guard let web4 = evidence.web[address4], let web6 = evidence.web[address6] else {
            let absent = [address4, address6].filter { evidence.web[$0] == nil }
            return StatusCell(.error, "not probed: " + absent.map { "\($0) (\(evidence.whyNotProbed(.web, $0)))" }.joined(separator: ", "))
        }
        return sameWebsite(ipv4: address4, web4, ipv6: address6, web6)
    }

    /// One family's answer as `simhash` takes it: the ports whose `GET /` got a response, and the
    /// response compared (port 443's when it answered, else port 80's).
    static func answer(_ web: WebObservation) -> (ports: [UInt16], response: HTTPExchange?) {
        let https = web.https?.status != nil ? web.https : nil
        let http = web.http?.status != nil ? web.http : nil
        return ([http.map { _ in 80 }, https.map { _ in 443 }].compactMap { $0 }, https ?? http)
    }

    /// The comparison of two probed addresses: error when a family's `GET /` went unanswered in
    /// time; failed when a family got no response (refused, not HTTP, no TLS) or the ports or the
    /// status codes differ; then the distance `100 − quick_ratio × 100` of the two
    /// pages: at most ``sameWebsiteMaxDistance`` is passed for a status from 200 to 400 and a
    /// warning for any other (`notice_status_code`), more is a warning (`notice`). Not tested
    /// when a page has no digest (observed before agents kept one); error when a body was cut
    /// short (Peil's own reading failed).
    public static func sameWebsite(ipv4 address4: String, _ web4: WebObservation, ipv6 address6: String, _ web6: WebObservation) -> StatusCell {
        let (ports4, response4) = answer(web4), (ports6, response6) = answer(web6)
        func ports(_ list: [UInt16]) -> String { list.isEmpty ? "none" : list.map(String.init).joined(separator: " and ") }
        if response4 == nil || response6 == nil || ports4 != ports6 {
            // A request the time cap ended unanswered is Peil's failed request, not the site's
            // answer: the comparison is not made rather than failed (as for security.txt).
            let unanswered = [(address4, web4), (address6, web6)].flatMap { address, web in
                [web.http, web.https].compactMap { $0 }.filter(\.timedOut).map { "\($0.url) over \(address) (\($0.error ?? ""))" }
            }
            if !unanswered.isEmpty { return StatusCell(.error, "GET / got no answer in time: " + unanswered.joined(separator: "; ")) }
        }
        guard let response4, let response6 else {
            let silent = [response4 == nil ? "IPv4 \(address4)" : nil, response6 == nil ? "IPv6 \(address6)" : nil].compactMap { $0 }
            return StatusCell(.failed, "no HTTP response to GET / on port 80 or 443 over " + silent.joined(separator: " and "))
        }
        guard ports4 == ports6 else {
            return StatusCell(.failed, "GET / answered on port \(ports(ports4)) over IPv4 \(address4), on port \(ports(ports6)) over IPv6 \(address6)")
        }
        guard let status = response4.status, response4.status == response6.status else {
            return StatusCell(.failed, "status \(response4.status ?? 0) over IPv4 \(address4), \(response6.status ?? 0) over IPv6 \(address6) (\(response4.url))")
        }
        guard let page4 = response4.page, let page6 = response6.page else {
            return StatusCell(.notTested, "no page digest of \(response4.url) (observed before agents kept one)")
        }
        let cut = [(address4, page4), (address6, page6)].filter { $0.1.error != nil || !$0.1.isWellFormed }
        if !cut.isEmpty {
            return StatusCell(.error, "page not read whole: " + cut.map { "\($0.0) \($0.1.error ?? "malformed digest")" }.joined(separator: "; "))
        }
        let distance = pageDistance(page4, page6)
        let firstHop = (300..<400).contains(status) ? ", first hop (redirects not followed)" : ""
        let shown = "distance \(rounded(distance)) (at most \(Int(sameWebsiteMaxDistance))) between \(page4.length) and \(page6.length) bytes of \(response4.url), status \(status)\(firstHop)"
        guard distance <= sameWebsiteMaxDistance else { return StatusCell(.warning, "different content over IPv6: " + shown) }
        guard (200...400).contains(status) else { return StatusCell(.warning, "same content, but an error status: " + shown) }
        return StatusCell(.passed, "same content over IPv4 \(address4) and IPv6 \(address6): " + shown)
    }

    /// `100 - SequenceMatcher(None, a, b).quick_ratio() * 100`: the ratio is twice the elements
    /// the two have in common (per value, the smaller count) over their summed lengths, 1 when
    /// both are empty; computed in the same floating-point steps as Python's.
    public static func pageDistance(_ a: WebPageDigest, _ b: WebPageDigest) -> Double {
        let matches = zip(a.histogram, b.histogram).reduce(0) { $0 + min($1.0, $1.1) }
        let length = a.length + b.length
        let ratio = length == 0 ? 1.0 : 2.0 * Double(matches) / Double(length)
        return 100 - ratio * 100
    }

    /// One decimal.
    static func rounded(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
