/// An SSL/TLS protocol version.
public enum TLSVersion: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    case ssl2 = "SSLv2", ssl3 = "SSLv3", tls10 = "TLSv1.0", tls11 = "TLSv1.1", tls12 = "TLSv1.2", tls13 = "TLSv1.3"

    /// The wire value (`0x0002` for SSL 2).
    public var wireValue: UInt16 {
        switch self {
        case .ssl2: 0x0002
        case .ssl3: 0x0300
        case .tls10: 0x0301
        case .tls11: 0x0302
        case .tls12: 0x0303
        case .tls13: 0x0304
        }
    }

    /// How Internet.nl names it in reports ("TLS 1.2", "SSL 3.0").
    public var displayName: String {
        switch self {
        case .ssl2: "SSL 2.0"
        case .ssl3: "SSL 3.0"
        case .tls10: "TLS 1.0"
        case .tls11: "TLS 1.1"
        case .tls12: "TLS 1.2"
        case .tls13: "TLS 1.3"
        }
    }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.wireValue < rhs.wireValue }
}

/// The cipher suites (IANA code points) a server accepted under one version.
public struct TLSVersionCiphers: Codable, Sendable, Hashable {
    public var version: TLSVersion
    public var ciphers: [UInt16]
    public init(version: TLSVersion, ciphers: [UInt16]) {
        self.version = version
        self.ciphers = ciphers
    }
}

/// One handshake made to learn the server's cipher preference: what was offered, in the
/// client's order, and what the server chose (nil: handshake failed).
public struct TLSCipherChoice: Codable, Sendable, Hashable {
    public var version: TLSVersion
    public var offered: [UInt16]
    public var chosen: UInt16?
    public init(version: TLSVersion, offered: [UInt16], chosen: UInt16?) {
        self.version = version
        self.offered = offered
        self.chosen = chosen
    }
}

/// The ephemeral key exchange a server used with one cipher suite.
public enum TLSKeyExchange: Codable, Sendable, Hashable {
    /// ECDHE (or a TLS 1.3 group) by IANA named-group code point (23 = secp256r1, 29 = X25519…).
    case ecdhe(group: UInt16)
    /// Finite-field DHE with the server's prime (hex) and generator.
    case dhe(primeHex: String, generator: UInt64, bits: Int)
}

/// How a server answered a TLS 1.2 handshake whose `signature_algorithms` offered only some hashes.
public enum TLSSignatureProbe: String, Codable, Sendable, Hashable {
    /// Handshake completed and the server signed with one of the offered hashes.
    case signedWithOffered = "signed_with_offered"
    /// Handshake completed but the server signed with another hash (or did not sign).
    case signedOtherwise = "signed_otherwise"
    /// Handshake failed.
    case handshakeFailed = "handshake_failed"
    /// Could not be determined (connection error, version not offered).
    case unknown
}

/// The facts Peil's checks need about one certificate of the presented chain.
public struct TLSCertificateFacts: Codable, Sendable, Hashable {
    public enum KeyType: String, Codable, Sendable, Hashable { case rsa, dsa, dh, ec, ed25519, ed448, other }
    public var commonName: String?
    public var keyType: KeyType
    public var keyBits: Int
    /// Curve name for EC keys, OpenSSL short names (`prime256v1`, `secp384r1`, `brainpoolP256r1`).
    public var curve: String?
    /// Signature algorithm, OpenSSL long name of the OID (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`, `ED25519`).
    public var signatureAlgorithm: String
    /// Whether it is a self-signed root in the trust store (Internet.nl skips roots).
    public var isTrustedRoot: Bool

    public init(commonName: String?, keyType: KeyType, keyBits: Int, curve: String? = nil,
                signatureAlgorithm: String, isTrustedRoot: Bool = false) {
        self.commonName = commonName
        self.keyType = keyType
        self.keyBits = keyBits
        self.curve = curve
        self.signatureAlgorithm = signatureAlgorithm
        self.isTrustedRoot = isTrustedRoot
    }
}

/// The OCSP stapling state of a connection.
public enum TLSOCSPStapling: String, Codable, Sendable, Hashable {
    case notStapled = "not_stapled"
    case stapledTrusted = "stapled_trusted"
    case stapledUntrusted = "stapled_untrusted"
}

