import Checks
import PeilModel
import XCTest

final class TLSEvaluationTests: XCTestCase {
    let goodRSA = TLSCertificateFacts(commonName: "www.example.nl", keyType: .rsa, keyBits: 4096, signatureAlgorithm: "sha256WithRSAEncryption")

    var modern: TLSObservation {
        TLSObservation(versions: [.tls13, .tls12],
                       ciphers: [TLSVersionCiphers(version: .tls13, ciphers: [0x1301, 0x1302]),
                                 TLSVersionCiphers(version: .tls12, ciphers: [0xC02F, 0xC030])],
                       keyExchanges: [.ecdhe(group: 29)], sha2OnlyTLS12Probe: .signedWithOffered,
                       sha2OnlyTLS13Probe: .signedWithOffered, compression: false, secureRenegotiation: true,
                       clientRenegotiations: 0, extendedMasterSecret: true, leafHasOCSPURL: true,
                       ocspStapling: .stapledTrusted, chain: [goodRSA])
    }

    func statuses(_ o: TLSObservation, _ r: RuleSet) -> [String: Status] {
        Dictionary(uniqueKeysWithValues: TLSEvaluation.evaluate(o, ruleSet: r).map { ($0.name, $0.status) })
    }

    func testModernServerPassesEverythingUnderBothRuleSets() {
        for r in RuleSet.allCases {
            let s = statuses(modern, r)
            XCTAssertEqual(Set(s.values), [.passed], "\(r): \(s)")
        }
        XCTAssertNil(statuses(modern, .internetnl2021)["extended_master_secret"], "EMS did not exist in 2021")
    }

    func testTLS10IsWarningIn2021AndFailureNow() {
        var o = modern
        o.versions.append(.tls10)
        XCTAssertEqual(statuses(o, .internetnl2021)["tls_version"], .warning)
        let now = TLSEvaluation.versions(o, .internetnlCurrent)
        XCTAssertEqual(now.status, .failed)
        XCTAssertEqual(now.findings.first, Finding("insufficient", subject: "TLS 1.0"))
    }

