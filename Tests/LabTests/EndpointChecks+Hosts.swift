import Foundation
import PeilModel

@testable import Lab

extension EndpointChecks {
    /// Port 80 (redirect, latency), 443 (refused, silent or TLS as the profile says, HSTS), and
    /// the same over IPv6 as the platform's IPv6 service says.
    func checkWeb(_ domain: TwinDomain, _ platform: TwinWebPlatform, _ profile: TwinTLSProfile, _ failures: FailureLog) {
        let host = domain.web.host
        guard let ipv4 = platform.ipv4.first else { return failures.add("\(host): no IPv4 address") }
        let (exit, status, headers) = curl(v4, "http://\(host)/", host: host, port: 80, address: ipv4)
        let location = headers["location"] ?? ""
        let redirectOK: Bool = switch domain.web.redirect {
        case .sameHostHTTPS: status == 301 && location == "https://\(host)/"
        case .none: status == 200 && location.isEmpty
        case .otherHostHTTPS: status == 301 && location.hasPrefix("https://") && !location.hasPrefix("https://\(host)/")
        case .otherHostHTTP: status == 302 && location.hasPrefix("http://") && !location.hasPrefix("http://\(host)/")
        }
        if exit != 0 || !redirectOK { failures.add("\(host) http: exit \(exit) status \(status) location \(location), world \(domain.web.redirect)") }
        let timing = run(v4, ["curl", "-sS", "-o", "/dev/null", "--max-time", "5", "--resolve", "\(host):80:\(ipv4)", "-w", "%{time_connect} %{time_starttransfer}", "http://\(host)/"])
        let times = timing.text.split(separator: " ").compactMap { Double($0) }
        // nginx answers at loopback speed: without netem only the lab's own servers add the RTT.
        if platform.server == nil && (times.count != 2 || times[1] - times[0] < 0.012) { failures.add("\(host): no injected latency: \(timing.text)") }

        checkHTTPS(v4, ipv4, domain: domain, platform: platform, profile: profile, failures: failures, full: true)
        guard platform.ipv6Service != .none, let ipv6 = platform.ipv6.first else { return }
        let (exit6, status6, _) = curl(v6, "http://\(host)/", host: host, port: 80, address: ipv6)
        switch platform.ipv6Service {
        case .answering:
            if exit6 != 0 || status6 != status { failures.add("\(host) http over IPv6: exit \(exit6) status \(status6), IPv4 \(status)") }
            checkHTTPS(v6, ipv6, domain: domain, platform: platform, profile: profile, failures: failures, full: false)
            if platform.https == .tls {
                let body4 = run(v4, ["curl", "-sk", "--max-time", "5", "--resolve", "\(host):443:\(ipv4)", "https://\(host)/"]).text
                let body6 = run(v6, ["curl", "-sk", "--max-time", "5", "--resolve", "\(host):443:[\(ipv6)]", "https://\(host)/"]).text
                // Nonces aside (they change on every response), as the same-website comparison sees the pages.
                let differs = WebPageDigest(body: Array(body4.utf8)).histogram != WebPageDigest(body: Array(body6.utf8)).histogram
                if differs != domain.web.differentContentOverIPv6 {
                    failures.add("\(host): IPv6 page differs \(differs), world \(domain.web.differentContentOverIPv6)")
                }
                if domain.web.scriptNonce && (body4 == body6 || !body4.contains("nonce=")) {
                    failures.add("\(host): no nonce that changes per response, world \(domain.web.scriptNonce)")
                }
            }
        case .silent:
            if exit6 != 28 { failures.add("\(host) http over silent IPv6: exit \(exit6), expected a timeout (28)") }
            let (exitTLS, _, _) = curl(v6, "https://\(host)/", host: host, port: 443, address: ipv6, insecure: true)
            if exitTLS != 28 { failures.add("\(host) https over silent IPv6: exit \(exitTLS), expected 28") }
        case .fewerPorts:
            if exit6 != 7 { failures.add("\(host) http over IPv6 with fewer ports: exit \(exit6), expected refused (7)") }
            checkHTTPS(v6, ipv6, domain: domain, platform: platform, profile: profile, failures: failures, full: false)
        case .none: break
        }
    }

