import PeilModel
import Report

/// Values meant to break the report (issue 11's zoo), and a report input that carries them in
/// every free-text place a report takes from seed lists or targets: measurement and set names,
/// rule sets, dates, domains, organisations, `because` texts (shown in a cell and in a
/// tooltip), MX and NS host names (the mail and DNS providers) and web addresses (the shared
/// web hosting).
enum HostileReport {
    /// A quote and a combining mark: one Swift `Character`, but a quote to the HTML parser.
    static let combiningQuote = "\"\u{301} onmouseover=alert(1) x=\""
    static let combiningApostrophe = "'\u{301} onfocus=alert(2) autofocus x='"
    static let scriptClose = "</script><script>alert(3)</script>"
    static let image = "<img src=x onerror=alert(4)>"
    static let closers = "</title></style></textarea><svg onload=alert(5)>"
    static let frame = "\"><iframe src=javascript:alert(6)></iframe>"
    /// Must appear as these characters, not as what the references stand for.
    static let references = "&amp; &#60;b&#62; &lt;i&gt;"
    /// A cell separator, CR LF, a lone CR, LF and a comma.
    static let lineBreaks = "a|b\r\nc\rd\ne,f"
    static let combiningComma = "x,\u{301}y"

    static let values = [combiningQuote, combiningApostrophe, scriptClose, image, closers, frame, references, lineBreaks, combiningComma]

    static let webColumns = ["hsts", "tls_available", "ipv6_web"]
    static let mailColumns = ["spf", "dmarc", "starttls"]

    /// Domains named `hostile-N.example` and one named by a hostile value; each organisation,
    /// evidence text, MX and NS host hostile; all web hosts on one hostile "address" (shared
    /// hosting). Two sets with hostile names, a baseline and a re-judged measurement with
    /// hostile names and rule sets, so every section of the page is drawn.
    static func input() -> ReportInput {
        let names = values.indices.map { "hostile-\($0).example" } + [image + ".example"]
        func domain(_ index: Int, _ name: String, passing: Bool) -> MeasuredDomain {
            let value = values[index % values.count]
            func cell(_ column: Int) -> StatusCell {
                let failed = (index + column).isMultiple(of: 2) != passing
                return StatusCell(failed ? .failed : .passed, value + " (\(column))")
            }
            let web = Dictionary(uniqueKeysWithValues: webColumns.enumerated().map { ($0.element, cell($0.offset)) })
            let mail = Dictionary(uniqueKeysWithValues: mailColumns.enumerated().map { ($0.element, cell($0.offset + 1)) })
            let facts = DNSFacts(
                domain: name, dnssec: .insecure, nsZone: name, nameservers: [HostAddresses(host: "ns." + value)],
                domainAddresses: HostAddresses(host: name), web: HostAddresses(host: "www." + name, ipv4: [values[0]]),
                webDNSSEC: .insecure, mx: [MailExchanger(preference: 10, host: "mx." + value, dnssec: .insecure)], nullMX: false,
                txt: [value], spf: [], dmarc: [value], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
            let subtests: [SubtestID: StatusCell] = [.webAppsecprivCSP: cell(0), .mailAuthDMARCPolicy: cell(1)]
            return MeasuredDomain(domain: name, web: web, mail: mail, facts: facts, subtests: subtests)
        }
        let current = MeasurementInput(id: 1, name: scriptClose, date: image, ruleSet: closers, imported: false,
                                       domains: names.enumerated().map { domain($0.offset, $0.element, passing: false) })
        let baseline = MeasurementInput(id: 2, name: frame, date: references, ruleSet: combiningApostrophe, imported: false,
                                        domains: names.enumerated().map { domain($0.offset, $0.element, passing: true) })
        let members = Dictionary(uniqueKeysWithValues: names.enumerated().map { index, name in
            (name, SetMember(layer: Layer.allCases[index % Layer.allCases.count], organisation: values[index % values.count]))
        })
        let sets = [ReportSet(name: combiningQuote, members: members), ReportSet(name: lineBreaks, members: members)]
        return ReportInput(measurement: current, baseline: baseline, measurementUnderBaselineRules: current, sets: sets)
    }

    static func report() -> Report {
        ReportBuilder.build(input())
    }
}
