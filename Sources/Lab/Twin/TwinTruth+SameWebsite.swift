import PeilModel

/// `web_ipv6_ws_similar` from the twin's causes: the web platform's IPv6 service and HTTPS, the
/// site's redirect and whether its page differs over IPv6 (``TwinWeb/differentContentOverIPv6``;
/// nonces alone, ``TwinWeb/scriptNonce``, do not count), by Internet.nl's `simhash` rules as
/// docs/CHECKS-WEB.md gives them.
extension TwinJudge {
    func sameWebsite(_ domain: TwinDomain) -> StatusCell {
        let web = domain.web
        guard let platform = webPlatforms[web.platform] else { return StatusCell(.error, "no web platform \(web.platform)") }
        switch platform.ipv6Service {
        case .none: return StatusCell(.notTested, "no AAAA")
        case .silent: return StatusCell(.notTested, "AAAA on \(platform.id) does not answer")
        case .fewerPorts:
            // Port 80 refused over IPv6: with 443 open there it is a port fewer, without it nothing answers.
            return platform.https == .tls ? StatusCell(.failed, "port 80 open over IPv4 only on \(platform.id): not comparable")
                : StatusCell(.notTested, "no port open over IPv6 on \(platform.id)")
        case .answering: break
        }
        // HTTPS's page when 443 answers, else port 80's answer: the redirect or the page.
        let comparesPage = platform.https == .tls || web.redirect == .none
        let compared = platform.https == .tls ? "the HTTPS page" : web.redirect == .none ? "the HTTP page" : "the HTTP redirect"
        if comparesPage && web.differentContentOverIPv6 { return StatusCell(.warning, "\(compared) differs over IPv6") }
        return StatusCell(.passed, "\(compared) is the same over both" + (comparesPage && web.scriptNonce ? " but for its nonces" : ""))
    }
}
