import ArgumentParser
import Checks
import Foundation
import PeilModel
import Probes

/// `peil scan`: the TLS scan an agent makes of one endpoint, run by hand — for an operator
/// checking a server, and for comparing Peil's view with another scanner's.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan one TLS endpoint (HTTPS, or SMTP with STARTTLS) as an agent would, and judge it.",
        discussion: """
            Prints the accepted versions and cipher suites per version, the key exchange groups, \
            the certificate facts and the TLS subtests under the rule set, with the number of \
            handshakes made, the wall time and the CPU time. Only loopback and the lab ranges \
            unless --any-address (then public addresses only, as an agent with --any-upstream).
            """
    )

    @Argument(help: "Server name (SNI, certificate name, EHLO target).")
    var host: String

    @Option(help: "Numeric address to connect to.")
    var address: String

    @Option(help: "Port (443; 25 with --starttls smtp).")
    var port: UInt16?

    @Option(help: "STARTTLS protocol before TLS: smtp.")
    var starttls: String?

    @Option(help: "Name to send in EHLO (with --starttls smtp).")
    var ehloName: String = "peil.invalid"

    @Option(help: "PEM file of the roots to verify the certificate against.")
    var trustStore: String = "/etc/ssl/certs/ca-certificates.crt"

    @Option(help: "Rule set for the subtests: internetnl-current or internetnl-2021.")
    var ruleSet: String = RuleSet.internetnlCurrent.rawValue

    @Flag(help: "Allow any public address (scanning the real internet); never a special-purpose one (loopback, private, link-local…).")
    var anyAddress = false

    @Flag(help: "Leave out the handshakes whose outcome cannot change a verdict, as agents do (docs/SCALE.md, \"Scan plan\"); by default every suite of every version is found.")
    var scanPlan = false

    @Flag(help: "Print the raw scan result as JSON.")
    var json = false

    func validate() throws {
        guard RuleSet(rawValue: ruleSet) != nil else { throw ValidationError("unknown rule set '\(ruleSet)'") }
        guard starttls == nil || starttls == "smtp" else { throw ValidationError("--starttls supports smtp only") }
        guard let octets = IPNetwork.parseAddress(address) else { throw ValidationError("--address must be a numeric IPv4 or IPv6 address") }
        if anyAddress, let refusal = UpstreamPolicy.publicOnly.refusal(of: address) { throw ValidationError(refusal) }
        guard anyAddress || UpstreamPolicy.labAndLoopback.allows(octets) else {
            throw ValidationError("\(address) is outside loopback and the lab ranges; pass --any-address to scan it")
        }
    }

    func run() throws {
        let mail = starttls == "smtp"
        let target = TLSScanTarget(address: address, port: port ?? (mail ? 25 : 443), serverName: host,
                                   startTLS: mail ? .smtp(ehloName: ehloName) : .none)
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, trustStorePEMFile: trustStore, probeEarlyData: !mail,
                                     scanPlan: scanPlan ? .internetnl : .everything)
        let clock = ContinuousClock()
        let cpuStart = Self.cpuSeconds()
        let started = clock.now
        let result = TLSScanner.scan(target, options: options)
        let wall = clock.now - started
        let cpu = Self.cpuSeconds() - cpuStart
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("\(host) \(address):\(target.port)\(mail ? " (STARTTLS)" : ""): \(result.outcome.rawValue)\(result.detail.map { " — \($0)" } ?? "")")
        print(String(format: "handshakes %d, wall %.2f s, CPU %.2f s", result.handshakes,
                     Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18, cpu))
        guard let observation = result.observation else { return }
        for entry in observation.ciphers.sorted(by: { $0.version > $1.version }) {
            print("\(entry.version.displayName): " + entry.ciphers.map(CipherSuiteRegistry.label).joined(separator: " "))
        }
        print("versions: " + observation.versions.sorted(by: >).map(\.displayName).joined(separator: ", "))
        if let certificate = result.certificate {
            print("certificate: trusted \(certificate.trusted)\(certificate.verifyError.map { " (\($0))" } ?? ""), name matches \(certificate.nameMatches.map(String.init) ?? "-")")
        }
        for subtest in TLSEvaluation.evaluate(observation, ruleSet: RuleSet(rawValue: ruleSet) ?? .internetnlCurrent) {
            print("  \(subtest.name): \(subtest.status.rawValue)" + (subtest.findings.isEmpty ? "" : " — " + subtest.findings.map(\.description).joined(separator: "; ")))
        }
    }

    /// User plus system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
