import Foundation
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Checks
@testable import Probes

/// The hostile zoo's TLS servers that answer too much: one that "accepts" every suite offered
/// (NULL, export and RC4 included) and one that sends a 200-certificate chain. Each scan ends
/// within its bound and with a clear result; the first is judged insufficient, never a crash.
@Suite("TLS scanner: all suites accepted, 200-certificate chain", .serialized, .blockingWork)
struct HostileTLSZooTests {
    static let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HostileTLSScanTests.limits, retries: 1)
    /// The scan's deadline (the agent's task budget is 100 s).
    static let budget: Duration = .seconds(60)

    static func scan(_ server: HostileTLSServer) -> (TLSScanResult, Duration) {
        let clock = ContinuousClock()
        var result: TLSScanResult?
        let elapsed = clock.measure {
            result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "www.hostile.lab"), options: options,
                                     deadline: ProbeDeadline(.now + budget))
        }
        print("\(server.behaviour): \(result!.outcome), \(result!.handshakes) handshakes in \(elapsed): \(result!.detail ?? "-"); "
              + "versions \(result!.observation?.versions.map(\.displayName) ?? []), chain \(result!.observation?.chain.count ?? -1)")
        return (result!, elapsed)
    }

    /// Every hello answered with its first suite, a version for every version: the scan
    /// offers each suite once per version (bounded by the registry), completes, and the NCSC
    /// classification finds SSL 3.0, NULL, export and RC4: insufficient.
    @Test(.timeLimit(.minutes(2)))
    func aServerAcceptingEverySuiteIsInsufficientNotACrash() throws {
        let server = try HostileTLSServer(.allSuites)
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server)
        #expect(elapsed < Self.budget, "ended before its deadline")
        let observation = try #require(result.observation, "\(result.outcome): \(result.detail ?? "-")")
        #expect(result.outcome == .completed)
        #expect(observation.versions.contains(.ssl3) && observation.versions.contains(.tls12))
        let tls12 = observation.ciphers.first { $0.version == .tls12 }?.ciphers ?? []
        #expect(tls12.count == TLSScanCatalog.suites(for: .tls12).count, "every suite offered is taken")
        let subtests = TLSEvaluation.evaluate(observation, ruleSet: .internetnlCurrent)
        let worst = StatusCell.worst(of: subtests, label: "127.0.0.1")
        print("classification: \(worst.status); failed: \(subtests.filter { $0.status == .failed }.map(\.name))")
        #expect(worst.status == .failed)
        #expect(subtests.first { $0.name == "tls_version" }?.status == .failed)
        #expect(subtests.first { $0.name == "tls_ciphers" }?.status == .failed)
    }

    /// A Certificate message of 200 certificates (over the 64 KiB a hello's answer may take):
    /// the flight's reading stops at the cap, OpenSSL's handshake fails, and the scan says the
    /// chain was not read and why, instead of parsing without bound.
    @Test(.timeLimit(.minutes(2)))
    func aTwoHundredCertificateChainIsReadWithinItsCap() throws {
        let server = try HostileTLSServer(.longChain)
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server)
        #expect(elapsed < Self.budget, "ended before its deadline")
        let observation = try #require(result.observation, "\(result.outcome): \(result.detail ?? "-")")
        #expect(observation.chain.count <= CertificateInspector.maxPresented)
        #expect(result.detail?.contains("certificate chain not read") == true, "the cut is named: \(result.detail ?? "-")")
        let subtests = TLSEvaluation.evaluate(observation, ruleSet: .internetnlCurrent)
        #expect(subtests.first { $0.name == "cert_pubkey" }?.status == .notTested, "no chain read: not tested, never passed on nothing")
        #expect(subtests.first { $0.name == "cert_signature" }?.status == .notTested)
    }
}