/// Everything a TLS probe of one endpoint reports, raw, so verdicts under any rule set can be
/// derived later without probing again. Optional fields are nil when not measured.
public struct TLSObservation: Codable, Sendable, Hashable {
    /// Versions the server completed a handshake with.
    public var versions: [TLSVersion]
    /// Accepted cipher suites per version (Internet.nl enumerates the highest version below
    /// TLS 1.3 and TLS 1.3).
    public var ciphers: [TLSVersionCiphers]
    /// Preference handshakes (see `CipherOrderPlan` in Checks).
    public var cipherChoices: [TLSCipherChoice]
    /// Key exchanges seen, per accepted cipher.
    public var keyExchanges: [TLSKeyExchange]
    /// TLS 1.2 handshake offering only SHA-1 signature hashes.
    public var sha1SignatureProbe: TLSSignatureProbe?
    /// TLS 1.2 handshake offering only SHA-224 signature hashes.
    public var sha224SignatureProbe: TLSSignatureProbe?
    /// Handshakes offering only SHA-2 signature schemes, TLS 1.2 and TLS 1.3 (the 2021 test).
    public var sha2OnlyTLS12Probe: TLSSignatureProbe?
    public var sha2OnlyTLS13Probe: TLSSignatureProbe?
    /// TLS compression negotiated.
    public var compression: Bool?
    /// The server sent the renegotiation_info extension.
    public var secureRenegotiation: Bool?
    /// Client-initiated renegotiations the server accepted on one connection (Internet.nl tries 11).
    public var clientRenegotiations: Int?
    /// Extended Master Secret used on a TLS 1.2 handshake (nil: no TLS 1.2).
    public var extendedMasterSecret: Bool?
    /// Early data: nil when not TLS 1.3 or not offered by the server; otherwise whether the
    /// server accepted it, and whether the HTTP answer to the early request was 425.
    public var earlyDataAccepted: Bool?
    public var earlyDataTooEarly425: Bool?
    /// Whether the leaf names an OCSP responder, and what was stapled.
    public var leafHasOCSPURL: Bool?
    public var ocspStapling: TLSOCSPStapling?
    /// The presented chain, leaf first.
    public var chain: [TLSCertificateFacts]

    public init(versions: [TLSVersion] = [], ciphers: [TLSVersionCiphers] = [], cipherChoices: [TLSCipherChoice] = [],
                keyExchanges: [TLSKeyExchange] = [], sha1SignatureProbe: TLSSignatureProbe? = nil,
                sha224SignatureProbe: TLSSignatureProbe? = nil, sha2OnlyTLS12Probe: TLSSignatureProbe? = nil,
                sha2OnlyTLS13Probe: TLSSignatureProbe? = nil, compression: Bool? = nil, secureRenegotiation: Bool? = nil,
                clientRenegotiations: Int? = nil, extendedMasterSecret: Bool? = nil, earlyDataAccepted: Bool? = nil,
                earlyDataTooEarly425: Bool? = nil, leafHasOCSPURL: Bool? = nil, ocspStapling: TLSOCSPStapling? = nil,
                chain: [TLSCertificateFacts] = []) {
        self.versions = versions
        self.ciphers = ciphers
        self.cipherChoices = cipherChoices
        self.keyExchanges = keyExchanges
        self.sha1SignatureProbe = sha1SignatureProbe
        self.sha224SignatureProbe = sha224SignatureProbe
        self.sha2OnlyTLS12Probe = sha2OnlyTLS12Probe
        self.sha2OnlyTLS13Probe = sha2OnlyTLS13Probe
        self.compression = compression
        self.secureRenegotiation = secureRenegotiation
        self.clientRenegotiations = clientRenegotiations
        self.extendedMasterSecret = extendedMasterSecret
        self.earlyDataAccepted = earlyDataAccepted
        self.earlyDataTooEarly425 = earlyDataTooEarly425
        self.leafHasOCSPURL = leafHasOCSPURL
        self.ocspStapling = ocspStapling
        self.chain = chain
    }
}
