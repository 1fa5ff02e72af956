import Checks
import PeilModel
import XCTest

final class TLSClassificationTests: XCTestCase {
    func level(_ name: String, _ r: RuleSet) throws -> SecurityLevel {
        TLSClassification.level(try XCTUnwrap(CipherSuite(name: name), name), r)
    }

    /// Internet.nl 1.11's lists (tls_constants.py); everything else is insufficient.
    static let currentGood = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    static let currentSufficient = [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ]
    static let currentPhaseOut: [String] = {
        var names: [String] = []
        for auth in ["ECDSA", "RSA"] {
            for c in ["CAMELLIA_256_GCM_SHA384", "CAMELLIA_256_CBC_SHA384", "CAMELLIA_128_GCM_SHA256", "CAMELLIA_128_CBC_SHA256",
                      "ARIA_256_GCM_SHA384", "ARIA_256_CBC_SHA384", "ARIA_128_GCM_SHA256", "ARIA_128_CBC_SHA256",
                      "AES_256_CBC_SHA384", "AES_128_CBC_SHA256"] {
                names.append("TLS_ECDHE_\(auth)_WITH_\(c)")
            }
        }
        for c in ["CHACHA20_POLY1305_SHA256", "CAMELLIA_256_GCM_SHA384", "CAMELLIA_256_CBC_SHA256", "CAMELLIA_128_GCM_SHA256",
                  "CAMELLIA_128_CBC_SHA256", "ARIA_256_GCM_SHA384", "ARIA_256_CBC_SHA384", "ARIA_128_GCM_SHA256",
                  "ARIA_128_CBC_SHA256", "AES_256_GCM_SHA384", "AES_256_CCM", "AES_256_CBC_SHA256", "AES_128_GCM_SHA256",
                  "AES_128_CCM", "AES_128_CBC_SHA256"] {
            names.append("TLS_DHE_RSA_WITH_\(c)")
        }
        return names
    }()

    func testCurrentTableMatchesInternetNLListsOverTheWholeRegistry() throws {
        var counts: [SecurityLevel: Int] = [:]
        for (code, name) in CipherSuiteRegistry.names {
            let suite = try XCTUnwrap(CipherSuite(code: code))
            let expected: SecurityLevel = Self.currentGood.contains(name) ? .good
                : Self.currentSufficient.contains(name) ? .sufficient
                : Self.currentPhaseOut.contains(name) ? .phaseOut : .insufficient
            XCTAssertEqual(TLSClassification.level(suite, .internetnlCurrent), expected, name)
            counts[expected, default: 0] += 1
        }
        XCTAssertEqual(counts[.good], 2)
        XCTAssertEqual(counts[.sufficient], 10)
        XCTAssertEqual(counts[.phaseOut], 35, "every listed phase-out suite is in the registry")
    }

