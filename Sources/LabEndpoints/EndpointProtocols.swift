import Foundation

/// The HTTP and SMTP conversations of the endpoint server: small, bounded, never relaying.
enum EndpointProtocols {
    /// Largest request head (request line and headers) read.
    static let maxRequestHead = 16 * 1024
    /// Most SMTP commands in one session.
    static let maxCommands = 50
    /// Longest SMTP line (RFC 5321: 1000 with CRLF).
    static let maxLine = 1000

    /// One HTTP request, one response, close. `secure`: over TLS (HSTS, security headers and
    /// the site's security.txt at its paths).
    static func http(_ channel: EndpointChannel, sites: [String: EndpointSite], secure: Bool, ipv6: Bool, delay: () -> Void) {
        guard let head = channel.read(until: Array("\r\n\r\n".utf8), limit: maxRequestHead) else { return }
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        let path = requestLine.count > 1 ? String(requestLine[1]) : "/"
        let hostHeader = lines.dropFirst().first { $0.lowercased().hasPrefix("host:") }.map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) } ?? ""
        let host = hostHeader.hasPrefix("[") ? hostHeader : String(hostHeader.split(separator: ":").first ?? "").lowercased()
        delay()
        guard let site = sites[host] else {
            channel.write(response(404, headers: [], body: "<html><body>no site for \(host.prefix(100))</body></html>\n"))
            return
        }
        var headers: [String] = []
        if !secure, let status = site.redirectStatus, let location = site.location {
            channel.write(response(status, headers: ["Location: \(location)"], body: "<html><body>moved</body></html>\n"))
            return
        }
        if secure {
            if let hsts = site.hsts { headers.append("Strict-Transport-Security: \(hsts)") }
            headers += site.servedSecurityHeaders.map { "\($0.name): \($0.value)" }
            if let securityTxt = site.securityTxt, EndpointSecurityTxt.paths.contains(path) {
                guard path == securityTxt.path else {
                    channel.write(response(404, headers: headers, body: "<html><body>not found</body></html>\n"))
                    return
                }
                channel.write(response(200, contentType: securityTxt.contentType, headers: headers, body: securityTxt.body(now: Date())))
                return
            }
        }
        let nonce = (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16).leftPadded2 }.joined()
        let body = site.page(path: String(path.prefix(100)), nonce: nonce, ipv6: ipv6)
        channel.write(response(200, headers: headers, body: body))
    }

    static func response(_ status: Int, contentType: String = "text/html; charset=utf-8", headers: [String], body: String) -> String {
        let reason = [200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found"][status] ?? "Status"
        let all = ["HTTP/1.1 \(status) \(reason)", "Server: peil-lab", "Content-Type: \(contentType)",
                   "Content-Length: \(body.utf8.count)", "Connection: close"] + headers
        return all.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// An SMTP session: banner, EHLO/HELO, STARTTLS when offered, QUIT; MAIL/RCPT/DATA refused.
    static func smtp(_ channel: EndpointChannel, name: String, tls: EndpointTLSContext?, delay: () -> Void) {
        delay()
        guard channel.write("220 \(name) ESMTP peil-lab\r\n") else { return }
        var secured = false
        for _ in 0..<maxCommands {
            guard let raw = channel.read(until: [13, 10], limit: maxLine) else { return }
            let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
            delay()
            switch verb {
            case "EHLO":
                var lines = ["250-\(name) greets you", "250-PIPELINING", "250-SIZE 10240000"]
                if tls != nil && !secured { lines.append("250-STARTTLS") }
                lines.append("250 8BITMIME")
                channel.write(lines.joined(separator: "\r\n") + "\r\n")
            case "HELO": channel.write("250 \(name)\r\n")
            case "STARTTLS":
                guard let tls, !secured else {
                    channel.write("502 5.5.1 STARTTLS not available\r\n")
                    continue
                }
                channel.write("220 2.0.0 Ready to start TLS\r\n")
                guard channel.startTLS(tls.context) else { return }
                secured = true
            case "NOOP", "RSET": channel.write("250 2.0.0 OK\r\n")
            case "QUIT":
                channel.write("221 2.0.0 Bye\r\n")
                return
            case "MAIL", "RCPT", "DATA", "VRFY", "EXPN": channel.write("550 5.7.1 the lab accepts no mail\r\n")
            default: channel.write("500 5.5.2 unrecognised command\r\n")
            }
        }
        channel.write("421 4.7.0 too many commands\r\n")
    }
}

private extension String {
    /// Two hexadecimal digits.
    var leftPadded2: String { count >= 2 ? self : "0" + self }
}
