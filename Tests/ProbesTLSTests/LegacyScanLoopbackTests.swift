import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// Hand-built hellos against real servers on 127.0.0.1: tlslite-ng offering SSL 3.0–TLS 1.0 with
/// RC4 and 3DES, a modern `openssl s_server`, and a port that never answers.
@Suite("Legacy TLS scan over loopback", .serialized, .blockingWork)
struct LegacyScanLoopbackTests {
    /// RC4, 3DES, DES, RC2, export and NULL suites, from the PeilModel registry (no table here).
    static let legacy: [UInt16] = CipherSuiteRegistry.names.keys.sorted().filter { code in
        guard let suite = CipherSuite(code: code), suite.keyExchange != .tls13 else { return false }
        return suite.isExport || [.rc4, .tripleDES, .des, .des40, .rc2, .null].contains(suite.cipher)
    }
    /// Every registered pre-TLS 1.3 suite.
    static let all: [UInt16] = CipherSuiteRegistry.names.keys.sorted().filter { $0 >> 8 != 0x13 }
    static let limits = HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(5))

    @Test func tlsliteOfferingSSL3WithRC4And3DESIsFoundWithFewHandshakes() throws {
        let folder = try LoopbackTLSServers.certificate()
        let script = try LoopbackTLSServers.tlsliteScript()
        let (server, port) = try LoopbackTLSServers.start(script, {
            ["server", "-c", "cert.pem", "-k", "key.pem", "--ssl3", "--max-ver", "tls1.0",
             "--cipherlist", "rc4", "--cipherlist", "3des", "127.0.0.1:\($0)"]
        }, in: folder)
        defer { server.stop() }
        let report = LegacyTLSScan(endpoint: TLSEndpoint(address: "127.0.0.1", port: port), limits: Self.limits)
            .run(legacyCiphers: Self.legacy, allCiphers: Self.all)
        let names = report.legacyCiphers.map { "\($0.version.displayName): \($0.ciphers.map(CipherSuiteRegistry.label))" }
        print("tlslite-ng legacy scan: \(report.handshakeCount) handshakes; \(names); SSL 3.0 \(String(describing: report.versions[.ssl3]))")
        for handshake in report.handshakes { print("  \(handshake.version.displayName) offered \(handshake.offered.count): \(handshake.outcome)") }
        #expect(report.stoppedBy == nil)
        guard case .accepted(let sslCipher) = report.versions[.ssl3] else { Issue.record("SSL 3.0 not detected"); return }
        #expect(CipherSuite(code: sslCipher).map { [.rc4, .tripleDES].contains($0.cipher) } == true)
        let accepted = report.acceptedLegacyCiphers.compactMap { CipherSuite(code: $0) }
        #expect(accepted.contains { $0.cipher == .rc4 }, "RC4 not detected")
        #expect(accepted.contains { $0.cipher == .tripleDES }, "3DES not detected")
        #expect(accepted.allSatisfy { [.rc4, .tripleDES].contains($0.cipher) })
        #expect(report.legacyCiphers.map(\.version) == [.tls10], "the server's best version for them")
        #expect(report.handshakeCount == report.acceptedLegacyCiphers.count + 2, "one per suite, one refusal, one SSL 3.0 hello")
        #expect(report.acceptedLegacyCiphers == [0x0005, 0x000A, 0x0016, 0xC011, 0xC012], "tlslite-ng leaves MD5 suites off by default")
    }

    @Test func modernOpenSSLServerShowsNoLegacyVersionOrCipher() throws {
        let folder = try LoopbackTLSServers.certificate()
        let (server, port) = try LoopbackTLSServers.start("/usr/bin/openssl", {
            ["s_server", "-accept", "127.0.0.1:\($0)", "-cert", "cert.pem", "-key", "key.pem", "-quiet",
             "-min_protocol", "TLSv1.2", "-cipher", "ECDHE+AESGCM:ECDHE+CHACHA20",
             "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"]
        }, in: folder)
        defer { server.stop() }
        let endpoint = TLSEndpoint(address: "127.0.0.1", port: port, serverName: "localhost")
        let report = LegacyTLSScan(endpoint: endpoint, limits: Self.limits).run(legacyCiphers: Self.legacy, allCiphers: Self.all)
        print("openssl s_server legacy scan: \(report.handshakeCount) handshakes: \(report.handshakes.map(\.outcome))")
        #expect(report.stoppedBy == nil && report.legacyCiphers.isEmpty && report.acceptedLegacyCiphers.isEmpty)
        #expect(report.versions[.ssl3] == .refused)
        #expect(report.handshakeCount == 2)
        #expect(report.handshakes.allSatisfy { $0.outcome.isRefusal })

        // The same builder and parser on a full modern handshake start.
        let tls12 = HelloProbe.exchange(ClientHello(version: .tls12, cipherSuites: [0xC02F, 0xC030]), with: endpoint, limits: Self.limits)
        guard case .accepted(let hello12) = tls12 else { Issue.record("TLS 1.2: \(tls12)"); return }
        #expect(hello12.negotiatedVersion == .tls12 && hello12.cipherSuite == 0xC02F)
        #expect(hello12.renegotiationInfo == [] && hello12.extendedMasterSecret)
        let tls13 = HelloProbe.exchange(ClientHello(version: .tls13, cipherSuites: [0x1302, 0x1301], random: LegacyTLSScan.random(),
                                                    keyShares: [ClientHello.KeyShare(group: 29, bytes: LegacyTLSScan.random())]),
                                          with: endpoint, limits: Self.limits)
        guard case .accepted(let hello13) = tls13 else { Issue.record("TLS 1.3: \(tls13)"); return }
        #expect(hello13.negotiatedVersion == .tls13 && [0x1301, 0x1302].contains(hello13.cipherSuite) && hello13.keyShareGroup == 29)
    }

    @Test(.timeLimit(.minutes(1)))
    func silentPortEndsAsTimeoutNotAsNotSupported() throws {
        let silent = try SilentListener()
        let limits = HelloLimits(connectTimeout: .seconds(1), answerTimeout: .milliseconds(400))
        let report = LegacyTLSScan(endpoint: TLSEndpoint(address: "127.0.0.1", port: silent.port), limits: limits, retries: 1)
            .run(legacyCiphers: Self.legacy, allCiphers: Self.all)
        #expect(report.stoppedBy == .timeout)
        #expect(report.handshakeCount == 2, "the first hello and one retry, then stop")
        #expect(report.versions[.ssl3] == nil && report.legacyCiphers.isEmpty)
    }

    @Test func closedPortIsUnreachable() throws {
        let port = try LoopbackTLSServers.freePort()
        let outcome = HelloProbe.exchange(ClientHello(version: .tls12, cipherSuites: [0xC02F]),
                                          with: TLSEndpoint(address: "127.0.0.1", port: port), limits: Self.limits)
        guard case .unreachable = outcome else { Issue.record("got \(outcome)"); return }
        #expect(outcome.isInconclusive && !outcome.isRefusal)
    }
}