    func test2021AppendixCRules() throws {
        XCTAssertEqual(try level("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", .internetnl2021), .good)
        XCTAssertEqual(try level("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", .internetnl2021), .sufficient)
        XCTAssertEqual(try level("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", .internetnlCurrent), .insufficient)
        XCTAssertEqual(try level("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", .internetnl2021), .sufficient)
        XCTAssertEqual(try level("TLS_RSA_WITH_AES_128_GCM_SHA256", .internetnl2021), .phaseOut)
        XCTAssertEqual(try level("TLS_RSA_WITH_AES_128_GCM_SHA256", .internetnlCurrent), .insufficient)
        XCTAssertEqual(try level("TLS_RSA_WITH_3DES_EDE_CBC_SHA", .internetnl2021), .phaseOut)
        XCTAssertEqual(try level("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", .internetnl2021), .phaseOut)
        XCTAssertEqual(try level("TLS_RSA_WITH_SEED_CBC_SHA", .internetnl2021), .phaseOut)
        XCTAssertEqual(try level("TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", .internetnl2021), .phaseOut)
        XCTAssertEqual(try level("TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", .internetnl2021), .sufficient)
        XCTAssertEqual(try level("TLS_RSA_WITH_RC4_128_SHA", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_RSA_WITH_RC4_128_MD5", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_AES_128_CCM_8_SHA256", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_AES_128_GCM_SHA256", .internetnl2021), .good)
        XCTAssertEqual(try level("TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", .internetnl2021), .insufficient)
        XCTAssertEqual(try level("TLS_RSA_EXPORT_WITH_RC4_40_MD5", .internetnl2021), .insufficient)
    }

    func testDecomposition() throws {
        let s = try XCTUnwrap(CipherSuite(code: 0xC02F))
        XCTAssertEqual(s.name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        XCTAssertEqual(s.keyExchange, .ecdhe)
        XCTAssertEqual(s.authentication, .rsa)
        XCTAssertEqual(s.cipher, .aesGCM)
        XCTAssertEqual(s.keyBits, 128)
        XCTAssertEqual(s.mac, .aead)
        let export = try XCTUnwrap(CipherSuite(name: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"))
        XCTAssertTrue(export.isExport)
        XCTAssertEqual(export.keyExchange, .dhe)
        XCTAssertEqual(export.cipher, .des40)
        XCTAssertEqual(CipherSuiteRegistry.label(0xABCD), "0xABCD")
        XCTAssertEqual(CipherSuiteRegistry.names.count, CipherSuiteRegistry.codes.count)
    }

    func testVersions() {
        XCTAssertEqual(TLSClassification.level(.tls11, .internetnl2021), .phaseOut)
        XCTAssertEqual(TLSClassification.level(.tls10, .internetnl2021), .phaseOut)
        XCTAssertEqual(TLSClassification.level(.tls10, .internetnlCurrent), .insufficient)
        XCTAssertEqual(TLSClassification.level(.ssl3, .internetnl2021), .insufficient)
        XCTAssertEqual(TLSClassification.level(.tls12, .internetnlCurrent), .sufficient)
    }

    func testGroups() {
        XCTAssertEqual(TLSClassification.ecGroupLevel(29, .internetnlCurrent), .good)
        XCTAssertEqual(TLSClassification.ecGroupLevel(21, .internetnlCurrent), .phaseOut)
        XCTAssertEqual(TLSClassification.ecGroupLevel(22, .internetnlCurrent), .insufficient, "secp256k1")
        XCTAssertEqual(TLSClassification.ecGroupLevel(22, .internetnl2021), .good, "2021 judged size only")
        XCTAssertEqual(TLSClassification.ecGroupLevel(19, .internetnl2021), .insufficient)
        let p3072 = FFDHEGroups.ffdhe3072, p2048 = FFDHEGroups.ffdhe2048
        XCTAssertEqual(TLSClassification.dhLevel(primeHex: p3072, generator: 2, .internetnlCurrent), .phaseOut)
        XCTAssertEqual(TLSClassification.dhLevel(primeHex: "0x" + p3072.lowercased(), generator: 2, .internetnl2021), .good)
        XCTAssertEqual(TLSClassification.dhLevel(primeHex: p2048, generator: 2, .internetnlCurrent), .insufficient)
        XCTAssertEqual(TLSClassification.dhLevel(primeHex: p2048, generator: 2, .internetnl2021), .phaseOut)
        XCTAssertEqual(TLSClassification.dhLevel(primeHex: p3072, generator: 5, .internetnl2021), .insufficient)
        XCTAssertEqual(TLSClassification.dhLevel(primeHex: "C3" + p3072.dropFirst(2), generator: 2, .internetnl2021), .insufficient)
        XCTAssertEqual([FFDHEGroups.ffdhe2048, FFDHEGroups.ffdhe3072, FFDHEGroups.ffdhe4096, FFDHEGroups.ffdhe6144, FFDHEGroups.ffdhe8192].map(\.count),
                       [512, 768, 1024, 1536, 2048])
    }

    func testCertificates() {
        func key(_ t: TLSCertificateFacts.KeyType, _ bits: Int, _ curve: String? = nil, root: Bool = false) -> TLSCertificateFacts {
            TLSCertificateFacts(commonName: "x", keyType: t, keyBits: bits, curve: curve, signatureAlgorithm: "sha256WithRSAEncryption", isTrustedRoot: root)
        }
        XCTAssertEqual(CertificateClassification.keyLevel(key(.rsa, 4096), .internetnlCurrent), .good)
        XCTAssertEqual(CertificateClassification.keyLevel(key(.rsa, 2048), .internetnlCurrent), .phaseOut)
        XCTAssertEqual(CertificateClassification.keyLevel(key(.rsa, 2048), .internetnl2021), .good)
        XCTAssertEqual(CertificateClassification.keyLevel(key(.rsa, 1024), .internetnl2021), .insufficient)
        XCTAssertEqual(CertificateClassification.keyLevel(key(.ec, 521, "secp521r1"), .internetnlCurrent), .good)
        XCTAssertEqual(CertificateClassification.keyLevel(key(.ec, 521, "secp521r1"), .internetnl2021), .insufficient)
        XCTAssertEqual(CertificateClassification.keyLevel(key(.ec, 224, "secp224r1"), .internetnl2021), .phaseOut)
        XCTAssertNil(CertificateClassification.keyLevel(key(.rsa, 1024, root: true), .internetnlCurrent))
        XCTAssertEqual(CertificateClassification.keyLevel(key(.rsa, 1024, root: true), .internetnl2021), .insufficient)
        func sig(_ alg: String) -> TLSCertificateFacts {
            TLSCertificateFacts(commonName: "x", keyType: .rsa, keyBits: 4096, signatureAlgorithm: alg)
        }
        XCTAssertEqual(CertificateClassification.signatureLevel(sig("ED25519"), .internetnlCurrent), .good)
        XCTAssertEqual(CertificateClassification.signatureLevel(sig("ED25519"), .internetnl2021), .insufficient)
        XCTAssertEqual(CertificateClassification.signatureLevel(sig("sha224WithRSAEncryption"), .internetnlCurrent), .phaseOut)
        XCTAssertEqual(CertificateClassification.signatureLevel(sig("sha1WithRSAEncryption"), .internetnlCurrent), .insufficient)
        XCTAssertEqual(CertificateClassification.signatureLevel(sig("dsa_with_SHA256"), .internetnl2021), .good)
    }
}
