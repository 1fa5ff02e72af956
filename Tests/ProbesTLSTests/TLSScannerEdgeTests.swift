import Checks
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// Scans that cannot complete (refused port, silent listener, not TLS) and a legacy server
/// (tlslite-ng with SSL 3.0, RC4 and 3DES) that OpenSSL 3 cannot talk to.
@Suite("TLS scanner: unreachable, silent, not TLS, legacy", .serialized, .blockingWork)
struct TLSScannerEdgeTests {
    static let quick = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(1), answerTimeout: .milliseconds(400)), retries: 1)

    @Test(.timeLimit(.minutes(1)))
    func refusedPortIsUnreachableWithoutAnyHello() throws {
        let port = try LoopbackTLSServers.freePort()
        let result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: port), options: Self.quick)
        #expect(result.outcome == .unreachable && result.handshakes == 0 && result.observation == nil)
        #expect(result.detail?.contains("connect") == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func silentListenerIsInconclusiveNeverNotSupported() throws {
        let silent = try SilentListener()
        let result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: silent.port), options: Self.quick)
        #expect(result.outcome == .inconclusive && result.observation == nil)
        #expect(result.handshakes == 2, "the first hello and one retry")
        #expect(result.detail == "TLS 1.2 hello: timeout")
    }

    @Test(.timeLimit(.minutes(1)))
    func plaintextServiceIsNoTLS() throws {
        let smtp = try SMTPTestServer(.noStartTLS)  // a greeting instead of a ServerHello
        defer { smtp.stop() }
        let result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: smtp.port), options: Self.quick)
        #expect(result.outcome == .noTLS && result.handshakes == 2)
        #expect(result.detail?.contains("not a TLS answer") == true)
    }

    /// `s_server -servername` warns `unrecognized_name` to any other name before its
    /// ServerHello (as httpd does): the scan goes on and completes, as OpenSSL's client does,
    /// instead of taking the warning for a refusal of every version (`noTLS`, before).
    @Test(.timeLimit(.minutes(1)))
    func aWarningBeforeTheServerHelloIsNoRefusal() throws {
        let pki = try TestPKI.shared.get()
        let server = try OpenSSLServer(["-servername", "other.test", "-cert2", pki.selfSignedFile, "-key2", pki.selfSignedKey])
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(3)),
                                     trustStorePEMFile: pki.caFile, scanPlan: .internetnl)
        let result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "localhost"), options: options)
        #expect(result.outcome == .completed, "\(result.detail ?? "")")
        #expect(result.observation?.versions.contains(.tls12) == true && result.certificate?.nameMatches == true)
    }

    @Test(.timeLimit(.minutes(2)))
    func tlsliteWithSSL3RC4And3DES() throws {
        let folder = try LoopbackTLSServers.certificate()
        let script = try LoopbackTLSServers.tlsliteScript()
        let (server, port) = try LoopbackTLSServers.start(script, {
            ["server", "-c", "cert.pem", "-k", "key.pem", "--ssl3", "--max-ver", "tls1.0",
             "--cipherlist", "rc4", "--cipherlist", "3des", "127.0.0.1:\($0)"]
        }, in: folder)
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(5)))
        let result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: port, serverName: "localhost"), options: options)
        print("tlslite-ng scan: \(result.outcome), \(result.handshakes) handshakes, \(result.detail ?? "-")")
        let o = try #require(result.observation)
        print("  \(o.ciphers.map { "\($0.version.displayName): \($0.ciphers.map(CipherSuiteRegistry.label))" }); kex \(o.keyExchanges)")
        #expect(o.versions == [.ssl3, .tls10])
        let suites = Set(o.ciphers.flatMap(\.ciphers)).compactMap { CipherSuite(code: $0) }
        #expect(suites.contains { $0.cipher == .rc4 } && suites.contains { $0.cipher == .tripleDES })
        #expect(suites.allSatisfy { [.rc4, .tripleDES].contains($0.cipher) })
        #expect(o.chain.first?.commonName == "localhost", "read from the Certificate message")
        #expect(result.certificate == nil, "OpenSSL 3 has no RC4 or 3DES: no verified handshake")
        #expect(o.extendedMasterSecret == nil && o.sha1SignatureProbe == nil)
        #expect(TLSEvaluation.versions(o, .internetnlCurrent).status == .failed)
    }
}