    /// 443 from one vantage: refused (7), silent (28), or TLS: curl trust as the certificate
    /// says, HSTS as the world says; with `full`, the profile through `openssl s_client`.
    func checkHTTPS(_ namespace: String, _ address: String, domain: TwinDomain, platform: TwinWebPlatform, profile: TwinTLSProfile,
                    failures: FailureLog, full: Bool) {
        let host = domain.web.host
        let (exit, status, headers) = curl(namespace, "https://\(host)/", host: host, port: 443, address: address)
        switch platform.https {
        case .refused: if exit != 7 { failures.add("\(host) https \(address): exit \(exit), expected refused (7)") }
        case .silent: if exit != 28 { failures.add("\(host) https \(address): exit \(exit), expected a timeout (28)") }
        case .tls:
            let trusted = profile.certificate == "valid"
            if trusted != (exit == 0) { failures.add("\(host) https \(address): curl exit \(exit), certificate \(profile.certificate)") }
            let (exitK, statusK, headersK) = trusted ? (exit, status, headers) : curl(namespace, "https://\(host)/", host: host, port: 443, address: address, insecure: true)
            if exitK != 0 || statusK != 200 || headersK["strict-transport-security"] != domain.web.hsts {
                failures.add("\(host) https \(address): exit \(exitK) status \(statusK) HSTS \(headersK["strict-transport-security"] ?? "-"), world \(domain.web.hsts ?? "-")")
            }
            // The security headers of the world's variant, and no others of theirs.
            let sent = domain.web.headers.fields
            for field in sent where headersK[field.name.lowercased()] != field.value {
                failures.add("\(host): \(field.name) \(headersK[field.name.lowercased()] ?? "-"), world \(field.value) (\(domain.web.headers.rawValue))")
            }
            let names = ["x-frame-options", "x-content-type-options", "referrer-policy", "content-security-policy"]
            for name in names where headersK[name] != nil && !sent.contains(where: { $0.name.lowercased() == name }) {
                failures.add("\(host): \(name) sent, world \(domain.web.headers.rawValue) has none")
            }
            if full { checkTLS(namespace, address, port: 443, name: host, profile: profile, starttls: false, failures: failures) }
        }
    }

