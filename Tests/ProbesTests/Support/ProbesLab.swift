import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Testing

/// Brings up a lab of this test process's own (own prefix, own state directory) around a suite,
/// and takes it down afterwards, even when the suite fails.
struct ProbesLabTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: Lab?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-probes-lab-\(getpid())", isDirectory: true)
        let lab = Lab(prefix: "prb\(getpid() % 100_000)", stateDirectory: state)
        let started = ContinuousClock.now
        // Bringing a lab up and down blocks for seconds: not on the shared pool.
        _ = try await BlockingWork.run(name: "peil-probes-lab-up") { try lab.up() }
        print("probes lab \(lab.configuration.prefix) up in \(ContinuousClock.now - started)")
        do {
            try await Self.$current.withValue(lab) { try await function() }
        } catch {
            await Self.down(lab)
            throw error
        }
        await Self.down(lab)
    }

    private static func down(_ lab: Lab) async {
        do { try await BlockingWork.run(name: "peil-probes-lab-down") { try lab.down() } } catch {
            Issue.record("lab down failed: \(error)")
        }
    }

    /// Whether this machine can run the lab and the built `peil`.
    static var available: Bool {
        TestRequirements.isMet(.root, .peilBinary) && ipTool != nil
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/knotd")
    }

    static var ipTool: String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension Trait where Self == ProbesLabTrait {
    /// A lab of the suite's own for the duration of the suite.
    static var probesLab: Self { Self() }
}

/// Runs `peil resolve --json` inside a lab vantage namespace.
enum LabResolve {
    struct Run: Sendable {
        var observation: ResolutionObservation?
        var elapsed: Duration
        var standardError: String
        var status: Int32
    }

    static func run(_ lab: Lab, domain: LabDomain, families: Set<AddressFamily>) throws -> Run {
        let namespace = lab.vantageNamespace(for: families)
        let arguments = ["netns", "exec", namespace, TestProcess.peil!, "resolve", domain.name, "--web-host", domain.webHost,
                         "--root-hints", lab.rootHintsFile.path, "--trust-anchor", lab.trustAnchorFile.path,
                         "--families", families.map(\.rawValue).sorted().joined(separator: ","), "--query-timeout", "5", "--json"]
        let started = ContinuousClock.now
        let result = try TestProcess.run(ProbesLabTrait.ipTool!, arguments, timeout: .seconds(90))
        let elapsed = ContinuousClock.now - started
        let observation = try? JSONDecoder().decode(ResolutionObservation.self, from: Data(result.standardOutput.utf8))
        return Run(observation: observation, elapsed: elapsed, standardError: result.standardError, status: result.status)
    }

    /// Compares every fact but `dnssecReason` with the lab's truth, one expectation per field.
    static func compare(_ actual: DNSFacts, _ expected: DNSFacts, sourceLocation: SourceLocation = #_sourceLocation) {
        let domain = expected.domain
        func check<Value: Equatable>(_ field: String, _ lhs: Value, _ rhs: Value) {
            #expect(lhs == rhs, "\(domain) \(field): got \(lhs), lab says \(rhs)", sourceLocation: sourceLocation)
        }
        check("domain", actual.domain, expected.domain)
        check("dnssec", actual.dnssec, expected.dnssec)
        check("nsZone", actual.nsZone, expected.nsZone)
        check("nameservers", actual.nameservers, expected.nameservers)
        check("domainAddresses", actual.domainAddresses, expected.domainAddresses)
        check("web", actual.web, expected.web)
        check("webDNSSEC", actual.webDNSSEC, expected.webDNSSEC)
        check("mx", actual.mx, expected.mx)
        check("nullMX", actual.nullMX, expected.nullMX)
        check("txt", actual.txt, expected.txt)
        check("spf", actual.spf, expected.spf)
        check("dmarc", actual.dmarc, expected.dmarc)
        check("domainKey", actual.domainKey, expected.domainKey)
        check("caaFoundAt", actual.caaFoundAt, expected.caaFoundAt)
        check("caa", actual.caa, expected.caa)
        check("webTLSA", actual.webTLSA, expected.webTLSA)
        var withoutReason = actual
        withoutReason.dnssecReason = nil
        check("all facts", withoutReason, expected)
        if expected.dnssec == .bogus {
            #expect(actual.dnssecReason?.isEmpty == false, "\(domain): a bogus domain carries the resolver's reason", sourceLocation: sourceLocation)
        }
    }
}