    func testCBCSHA1CipherIsFineIn2021AndInsufficientNow() {
        var o = modern
        o.ciphers[1].ciphers.append(0xC013) // ECDHE-RSA-AES128-SHA
        XCTAssertEqual(TLSEvaluation.ciphers(o, .internetnl2021).status, .passed)
        let now = TLSEvaluation.ciphers(o, .internetnlCurrent)
        XCTAssertEqual(now.status, .failed)
        XCTAssertEqual(now.findings, [Finding("insufficient", subject: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")])
    }

    func testKeyExchangeParameters() {
        var o = modern
        o.keyExchanges.append(.dhe(primeHex: FFDHEGroups.ffdhe2048, generator: 2, bits: 2048))
        XCTAssertEqual(TLSEvaluation.keyExchange(o, .internetnl2021).status, .warning)
        XCTAssertEqual(TLSEvaluation.keyExchange(o, .internetnlCurrent).status, .failed)
        XCTAssertEqual(TLSEvaluation.keyExchange(o, .internetnlCurrent).findings, [Finding("insufficient", subject: "DH-2048")])
        XCTAssertEqual(TLSEvaluation.keyExchange(TLSObservation(), .internetnlCurrent).status, .passed, "no DH params")
    }

    func testKexHash() {
        var o = modern
        o.sha1SignatureProbe = .signedWithOffered
        XCTAssertEqual(TLSEvaluation.kexHash(o, .internetnlCurrent).status, .failed)
        o.sha1SignatureProbe = .handshakeFailed
        o.sha224SignatureProbe = .signedWithOffered
        XCTAssertEqual(TLSEvaluation.kexHash(o, .internetnlCurrent).status, .warning)
        o.sha2OnlyTLS13Probe = .signedWithOffered
        o.sha2OnlyTLS12Probe = .handshakeFailed
        XCTAssertEqual(TLSEvaluation.kexHash(o, .internetnl2021).status, .warning, "2021: optional, so no SHA-2 is a warning")
        o.sha2OnlyTLS12Probe = .unknown
        XCTAssertEqual(TLSEvaluation.kexHash(o, .internetnl2021).status, .info)
        o.sha2OnlyTLS12Probe = .signedWithOffered
        XCTAssertEqual(TLSEvaluation.kexHash(o, .internetnl2021).status, .passed)
        XCTAssertEqual(TLSEvaluation.kexHash(TLSObservation(versions: [.tls11]), .internetnl2021).status, .warning)
    }

    func testFlags() {
        var o = modern
        o.compression = true
        o.secureRenegotiation = false
        o.clientRenegotiations = 11
        o.extendedMasterSecret = false
        o.earlyDataAccepted = true
        let s = statuses(o, .internetnlCurrent)
        XCTAssertEqual(s["tls_compression"], .failed)
        XCTAssertEqual(s["renegotiation_secure"], .failed)
        XCTAssertEqual(s["renegotiation_client"], .info, "informational: never below info")
        XCTAssertEqual(s["extended_master_secret"], .failed)
        XCTAssertEqual(s["zero_rtt"], .failed)
        o.earlyDataTooEarly425 = true
        XCTAssertEqual(TLSEvaluation.zeroRTT(o).status, .passed, "425 Too Early is a correct answer")
        o.extendedMasterSecret = nil
        XCTAssertEqual(TLSEvaluation.extendedMasterSecret(o).status, .notTested)
    }

    func testOCSP() {
        var o = modern
        o.ocspStapling = .notStapled
        XCTAssertEqual(TLSEvaluation.ocsp(o, .internetnlCurrent).status, .info)
        o.ocspStapling = .stapledUntrusted
        XCTAssertEqual(TLSEvaluation.ocsp(o, .internetnlCurrent).status, .warning)
        o.leafHasOCSPURL = false
        o.ocspStapling = .notStapled
        XCTAssertEqual(TLSEvaluation.ocsp(o, .internetnlCurrent).status, .notTested)
        XCTAssertEqual(TLSEvaluation.ocsp(o, .internetnl2021).status, .info, "2021 did not look at the OCSP URL")
    }

    func testCipherOrderCurrent() {
        var o = modern
        o.ciphers[1].ciphers += [0xC027, 0xCCA8] // ECDHE-RSA-AES128-SHA256 (phase-out), ECDHE-RSA-CHACHA20
        let plan = CipherOrderCheck.currentPlan(accepted: o.ciphers[1].ciphers)
        XCTAssertEqual(plan, [[0xC027, 0xC02F], [0xC027, 0xC030], [0xC027, 0xCCA8]])
        o.cipherChoices = plan.map { TLSCipherChoice(version: .tls12, offered: $0, chosen: $0.last) }
        XCTAssertEqual(CipherOrderCheck.evaluate(o, ruleSet: .internetnlCurrent).status, .passed)
        o.cipherChoices[1].chosen = 0xC027
        let bad = CipherOrderCheck.evaluate(o, ruleSet: .internetnlCurrent)
        XCTAssertEqual(bad.status, .failed)
        XCTAssertEqual(bad.findings, [Finding("cipher-order-violation", subject: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                                              detail: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")])
        XCTAssertEqual(CipherOrderCheck.evaluate(TLSObservation(versions: [.tls13], ciphers: [TLSVersionCiphers(version: .tls13, ciphers: [0x1301])]),
                                                 ruleSet: .internetnlCurrent).findings, [Finding("cipher-order-na")])
    }

    func testCipherOrder2021() {
        var o = modern
        o.ciphers[1].ciphers += [0x009C] // AES128-GCM-SHA256: phase-out in 2021
        o.cipherChoices = [TLSCipherChoice(version: .tls12, offered: [0x009C, 0xC02F], chosen: 0xC02F),
                           TLSCipherChoice(version: .tls12, offered: [0xC02F, 0x009C], chosen: 0xC02F)]
        XCTAssertEqual(CipherOrderCheck.evaluate(o, ruleSet: .internetnl2021).status, .passed)
        o.cipherChoices[0].chosen = 0x009C
        XCTAssertEqual(CipherOrderCheck.evaluate(o, ruleSet: .internetnl2021).findings.first?.code, "cipher-order-not-enforced")
        o.cipherChoices = [TLSCipherChoice(version: .tls12, offered: [0xC02F, 0x009C], chosen: 0x009C)]
        XCTAssertEqual(CipherOrderCheck.evaluate(o, ruleSet: .internetnl2021).findings.first?.code, "cipher-order-violation")
        o.ciphers[1].ciphers = [0xC02F]
        XCTAssertEqual(CipherOrderCheck.evaluate(o, ruleSet: .internetnl2021).findings.first?.code, "cipher-order-na")
    }

    func testCertificateEvidenceNamesTheCertificate() {
        var o = modern
        o.chain.append(TLSCertificateFacts(commonName: "Old CA", keyType: .rsa, keyBits: 1024, signatureAlgorithm: "sha1WithRSAEncryption"))
        XCTAssertEqual(TLSEvaluation.certificateKey(o, .internetnlCurrent).findings, [Finding("insufficient", subject: "Old CA: rsa-1024")])
        XCTAssertEqual(TLSEvaluation.certificateSignature(o, .internetnl2021).findings, [Finding("insufficient", subject: "Old CA: sha1WithRSAEncryption")])
    }
}