    /// The profile as `openssl s_client` sees it: key size, verification, versions, RSA key
    /// exchange, CBC suites, groups.
    func checkTLS(_ namespace: String, _ address: String, port: Int, name: String, profile: TwinTLSProfile, starttls: Bool, failures: FailureLog) {
        let label = "\(name) \(address):\(port) (\(profile.id))"
        guard let output = handshake(namespace, address, port: port, name: name, starttls: starttls) else {
            return failures.add("\(label): no TLS handshake")
        }
        let bits = ["rsa-3072": 3072, "rsa-2048": 2048, "rsa-1024": 1024, "ec-p256": 256][profile.key] ?? 0
        if !output.contains("Server public key is \(bits) bit") { failures.add("\(label): key is not \(bits) bit") }
        let code = ["valid": 0, "expired": 10, "self-signed": 18, "wrong-name": 62][profile.certificate] ?? -1
        if !output.contains("Verify return code: \(code) ") { failures.add("\(label): verify code not \(code) for \(profile.certificate)") }
        for (option, version) in [("-tls1", "TLSv1"), ("-tls1_1", "TLSv1.1"), ("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
            let served = handshake(namespace, address, port: port, name: name, [option], starttls: starttls) != nil
            if served != profile.versions.contains(version) { failures.add("\(label): \(version) served \(served), world \(profile.versions)") }
        }
        let cipherChecks = [("AES256-GCM-SHA384", "AES256-GCM-SHA384"), ("ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA256")]
        for (cipher, offer) in cipherChecks where profile.versions.contains("TLSv1.2") {
            let served = handshake(namespace, address, port: port, name: name, ["-tls1_2", "-cipher", offer + "@SECLEVEL=0"], starttls: starttls) != nil
            if served != profile.ciphers.contains(cipher) { failures.add("\(label): \(cipher) served \(served)") }
        }
        if !starttls {
            // A stapled response is the lab CA's "good" for this leaf (not for self-signed leaves).
            let stapled = handshake(namespace, address, port: port, name: name, ["-status"])?.contains("OCSP Response Status: successful") == true
            let expected = profile.ocspStapling && profile.certificate != "self-signed"
            if stapled != expected { failures.add("\(label): OCSP stapled \(stapled), world \(profile.ocspStapling)") }
        }
        // (A DHE suite needs no named group: with one, the handshake succeeds whatever the group.)
        if !profile.ciphers.contains(where: { $0.hasPrefix("DHE-") }),
           handshake(namespace, address, port: port, name: name, ["-groups", "P-384"], starttls: starttls) != nil {
            failures.add("\(label): P-384 accepted, world groups \(profile.groups)")
        }
        if !starttls && profile.versions.contains("TLSv1.2") {
            // s_client renegotiates on "R"; a server that refuses answers the no_renegotiation alert.
            let target = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
            let script = "(printf 'R\\n'; sleep 1) | timeout 6 openssl s_client -tls1_2 -connect \(target) -servername \(name) -CAfile \(ca) -cipher DEFAULT@SECLEVEL=0 2>&1"
            let output = run(namespace, [], stdin: script).text
            let renegotiated = output.contains("RENEGOTIATING") && !output.lowercased().contains("no renegotiation")
            if renegotiated != profile.clientRenegotiation { failures.add("\(label): client renegotiation \(renegotiated), world \(profile.clientRenegotiation)") }
        }
    }

    /// Port 25: banner, EHLO (STARTTLS offered or not), QUIT; STARTTLS with the profile; the
    /// TLSA record matching the presented key or not; silent ports and IPv6 as the world says.
    func checkMail(_ name: String, _ platform: TwinMailPlatform, _ profile: TwinTLSProfile, _ failures: FailureLog) {
        guard let ipv4 = platform.ipv4.first else { return failures.add("\(name): no IPv4 address") }
        checkSMTP(v4, ipv4, name: name, platform: platform, failures: failures)
        if platform.smtp == .starttls {
            checkTLS(v4, ipv4, port: 25, name: name, profile: profile, starttls: true, failures: failures)
            let index = WorldIndex(lab.world)
            let owner = "_25._tcp." + name
            let server = index.zoneContaining(owner).flatMap { index.group($0.servers)?.nameservers.first?.ipv4 }
            let records = server.flatMap { try? StandardClients.dig(lab.vantageNamespace(for: [.ipv4, .ipv6]), server: $0, owner, "TLSA") }?.records ?? []
            if (platform.tlsa == .none) != records.isEmpty { failures.add("\(name): TLSA records \(records), world \(platform.tlsa)") }
            if let record = records.first {
                let output = handshake(v4, ipv4, port: 25, name: name, ["-dane_tlsa_domain", name, "-dane_tlsa_rrdata", record, "-dane_ee_no_namechecks"], starttls: true) ?? ""
                let matched = output.contains("Verify return code: 0 (ok)") && output.contains("DANE TLSA")
                if matched != (platform.tlsa == .valid) { failures.add("\(name): TLSA \(record) matched \(matched), world \(platform.tlsa)") }
            }
        } else if platform.smtp == .noStarttls, handshake(v4, ipv4, port: 25, name: name, starttls: true) != nil {
            failures.add("\(name): STARTTLS worked on a server without it")
        }
        guard platform.ipv6Service != .none, let ipv6 = platform.ipv6.first else { return }
        if platform.ipv6Service == .silent || platform.smtp == .silent {
            let exit = run(v6, ["curl", "-sS", "--connect-timeout", "2", "--max-time", "4", "telnet://[\(ipv6)]:25"]).status
            if exit != 28 { failures.add("\(name) \(ipv6): exit \(exit), expected silence (28)") }
        } else {
            checkSMTP(v6, ipv6, name: name, platform: platform, failures: failures)
        }
    }

    func checkSMTP(_ namespace: String, _ address: String, name: String, platform: TwinMailPlatform, failures: FailureLog) {
        if platform.smtp == .silent {
            let target = address.contains(":") ? "[\(address)]" : address
            let exit = run(namespace, ["curl", "-sS", "--connect-timeout", "2", "--max-time", "4", "telnet://\(target):25"]).status
            if exit != 28 { failures.add("\(name) \(address): exit \(exit), expected silence (28)") }
            return
        }
        let script = """
        exec 3<>/dev/tcp/\(address)/25 || exit 9; read -t 3 line <&3; echo "$line"; printf 'EHLO client.lab\\r\\n' >&3
        for i in $(seq 16); do read -t 3 line <&3 || break; echo "$line"; case "$line" in 250\\ *) break;; esac; done
        printf 'QUIT\\r\\n' >&3; read -t 3 line <&3; echo "$line"
        """
        let lines = run(namespace, [], stdin: script).text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let offers = lines.contains("250-STARTTLS")
        if lines.first?.hasPrefix("220 \(platform.hostNames.first ?? "")") != true || lines.last?.hasPrefix("221") != true
            || offers != (platform.smtp == .starttls) {
            failures.add("\(name) \(address) SMTP: \(lines), world \(platform.smtp)")
        }
    }
}
