import Checks
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The scan plan against real `openssl s_server` processes on 127.0.0.1: each server scanned
/// in full (``TLSScanPlan/everything``) and with the plan `peil` uses (``TLSScanPlan/internetnl``)
/// must get the same TLS subtests, statuses and findings, under both rule sets, and the same
/// certificate verdict; the plan never makes more handshakes. The counts are printed.
@Suite("TLS scan plan: same verdicts, fewer handshakes", .serialized, .blockingWork)
struct ScanPlanTests {
    static func options(_ plan: TLSScanPlan) throws -> TLSScanOptions {
        TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(3)),
                       trustStorePEMFile: try TestPKI.shared.get().caFile, scanPlan: plan)
    }

    /// Scans `server` both ways; returns the handshakes (full, planned) and the planned observation.
    @discardableResult
    static func compare(_ name: String, _ server: OpenSSLServer) throws -> (full: Int, planned: Int, observation: TLSObservation) {
        defer { server.stop() }
        let target = TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "localhost")
        let full = TLSScanner.scan(target, options: try options(.everything))
        let planned = TLSScanner.scan(target, options: try options(.internetnl))
        print("\(name): \(full.handshakes) handshakes in full, \(planned.handshakes) with the plan "
              + "(connections \(full.connections ?? 0) → \(planned.connections ?? 0))")
        #expect(full.outcome == .completed && planned.outcome == .completed, "\(name)")
        #expect(planned.certificate == full.certificate, "\(name)")
        let o = try #require(full.observation), p = try #require(planned.observation)
        for ruleSet in RuleSet.allCases {
            #expect(TLSEvaluation.evaluate(p, ruleSet: ruleSet) == TLSEvaluation.evaluate(o, ruleSet: ruleSet), "\(name), \(ruleSet)")
        }
        #expect(p.versions == o.versions, "\(name)")
        #expect(planned.handshakes <= full.handshakes, "\(name)")
        return (full.handshakes, planned.handshakes, p)
    }

    /// The typical modern server: the plan leaves out the good suites, the preference walk and
    /// the good groups.
    @Test(.timeLimit(.minutes(2)))
    func modernServer() throws {
        let counts = try Self.compare("TLS 1.2 (ECDHE AES-GCM, ChaCha20) + 1.3, X25519 and P-256", try OpenSSLServer([
            "-groups", "X25519:P-256:P-384", "-cipher", "ECDHE+AESGCM:ECDHE+CHACHA20",
            "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"]))
        #expect(counts.planned * 2 < counts.full, "the plan halves a modern server's handshakes at least")
    }

    /// Phase-out and insufficient suites on TLS 1.2 with server preference: the preference
    /// version is enumerated in full and walked, as before.
    @Test(.timeLimit(.minutes(2)))
    func mixedSuitesWithServerPreference() throws {
        let pki = try TestPKI.shared.get()
        try Self.compare("TLS 1.2 server order, ECDHE GCM, ECDHE CBC, DHE, RSA", try OpenSSLServer([
            "-tls1_2", "-serverpref", "-dhparam", pki.ffdhe2048,
            "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-GCM-SHA256:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"]))
    }

    /// Client preference with a CBC suite: the 2021 walk finds the order not enforced.
    @Test(.timeLimit(.minutes(2)))
    func clientPreferenceWithCBC() throws {
        try Self.compare("TLS 1.2 client order, ECDHE GCM and CBC", try OpenSSLServer([
            "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"]))
    }

    /// TLS 1.0 to 1.3 with legacy suites: the lower versions are asked only about suites no
    /// higher version accepted.
    @Test(.timeLimit(.minutes(2)))
    func legacyVersions() throws {
        let versions = try Self.compare("TLS 1.0-1.3, CBC and GCM suites", try OpenSSLServer([
            "-min_protocol", "TLSv1", "-groups", "X25519:P-256",
            "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:@SECLEVEL=0"]))
        #expect(versions.observation.versions == [.tls10, .tls11, .tls12, .tls13])
    }

    /// secp224r1 (phase-out now) among the groups: still offered alone, still found.
    @Test(.timeLimit(.minutes(2)))
    func phaseOutGroup() throws {
        let scan = try Self.compare("TLS 1.2 + 1.3 with secp224r1", try OpenSSLServer([
            "-groups", "P-224:X25519:P-256", "-cipher", "ECDHE+AESGCM:@SECLEVEL=0"]))
        #expect(scan.observation.keyExchanges.contains(.ecdhe(group: 21)), "secp224r1 found")
    }

    /// A TLS 1.3-only server.
    @Test(.timeLimit(.minutes(2)))
    func tlsThirteenOnly() throws {
        try Self.compare("TLS 1.3 only", try OpenSSLServer(["-tls1_3", "-groups", "X25519:P-384"]))
    }
}
