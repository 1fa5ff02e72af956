import PeilModel

/// What the scanner offers: cipher suites per version (from PeilModel's registry), named
/// groups and signature schemes (IANA code points).
enum TLSScanCatalog {
    /// Every registry suite a server may choose under `version`: the five TLS 1.3 suites for
    /// TLS 1.3; for TLS 1.2 all others; below TLS 1.2 those without AEAD or SHA-2 MAC.
    static func suites(for version: TLSVersion) -> [UInt16] { suitesByVersion[version] ?? [] }

    /// ``suites(for:)`` of every version, listed once per process.
    private static let suitesByVersion: [TLSVersion: [UInt16]] = Dictionary(uniqueKeysWithValues: TLSVersion.allCases.map { ($0, listSuites(for: $0)) })

    static func listSuites(for version: TLSVersion) -> [UInt16] {
        CipherSuiteRegistry.names.keys.sorted().filter { code in
            guard let suite = CipherSuite(code: code) else { return false }
            switch version {
            case .tls13: return suite.keyExchange == .tls13
            case .tls12: return suite.keyExchange != .tls13
            default: return suite.keyExchange != .tls13 && !suite.cipher.isAEAD && ![.sha256, .sha384].contains(suite.mac)
            }
        }
    }

    /// Whether a suite's key exchange is ephemeral (ECDHE or DHE), i.e. signed in a ServerKeyExchange.
    static func isForwardSecret(_ code: UInt16) -> Bool {
        guard let kex = CipherSuite(code: code)?.keyExchange else { return false }
        return kex == .ecdhe || kex == .dhe
    }

    static func isECDHE(_ code: UInt16) -> Bool { CipherSuite(code: code)?.keyExchange == .ecdhe }

    /// Every group the scanner knows, offered together when enumerating suites: X25519, the
    /// NIST and brainpool curves, X448, secp256k1, secp224r1, then the RFC 7919 groups.
    static let allGroups: [UInt16] = [29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 256, 257, 258, 259, 260]

    /// The groups tried one at a time under TLS ≤ 1.2 (secp224r1, P-256/384/521, X25519,
    /// X448, brainpool 256/384/512).
    static let ecdheGroupsTLS12: [UInt16] = [21, 23, 24, 25, 29, 30, 26, 27, 28]
    /// And under TLS 1.3, with the RFC 8734 brainpool code points.
    static let ecdheGroupsTLS13: [UInt16] = ecdheGroupsTLS12 + [31, 32, 33]

    /// Every TLS 1.2 signature scheme, so that no suite is refused for lack of one.
    static let allSignatureSchemes: [UInt16] = [
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0807, 0x0808,
        0x0401, 0x0501, 0x0601, 0x0402, 0x0502, 0x0602, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
    ]
    /// Only SHA-1 (RSA, ECDSA, DSA).
    static let sha1Schemes: [UInt16] = [0x0201, 0x0203, 0x0202]
    /// Only SHA-224.
    static let sha224Schemes: [UInt16] = [0x0301, 0x0303, 0x0302]
    /// Only SHA-256/384/512: PKCS#1, ECDSA, DSA, RSA-PSS (rsae and pss).
    static let sha2Schemes: [UInt16] = [
        0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0402, 0x0502, 0x0602, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
    ]
    /// The TLS 1.3 SHA-2-only handshake's `signature_algorithms`, as OpenSSL names them.
    static let sha2OpenSSLSigalgs = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:"
        + "rsa_pss_rsae_sha512:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512"

    /// A hello for the scan: all groups and signature schemes unless narrowed, a fresh random,
    /// real X25519 and P-256 key shares for TLS 1.3.
    static func hello(_ version: TLSVersion, _ suites: [UInt16], serverName: String?, groups: [UInt16] = allGroups,
                      signatureAlgorithms: [UInt16] = allSignatureSchemes, keyShares: [UInt16] = [29, 23],
                      compression: [UInt8] = [0]) -> ClientHello {
        ClientHello(version: version, cipherSuites: suites, serverName: serverName, groups: groups,
                    signatureAlgorithms: signatureAlgorithms, renegotiationSCSV: version == .ssl3,
                    random: LegacyTLSScan.random(),
                    keyShares: version == .tls13 ? keyShares.compactMap(KeyShareFactory.share) : [],
                    compressionMethods: compression)
    }
}
