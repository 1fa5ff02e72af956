import Foundation

/// The configuration of the lab's one nginx (Debian's `nginx`), serving a plan's nginx
/// platforms as the endpoint server would: per platform a default server (unknown hosts get
/// 404) and per host one server on 80 (the site's redirect, or the page) and one on 443 (the
/// platform's certificate and TLS profile, the page with HSTS and the site's security headers,
/// its security.txt at the paths RFC 9116 names, `Expires` counted from when the text is made).
/// Every path is under `directory`; nothing in `/etc/nginx` is read (`nginx -p DIR -c FILE -e LOG`).
public struct NginxConfiguration: Sendable {
    public let plan: EndpointPlan
    public let certificates: LabCertificates
    public let directory: URL

    /// The nginx platforms of `plan` with the certificates `LabCertificates` made; files in `directory`.
    public init(plan: EndpointPlan, certificates: LabCertificates, directory: URL) {
        self.plan = plan.served(by: .nginx)
        self.certificates = certificates
        self.directory = directory
    }

    public var configFile: URL { directory.appendingPathComponent("nginx.conf") }
    public var pidFile: URL { directory.appendingPathComponent("nginx.pid") }
    public var errorLog: URL { directory.appendingPathComponent("error.log") }
    public var accessLog: URL { directory.appendingPathComponent("access.log") }
    public var temporaryDirectory: URL { directory.appendingPathComponent("temp", isDirectory: true) }

    /// Why this plan cannot be served as it says (see ``EndpointSoftware/problems(_:)``), plus
    /// text nginx could not quote (`$`, `"`, `\`, control characters).
    public func problems() -> [String] {
        var problems = plan.platforms.flatMap(EndpointSoftware.nginx.problems)
        for site in plan.sites where hosts.contains(site.host) {
            let texts = [site.host, site.location ?? "", site.hsts ?? ""] + site.servedSecurityHeaders.flatMap { [$0.name, $0.value] }
                + [site.securityTxt.map { $0.contentType + $0.template.replacingOccurrences(of: "\n", with: "") } ?? ""]
            for text in texts where !Self.quotable(text) {
                problems.append("\(site.host): nginx cannot quote '\(text)'")
            }
        }
        return problems
    }

    private var hosts: Set<String> { Set(plan.platforms.flatMap(\.names)) }

