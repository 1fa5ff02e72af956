/// A cipher suite decomposed from its IANA name: key exchange, authentication, bulk cipher
/// and MAC, which is all the NCSC tables look at.
public struct CipherSuite: Sendable, Hashable, CustomStringConvertible {
    public enum KeyExchange: String, Sendable { case tls13, rsa, dh, dhe, ecdh, ecdhe, psk, dhePSK, rsaPSK, ecdhePSK, srp, krb5, null, other }
    public enum Authentication: String, Sendable { case tls13, rsa, dss, ecdsa, anon, psk, other }
    public enum Cipher: String, Sendable {
        case aesGCM, aesCCM, aesCCM8, aesCBC, chacha20Poly1305, camelliaGCM, camelliaCBC, ariaGCM, ariaCBC
        case tripleDES, des, des40, rc4, rc2, idea, seed, null, other
        /// Authenticated encryption (no separate MAC).
        public var isAEAD: Bool { [.aesGCM, .aesCCM, .aesCCM8, .chacha20Poly1305, .camelliaGCM, .ariaGCM].contains(self) }
    }
    public enum MAC: String, Sendable { case aead, md5, sha1, sha256, sha384, other }

    public var code: UInt16
    public var name: String
    public var keyExchange: KeyExchange
    public var authentication: Authentication
    public var cipher: Cipher
    /// Bulk key length in bits (0 when not applicable).
    public var keyBits: Int
    public var mac: MAC
    public var isExport: Bool

    public var description: String { name }

    /// The suite with this code point, if the registry knows it.
    public init?(code: UInt16) {
        guard let suite = CipherSuiteRegistry.suites[code] else { return nil }
        self = suite
    }

    /// The suite with this IANA name, if the registry knows it.
    public init?(name: String) {
        guard let code = CipherSuiteRegistry.codes[name], let suite = CipherSuiteRegistry.suites[code] else { return nil }
        self = suite
    }

    /// Decomposes `name` (the registry does it once per suite).
    init(code: UInt16, name: String) {
        self.code = code
        self.name = name
        let body = name.hasPrefix("TLS_") ? String(name.dropFirst(4)) : name
        let kexPart: String
        let encPart: String
        let pieces = body.split(separator: "_", omittingEmptySubsequences: false)
        if let with = pieces.firstIndex(of: "WITH") {
            kexPart = pieces[..<with].joined(separator: "_")
            encPart = pieces[(with + 1)...].joined(separator: "_")
        } else {
            kexPart = "TLS13"
            encPart = body
        }
        isExport = kexPart.contains("EXPORT")
        let kex = kexPart.split(separator: "_").filter { !$0.hasPrefix("EXPORT") }.joined(separator: "_")
        (keyExchange, authentication) = Self.kexAuth(kex)
        (cipher, keyBits, mac) = Self.encMac(encPart)
    }

    static func kexAuth(_ s: String) -> (KeyExchange, Authentication) {
        switch s {
        case "TLS13": (.tls13, .tls13)
        case "RSA": (.rsa, .rsa)
        case "DH_DSS": (.dh, .dss)
        case "DH_RSA": (.dh, .rsa)
        case "DHE_DSS": (.dhe, .dss)
        case "DHE_RSA": (.dhe, .rsa)
        case "DH_anon": (.dh, .anon)
        case "ECDH_ECDSA": (.ecdh, .ecdsa)
        case "ECDH_RSA": (.ecdh, .rsa)
        case "ECDHE_ECDSA": (.ecdhe, .ecdsa)
        case "ECDHE_RSA": (.ecdhe, .rsa)
        case "ECDH_anon": (.ecdh, .anon)
        case "PSK": (.psk, .psk)
        case "DHE_PSK", "PSK_DHE": (.dhePSK, .psk)
        case "RSA_PSK": (.rsaPSK, .rsa)
        case "ECDHE_PSK": (.ecdhePSK, .psk)
        case "SRP_SHA": (.srp, .anon)
        case "SRP_SHA_RSA": (.srp, .rsa)
        case "SRP_SHA_DSS": (.srp, .dss)
        case "NULL": (.null, .anon)
        default: s.hasPrefix("KRB5") ? (.krb5, .other) : (.other, .other)
        }
    }

    static func encMac(_ s: String) -> (Cipher, Int, MAC) {
        var parts = s.split(separator: "_").map(String.init)
        var mac = MAC.other
        if let last = parts.last {
            switch last {
            case "MD5": mac = .md5; parts.removeLast()
            case "SHA": mac = .sha1; parts.removeLast()
            case "SHA256": mac = .sha256; parts.removeLast()
            case "SHA384": mac = .sha384; parts.removeLast()
            default: break
            }
        }
        let joined = parts.joined(separator: "_")
        let bits = parts.compactMap { Int($0) }.first ?? 0
        let cipher: Cipher
        switch true {
        case joined.hasPrefix("AES") && joined.hasSuffix("GCM"): cipher = .aesGCM
        case joined.hasPrefix("AES") && joined.hasSuffix("CCM_8"): cipher = .aesCCM8
        case joined.hasPrefix("AES") && joined.hasSuffix("CCM"): cipher = .aesCCM
        case joined.hasPrefix("AES") && joined.hasSuffix("CBC"): cipher = .aesCBC
        case joined == "CHACHA20_POLY1305": cipher = .chacha20Poly1305
        case joined.hasPrefix("CAMELLIA") && joined.hasSuffix("GCM"): cipher = .camelliaGCM
        case joined.hasPrefix("CAMELLIA"): cipher = .camelliaCBC
        case joined.hasPrefix("ARIA") && joined.hasSuffix("GCM"): cipher = .ariaGCM
        case joined.hasPrefix("ARIA"): cipher = .ariaCBC
        case joined.hasPrefix("3DES"): cipher = .tripleDES
        case joined.hasPrefix("DES40"): cipher = .des40
        case joined.hasPrefix("DES"): cipher = .des
        case joined.hasPrefix("RC4"): cipher = .rc4
        case joined.hasPrefix("RC2"): cipher = .rc2
        case joined.hasPrefix("IDEA"): cipher = .idea
        case joined.hasPrefix("SEED"): cipher = .seed
        case joined.hasPrefix("NULL") || joined.isEmpty: cipher = .null
        default: cipher = .other
        }
        if cipher.isAEAD { mac = .aead }
        let keyBits = cipher == .tripleDES ? 168 : (cipher == .seed || cipher == .idea ? 128 : bits)
        return (cipher, keyBits, mac)
    }
}
