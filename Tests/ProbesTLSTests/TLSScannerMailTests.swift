import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// Mail scans through the SMTP STARTTLS preamble: a real TLS backend behind a scripted SMTP
/// front, a server without STARTTLS, one that injects plaintext after its 220, one that
/// answers 454.
@Suite("TLS scanner over SMTP STARTTLS", .serialized, .blockingWork)
struct TLSScannerMailTests {
    static func options() throws -> TLSScanOptions {
        TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(3)),
                       trustStorePEMFile: try TestPKI.shared.get().caFile, probeEarlyData: false, smtpReplyTimeout: .seconds(3))
    }

    static func scan(_ smtp: SMTPTestServer) throws -> TLSScanResult {
        let target = TLSScanTarget(address: "127.0.0.1", port: smtp.port, serverName: "localhost", startTLS: .smtp(ehloName: "peil.test"))
        let result = TLSScanner.scan(target, options: try options())
        print("mail scan: \(result.outcome), \(result.handshakes) handshakes, detail \(result.detail ?? "-"), commands \(smtp.commands.count)")
        return result
    }

    @Test(.timeLimit(.minutes(2)))
    func everyHandshakeGoesThroughStartTLS() throws {
        let backend = try OpenSSLServer(["-groups", "X25519:P-256", "-cipher", "ECDHE+AESGCM",
                                         "-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"])
        defer { backend.stop() }
        let smtp = try SMTPTestServer(.relay(backend: backend.port))
        defer { smtp.stop() }
        let result = try Self.scan(smtp)
        let o = try #require(result.observation)
        #expect(result.outcome == .completed)
        #expect(o.versions == [.tls12, .tls13])
        #expect(Set(o.ciphers.last?.ciphers ?? []) == [0x1301, 0x1302])
        #expect(Set(o.keyExchanges) == [.ecdhe(group: 23), .ecdhe(group: 29)])
        #expect(o.earlyDataAccepted == nil, "not probed for mail")
        #expect(result.certificate?.trusted == true && o.chain.first?.commonName == "localhost")
        let sessions = smtp.commands.filter { $0 == "STARTTLS" }.count
        let renegotiationAttempts = (o.clientRenegotiations ?? 0) + 1  // the accepted ones and the refused one
        #expect(sessions == result.handshakes - renegotiationAttempts, "one STARTTLS per connection")
    }

    @Test(.timeLimit(.minutes(1)))
    func noStartTLSOfferedIsNoStartTLSAndQuits() throws {
        let smtp = try SMTPTestServer(.noStartTLS)
        defer { smtp.stop() }
        let result = try Self.scan(smtp)
        #expect(result.outcome == .noStartTLS && result.handshakes == 0 && result.observation == nil)
        #expect(result.detail == "STARTTLS not offered")
        #expect(smtp.commands(awaiting: 2) == ["EHLO", "QUIT"])
    }

    @Test(.timeLimit(.minutes(1)))
    func plaintextAfterReadyIsInconclusive() throws {
        let smtp = try SMTPTestServer(.plaintextAfterReady)
        defer { smtp.stop() }
        let result = try Self.scan(smtp)
        #expect(result.outcome == .inconclusive && result.handshakes == 0)
        #expect(result.detail?.contains("buffered plaintext") == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func temporaryFailureIsRetriedThenInconclusive() throws {
        let smtp = try SMTPTestServer(.temporaryFailure)
        defer { smtp.stop() }
        let result = try Self.scan(smtp)
        #expect(result.outcome == .inconclusive, "connected, so never unreachable")
        #expect(result.detail?.contains("454") == true && result.detail?.contains("4xx") == true)
        #expect(smtp.commands(awaiting: 6) == ["EHLO", "STARTTLS", "QUIT", "EHLO", "STARTTLS", "QUIT"], "one retry, QUIT each time")
    }
}
