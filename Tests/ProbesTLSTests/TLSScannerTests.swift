import Checks
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// Full scans of real `openssl s_server` processes on 127.0.0.1 configured with known
/// versions, suites, groups and certificates: each scan must report exactly those.
@Suite("TLS scanner against openssl s_server", .serialized, .blockingWork)
struct TLSScannerTests {
    static func options(renegotiations: Int = 11) throws -> TLSScanOptions {
        TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(3)),
                       trustStorePEMFile: try TestPKI.shared.get().caFile, clientRenegotiationAttempts: renegotiations)
    }

    static func scan(_ server: OpenSSLServer, name: String? = "localhost", options: TLSScanOptions? = nil) throws -> TLSScanResult {
        let result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: name),
                                     options: try options ?? Self.options())
        print("scan of :\(server.port): \(result.outcome), \(result.handshakes) handshakes, detail \(result.detail ?? "-")")
        if let o = result.observation {
            print("  versions \(o.versions.map(\.displayName)); ciphers \(o.ciphers.map { "\($0.version.displayName): \($0.ciphers.map(CipherSuiteRegistry.label))" })")
            print("  kex \(o.keyExchanges.map(Self.describe)); sha1 \(String(describing: o.sha1SignatureProbe)) sha224 \(String(describing: o.sha224SignatureProbe)) sha2/1.2 \(String(describing: o.sha2OnlyTLS12Probe)) sha2/1.3 \(String(describing: o.sha2OnlyTLS13Probe))")
            print("  choices \(o.cipherChoices.map { "\($0.offered.map { String($0, radix: 16) }) → \($0.chosen.map { String($0, radix: 16) } ?? "-")" })")
            print("  compression \(String(describing: o.compression)) secureReneg \(String(describing: o.secureRenegotiation)) clientReneg \(String(describing: o.clientRenegotiations)) EMS \(String(describing: o.extendedMasterSecret)) 0-RTT \(String(describing: o.earlyDataAccepted))/\(String(describing: o.earlyDataTooEarly425)) OCSP \(String(describing: o.leafHasOCSPURL))/\(String(describing: o.ocspStapling))")
            print("  chain \(o.chain.map { "\($0.commonName ?? "-") \($0.keyType.rawValue)-\($0.keyBits) \($0.signatureAlgorithm) root=\($0.isTrustedRoot)" }); verification \(String(describing: result.certificate.map { ($0.trusted, $0.verifyError, $0.nameMatches, $0.chainDER.count) }))")
        }
        return result
    }

    static func describe(_ kex: TLSKeyExchange) -> String {
        switch kex {
        case .ecdhe(let group): TLSClassification.groupName(group)
        case .dhe(_, let g, let bits): "DH-\(bits) g=\(g)"
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func tlsTwelveOnlyWithThreeECDHESuitesAndServerPreference() throws {
        let server = try OpenSSLServer(["-tls1_2", "-serverpref", "-groups", "P-256:X25519",
                                        "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"])
        defer { server.stop() }
        let result = try Self.scan(server)
        let o = try #require(result.observation)
        #expect(result.outcome == .completed)
        #expect(o.versions == [.tls12])
        #expect(o.ciphers == [TLSVersionCiphers(version: .tls12, ciphers: [0xC030, 0xC02F, 0xCCA8])], "server preference order")
        #expect(Set(o.keyExchanges) == [.ecdhe(group: 23), .ecdhe(group: 29)])
        #expect(o.cipherChoices == [
            TLSCipherChoice(version: .tls12, offered: [0xC030, 0xC02F, 0xCCA8], chosen: 0xC030),
            TLSCipherChoice(version: .tls12, offered: [0xC02F, 0xCCA8], chosen: 0xC02F),
            TLSCipherChoice(version: .tls12, offered: [0xCCA8, 0xC02F, 0xC030], chosen: 0xC030),
        ])
        #expect(o.compression == false && o.secureRenegotiation == true && o.extendedMasterSecret == true)
        #expect(o.sha2OnlyTLS12Probe == .signedWithOffered && o.sha2OnlyTLS13Probe == nil)
        #expect(o.earlyDataAccepted == nil && o.clientRenegotiations == 0)
        #expect(o.chain.map(\.commonName) == ["localhost", "Peil Test CA"])
        #expect(o.chain.map(\.isTrustedRoot) == [false, true])
        #expect(o.chain.first?.keyType == .rsa && o.chain.first?.keyBits == 2048 && o.chain.first?.signatureAlgorithm == "sha256WithRSAEncryption")
        #expect(o.leafHasOCSPURL == true && o.ocspStapling == .notStapled)
        let certificate = try #require(result.certificate)
        #expect(certificate.trusted && certificate.verifyError == nil && certificate.nameMatches == true && certificate.chainDER.count == 2)
        let order = CipherOrderCheck.evaluate(o, ruleSet: .internetnl2021)
        #expect(order.status == .passed)
    }

    /// The typical modern server: TLS 1.2 and 1.3, X25519 only. Its handshake count is printed.
    @Test(.timeLimit(.minutes(2)))
    func tlsTwelveAndThirteenWithX25519Only() throws {
        let server = try OpenSSLServer(["-groups", "X25519", "-cipher", "ECDHE+AESGCM",
                                        "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"])
        defer { server.stop() }
        let result = try Self.scan(server)
        print("typical TLS 1.2+1.3 server: \(result.handshakes) handshakes")
        let o = try #require(result.observation)
        #expect(o.versions == [.tls12, .tls13])
        #expect(o.ciphers.map(\.version) == [.tls12, .tls13])
        #expect(Set(o.ciphers.first?.ciphers ?? []) == [0xC02F, 0xC030])
        #expect(Set(o.ciphers.last?.ciphers ?? []) == [0x1301, 0x1302, 0x1303])
        #expect(o.keyExchanges == [.ecdhe(group: 29)])
        #expect(o.sha2OnlyTLS13Probe == .signedWithOffered && o.sha2OnlyTLS12Probe == .signedWithOffered)
        #expect(o.earlyDataAccepted == nil, "no max_early_data in the ticket")
        #expect(o.extendedMasterSecret == true && o.secureRenegotiation == true && o.compression == false)
        #expect(o.cipherChoices.count == 2, "a walk of two suites is one hello, plus the reverse")
    }

    @Test(.timeLimit(.minutes(2)))
    func earlyDataOfferedAndAccepted() throws {
        let server = try OpenSSLServer(["-early_data", "-tls1_3", "-groups", "X25519:P-384"])
        defer { server.stop() }
        let o = try #require(try Self.scan(server).observation)
        #expect(o.versions == [.tls13])
        #expect(o.earlyDataAccepted == true && o.earlyDataTooEarly425 == false)
        #expect(o.keyExchanges == [.ecdhe(group: 24), .ecdhe(group: 29)])
        #expect(o.cipherChoices.isEmpty && o.extendedMasterSecret == nil && o.clientRenegotiations == nil)
        #expect(o.sha1SignatureProbe == nil && o.sha2OnlyTLS13Probe == .signedWithOffered)
    }

    @Test(.timeLimit(.minutes(2)))
    func finiteFieldDHEWithTheFFDHE2048Group() throws {
        let pki = try TestPKI.shared.get()
        let server = try OpenSSLServer(["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
                                        "-dhparam", pki.ffdhe2048])
        defer { server.stop() }
        let o = try #require(try Self.scan(server).observation)
        #expect(Set(o.ciphers.flatMap(\.ciphers)) == [0x009E, 0x009F])
        #expect(o.keyExchanges == [.dhe(primeHex: FFDHEGroups.ffdhe2048, generator: 2, bits: 2048)])
        #expect(TLSEvaluation.keyExchange(o, .internetnlCurrent).status == .failed)
        #expect(o.sha2OnlyTLS12Probe == .signedWithOffered)
    }

    @Test(.timeLimit(.minutes(2)))
    func clientRenegotiationAllowedOrRefused() throws {
        let allowing = try OpenSSLServer(["-tls1_2", "-client_renegotiation"])
        defer { allowing.stop() }
        #expect(try Self.scan(allowing).observation?.clientRenegotiations == 11)
        let refusing = try OpenSSLServer(["-tls1_2", "-no_renegotiation"])
        defer { refusing.stop() }
        let o = try #require(try Self.scan(refusing).observation)
        #expect(o.clientRenegotiations == 0)
        // Without -serverpref the client's order wins: both rule sets see it in the choices.
        let current = CipherOrderCheck.currentPlan(accepted: o.ciphers.first?.ciphers ?? [])
        #expect(!current.isEmpty && current.allSatisfy { list in o.cipherChoices.contains { $0.offered == list } })
        #expect(CipherOrderCheck.evaluate(o, ruleSet: .internetnlCurrent).status == .failed)
        #expect(CipherOrderCheck.evaluate(o, ruleSet: .internetnl2021).status == .failed, "the walk's first choice is RSA-AES128-SHA")
    }

    @Test(.timeLimit(.minutes(2)))
    func selfSignedWrongNameAndStapledCertificates() throws {
        let pki = try TestPKI.shared.get()
        let selfSigned = try OpenSSLServer(["-tls1_3"], certificate: pki.selfSignedFile)
        defer { selfSigned.stop() }
        let untrusted = try Self.scan(selfSigned)
        let verification = try #require(untrusted.certificate)
        #expect(!verification.trusted && verification.verifyError?.contains("self-signed") == true && verification.nameMatches == true)
        #expect(untrusted.observation?.chain.map(\.isTrustedRoot) == [false] && untrusted.observation?.leafHasOCSPURL == false)

        let stapling = try OpenSSLServer(["-tls1_2", "-status_file", pki.ocspResponse])
        defer { stapling.stop() }
        let wrongName = try Self.scan(stapling, name: "wrong.example")
        #expect(wrongName.certificate?.trusted == true && wrongName.certificate?.nameMatches == false)
        #expect(wrongName.observation?.ocspStapling == .stapledTrusted && wrongName.observation?.leafHasOCSPURL == true)
    }
}