    /// The text of `nginx.conf`.
    public func text() -> String {
        let temp = temporaryDirectory.path
        var lines = [
            "# Made by peil lab: the lab's nginx (\(plan.platforms.count) web platforms); removed by `peil lab down`.",
            "worker_processes 1;",
            "error_log \(errorLog.path) warn;",
            "events { worker_connections 512; }",
            "http {",
            "    access_log \(accessLog.path);",
        ] + ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "    \($0)_temp_path \(temp)/\($0);" } + [
            "    server_tokens off;",
            "    default_type text/html;",
            "    charset utf-8;",
            "    keepalive_timeout 10s;",
            "    client_header_timeout 10s;",
            "    send_timeout 10s;",
            "    map $server_addr $peil_ipv6_note { \"~:\" \"\(EndpointSite.ipv6Note)\"; default \"\"; }",
        ]
        let sites = Dictionary(plan.sites.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        for platform in plan.platforms {
            lines.append("    # \(platform.id)")
            let http = listens(platform, port: 80), https = listens(platform, port: 443)
            let notFound = "return 404 \"<html><body>no site for $host</body></html>\\n\";"
            if !http.isEmpty { lines += server(http.map { $0 + " default_server" }, name: "_", body: [notFound]) }
            if !https.isEmpty { lines += server(https.map { $0 + " ssl default_server" }, name: "_", body: tls(platform) + [notFound]) }
            for name in platform.names {
                guard let site = sites[name] else { continue }
                if !http.isEmpty { lines += server(http, name: name, body: [plainAnswer(site)]) }
                if !https.isEmpty {
                    lines += server(https.map { $0 + " ssl" }, name: name, body: tls(platform) + secureHeaders(site) + secureLocations(site))
                }
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `listen` directives for the platform's addresses that serve `port`.
    private func listens(_ platform: EndpointPlatform, port: Int) -> [String] {
        platform.addresses.filter { $0.ports.contains(EndpointPort(port: port, mode: .serve)) }.map { address in
            "listen " + (address.isIPv6 ? "[\(address.address)]" : address.address) + ":\(port)"
        }
    }

    private func server(_ listens: [String], name: String, body: [String]) -> [String] {
        ["    server {"] + listens.map { "        \($0);" } + ["        server_name \(name);"] + body.map { "        " + $0 } + ["    }"]
    }

    /// The profile in nginx's terms: versions, ciphers at security level 0, TLS 1.3 suites,
    /// groups, server preference, and the platform's certificate and key.
    private func tls(_ platform: EndpointPlatform) -> [String] {
        let tls = platform.tls
        var lines = [
            "ssl_certificate \(certificates.certificateFile(platform.id).path);",
            "ssl_certificate_key \(certificates.keyFile(tls.key).path);",
            "ssl_protocols \(tls.orderedVersions.joined(separator: " "));",
            "ssl_prefer_server_ciphers on;",
        ]
        let legacy = tls.servedLegacyCiphers
        if !legacy.isEmpty { lines.append("ssl_ciphers \"\(legacy.joined(separator: ":")):@SECLEVEL=0\";") }
        if tls.versions.contains("TLSv1.3"), !tls.tls13Suites.isEmpty {
            lines.append("ssl_conf_command Ciphersuites \(tls.tls13Suites.joined(separator: ":"));")
        }
        if !tls.servedGroups.isEmpty { lines.append("ssl_ecdh_curve \(tls.servedGroups.joined(separator: ":"));") }
        // The lab CA's OCSP response, stapled from the file `LabCertificates` wrote.
        let ocsp = certificates.ocspResponseFile(platform.id)
        if tls.ocspStapling == true, FileManager.default.fileExists(atPath: ocsp.path) {
            lines += ["ssl_stapling on;", "ssl_stapling_file \(ocsp.path);"]
        }
        return lines
    }

    /// Port 80: the redirect, or the page.
    private func plainAnswer(_ site: EndpointSite) -> String {
        if let status = site.redirectStatus, let location = site.location { return "return \(status) \"\(location)\";" }
        return page(site)
    }

    /// The endpoint server's page (``EndpointSite/page(path:nonce:ipv6:)``): `$request_id` as the
    /// nonce, new on every request; the IPv6 note where the site differs over IPv6 (by the
    /// address the request came in on).
    private func page(_ site: EndpointSite) -> String {
        var served = site
        served.differentOverIPv6 = false
        var text = served.page(path: "$request_uri", nonce: "$request_id", ipv6: false)
        if site.differentOverIPv6 { text = text.replacingOccurrences(of: "</p></body>", with: "</p>$peil_ipv6_note</body>") }
        return "return 200 \"\(text.replacingOccurrences(of: "\n", with: "\\n"))\";"
    }

    /// HSTS (when the site sends it) and the site's security headers, on every response.
    private func secureHeaders(_ site: EndpointSite) -> [String] {
        var headers = site.hsts.map { ["Strict-Transport-Security \"\($0)\""] } ?? []
        headers += site.servedSecurityHeaders.map { "\($0.name) \"\($0.value)\"" }
        return headers.map { "add_header \($0) always;" }
    }

    /// Port 443: the page at every path but security.txt's two, which answer as the site says
    /// (the text made now, a newline escaped as nginx reads it in a quoted string).
    private func secureLocations(_ site: EndpointSite) -> [String] {
        var lines = ["location / { \(page(site)) }"]
        guard let securityTxt = site.securityTxt else { return lines }
        for path in EndpointSecurityTxt.paths {
            guard path == securityTxt.path else {
                lines.append("location = \(path) { return 404; }")
                continue
            }
            let body = securityTxt.body(now: Date()).replacingOccurrences(of: "\n", with: "\\n")
            lines.append("location = \(path) { default_type \(securityTxt.contentType); return 200 \"\(body)\"; }")
        }
        return lines
    }

    /// Whether `text` can sit inside nginx's double quotes as it is.
    static func quotable(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0 == "$" || $0 == "\"" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f }
    }
}
