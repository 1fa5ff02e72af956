import Checks
import PeilModel
import PeilTestSupport
@testable import Store
@testable import Verdicts

/// Domains judged through the one verdict path from constructed observations: a well-run one
/// (web and mail, security headers, CAA), one with HTTP only and no MX, and two without a
/// resolution (given up, still pending).
enum JudgedDomains {
    static let psl = PublicSuffixList(text: "nl\n")
    static let v4 = "198.18.16.1", v6 = "2001:2:0:80::1", mx4 = "198.18.25.1", mx6 = "2001:2:0:25::1"

    static func modernTLS() -> TLSObservation { TLSFixtures.modern(withIssuer: false) }

    static func facts(_ domain: String, mx: Bool, caa: [String]) -> DNSFacts {
        DNSFacts(domain: domain, dnssec: .secure, nsZone: domain,
                 nameservers: [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]),
                               HostAddresses(host: "ns2.dns.nl", ipv4: ["198.18.0.2"], ipv6: ["2001:2::2"])],
                 domainAddresses: HostAddresses(host: domain), web: HostAddresses(host: "www." + domain, ipv4: [v4], ipv6: [v6]),
                 webDNSSEC: .secure,
                 mx: mx ? [MailExchanger(preference: 10, host: "mx." + domain, dnssec: .secure, ipv4: [mx4], ipv6: [mx6],
                                         caa: CAASet(foundAt: caa.isEmpty ? nil : domain, records: caa))] : [],
                 nullMX: false, txt: mx ? ["v=spf1 -all"] : [], spf: mx ? ["v=spf1 -all"] : [], dmarc: mx ? ["v=DMARC1; p=reject"] : [],
                 domainKey: .exists, caaFoundAt: caa.isEmpty ? nil : domain, caa: caa, webTLSA: [],
                 mxNameservers: mx ? [HostAddresses(host: "ns.mailhoster.nl", ipv4: ["198.18.0.9"], ipv6: ["2001:2::9"])] : [])
    }

    /// A valid security.txt at the well-known path (no Encryption, not signed: recommendations).
    static func securityTxt(_ domain: String) -> SecurityTxtFetch {
        let url = "https://www.\(domain)/.well-known/security.txt"
        return SecurityTxtFetch(exchanges: [HTTPExchange(url: url, status: 200, headers: [HTTPHeaderField(name: "Content-Type", value: "text/plain; charset=utf-8")])],
                                body: "Contact: mailto:security@\(domain)\nExpires: 2026-06-01T00:00:00Z\nCanonical: \(url)\n", fetchedAt: 1_767_225_600)
    }

    static func linked(_ domain: String, https: Bool, mail: Bool) -> [LinkedConnect] {
        let headers = [HTTPHeaderField(name: "Strict-Transport-Security", value: "max-age=31536000"),
                       HTTPHeaderField(name: "X-Frame-Options", value: "DENY"),
                       HTTPHeaderField(name: "X-Content-Type-Options", value: "nosniff"),
                       HTTPHeaderField(name: "Referrer-Policy", value: "no-referrer")]
        let tls = https ? TLSScanResult(outcome: .completed, observation: modernTLS(), certificate: TLSCertificateVerification(trusted: true, nameMatches: true), handshakes: 30)
            : TLSScanResult(outcome: .noTLS, detail: "no TLS")
        // The same page over both families (the same-website comparison's digest).
        let page = WebPageDigest(body: Array("<html><body><h1>www.\(domain)</h1></body></html>".utf8))
        let web = WebObservation(tls: tls, https: https ? HTTPExchange(url: "https://www.\(domain)/", status: 200, headers: headers, page: page) : nil,
                                 http: https ? HTTPExchange(url: "http://www.\(domain)/", status: 301, headers: [HTTPHeaderField(name: "Location", value: "https://www.\(domain)/")], page: page)
                                     : HTTPExchange(url: "http://www.\(domain)/", status: 200, page: page), port80: .open,
                                 securityTxt: https ? securityTxt(domain) : nil)
        let reach = ReachObservation(ports: [PortProbe(port: 80, state: .open), PortProbe(port: 443, state: https ? .open : .refused)])
        func target(_ address: String, _ host: String) -> ConnectTarget {
            ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: host)
        }
        var linked: [LinkedConnect] = []
        for address in [v4, v6] {
            linked.append(LinkedConnect(kind: .web, target: target(address, "www." + domain), state: "done", observation: ConnectObservation(web: web), lastError: nil))
            linked.append(LinkedConnect(kind: .reach, target: target(address, "www." + domain), state: "done", observation: ConnectObservation(reach: reach), lastError: nil))
        }
        for address in ["2001:2::1", "2001:2::2"] {
            linked.append(LinkedConnect(kind: .nameserver, target: target(address, "ns"), state: "done",
                                        observation: ConnectObservation(nameserver: NameserverObservation(answered: true, transport: "udp", rcode: "NOERROR")), lastError: nil))
        }
        if mail {
            let scan = TLSScanResult(outcome: .completed, observation: modernTLS(), certificate: TLSCertificateVerification(trusted: true, nameMatches: true), handshakes: 30)
            for address in [mx4, mx6] {
                linked.append(LinkedConnect(kind: .mail, target: target(address, "mx." + domain), state: "done",
                                            observation: ConnectObservation(mail: MailServerObservation(tls: scan)), lastError: nil))
            }
        }
        return linked
    }

    /// The DNS answers the mail checks read (everything else is not asked: `error`, never absent).
    static func queries(_ domain: String, mail: Bool) -> [DNSQueryRecord] {
        guard mail else { return [DNSQueryRecord(name: domain, type: "MX", rcode: "NOERROR", dnssec: .secure, records: [])] }
        return [DNSQueryRecord(name: domain, type: "MX", rcode: "NOERROR", dnssec: .secure, records: ["10 mx.\(domain)"]),
                DNSQueryRecord(name: domain, type: "TXT", rcode: "NOERROR", dnssec: .secure, records: ["v=spf1 -all"]),
                DNSQueryRecord(name: "_dmarc." + domain, type: "TXT", rcode: "NOERROR", dnssec: .secure, records: ["v=DMARC1; p=reject"]),
                DNSQueryRecord(name: "_domainkey." + domain, type: "TXT", rcode: "NOERROR", dnssec: .secure, records: [])]
    }

    static func all() async -> [DomainVerdicts] {
        var judged: [DomainVerdicts] = []
        let good = "good.nl", plain = "plain.nl"
        judged.append(await DomainVerdicts.evaluate(
            domain: .init(name: good, state: "done"),
            resolution: ResolutionObservation(facts: facts(good, mx: true, caa: ["0 issue \"letsencrypt.org\""]), queries: queries(good, mail: true)),
            linked: linked(good, https: true, mail: true), ruleSet: .internetnlCurrent, psl: psl))
        judged.append(await DomainVerdicts.evaluate(
            domain: .init(name: plain, state: "done"),
            resolution: ResolutionObservation(facts: facts(plain, mx: false, caa: []), queries: queries(plain, mail: false)),
            linked: linked(plain, https: false, mail: false), ruleSet: .internetnlCurrent, psl: psl))
        judged.append(await DomainVerdicts.evaluate(domain: .init(name: "gone.nl", state: "not_testable", lastError: "3 attempts timed out"),
                                                    resolution: nil, linked: [], ruleSet: .internetnlCurrent, psl: psl))
        judged.append(await DomainVerdicts.evaluate(domain: .init(name: "pending.nl", state: "leased"),
                                                    resolution: nil, linked: [], ruleSet: .internetnlCurrent, psl: psl))
        return judged
    }
}
