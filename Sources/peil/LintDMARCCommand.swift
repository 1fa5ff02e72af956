import ArgumentParser
import Checks
import Foundation

/// `peil lint dmarc VALUE`: Internet.nl's DMARC policy rules on one record.
struct LintDMARCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc",
        abstract: "Judge a DMARC record: syntax and tag order, p/sp, t=y, external report destinations.",
        discussion: """
            External report destinations (rua/ruf outside the domain) need --domain and a resolver \
            (--root-hints or --forwarder with --trust-anchor) to be checked; otherwise the output \
            says they were not.
            """
    )

    @Argument(help: "The record, e.g. 'v=DMARC1; p=reject; rua=mailto:dmarc@example.nl'.")
    var value: String

    @Option(help: "The domain whose _dmarc name publishes it.")
    var domain: String?

    @Flag(help: "Judge it as found at the organisational domain for a subdomain (sp= applies).")
    var organisational = false

    @Option(help: "The Public Suffix List file (Debian's publicsuffix package).")
    var publicSuffixList: String = "/usr/share/publicsuffix/public_suffix_list.dat"

    @OptionGroup var output: LintOutputOptions
    @OptionGroup var dns: LintResolverOptions

    func run() async throws {
        guard let pslText = try? String(contentsOfFile: publicSuffixList, encoding: .utf8) else {
            throw ValidationError("cannot read the Public Suffix List at \(publicSuffixList) (apt-get install publicsuffix, or give --public-suffix-list)")
        }
        let psl = PublicSuffixList(text: pslText)
        let resolver = try dns.makeResolver()
        defer { resolver?.shutdown() }
        let publisher = domain ?? "example.invalid"
        var authorisations: [String: MailDNSAnswer]?
        if let resolver, domain != nil {
            var answers: [String: MailDNSAnswer] = [:]
            for name in DMARCPolicy.authorisationQueries(record: value, domain: publisher, psl: psl, ruleSet: output.rules) {
                answers[name] = await resolver.lookup(name, .txt)
            }
            authorisations = answers
        }
        var result = DMARCPolicy.evaluate(record: value, domain: publisher, isOrganisationalDomain: organisational,
                                          psl: psl, authorisations: authorisations, ruleSet: output.rules)
        var notChecked: [String] = []
        if domain == nil {
            result.findings = result.findings.filter { $0.code != "dmarc-external-not-checked" }
            if result.record?.reportURIs.isEmpty == false {
                notChecked.append("report destinations (rua/ruf): give --domain (and a resolver) to check their authorisation records")
            }
        } else if !result.externalChecked, result.verdict == .valid {
            notChecked.append("authorisation records of external report destinations (give --root-hints or --forwarder with --trust-anchor)")
        }
        let summary: String = switch result.verdict {
        case .valid: "the DMARC policy is sound (\(result.findings.first { $0.code == "dmarc-policy" }?.subject ?? ""))"
        default: result.findings.first { !["dmarc-organisational", "dmarc-policy", "dmarc-external-authorised", "dmarc-external-not-checked"].contains($0.code) }?.detail ?? result.verdict.rawValue
        }
        try LintReport(kind: "DMARC", record: value, domain: domain, ruleSet: output.rules.rawValue, subtest: "dmarc_policy",
                       status: result.status, verdict: result.verdict.rawValue, summary: summary,
                       findings: result.findings, notChecked: notChecked).emit(json: output.json)
    }
}
