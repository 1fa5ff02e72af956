import PeilModel

/// The NCSC security levels. `good` and `sufficient` both pass; `phaseOut` gives a warning;
/// `insufficient` fails.
public enum SecurityLevel: Int, Codable, Sendable, Hashable, Comparable, CaseIterable {
    case insufficient = 0, phaseOut = 1, sufficient = 2, good = 3

    public static func < (a: SecurityLevel, b: SecurityLevel) -> Bool { a.rawValue < b.rawValue }

    /// Internet.nl's report wording.
    public var label: String {
        switch self {
        case .good: "good"
        case .sufficient: "sufficient"
        case .phaseOut: "phase-out"
        case .insufficient: "insufficient"
        }
    }
}

/// The classification tables, per rule set.
///
/// internetnl-current follows Internet.nl 1.11 (`checks/tasks/tls/tls_constants.py`, NCSC TLS
/// guidelines 2025-05). internetnl-2021 follows Internet.nl v1.3.0 (17 March 2021,
/// `checks/tasks/tls.py`, `cipher_info.py`, NCSC TLS guidelines 2.1): a cipher's level is the
/// lowest of its authentication, key exchange, bulk cipher and MAC levels.
public enum TLSClassification {
    /// Protocol version level. 2021: TLS 1.0/1.1 phase-out; current: insufficient.
    public static func level(_ version: TLSVersion, _ ruleSet: RuleSet) -> SecurityLevel {
        switch (version, ruleSet) {
        case (.tls13, _): .good
        case (.tls12, .internetnlCurrent): .sufficient
        case (.tls12, .internetnl2021): .good
        case (.tls10, .internetnl2021), (.tls11, .internetnl2021): .phaseOut
        default: .insufficient
        }
    }

    /// Cipher suite level; unknown code points are insufficient.
    public static func level(_ suite: CipherSuite, _ ruleSet: RuleSet) -> SecurityLevel {
        switch ruleSet {
        case .internetnlCurrent: current(suite)
        case .internetnl2021: ncsc21(suite)
        }
    }

    static func current(_ s: CipherSuite) -> SecurityLevel {
        let sha2 = s.mac == .sha256 || s.mac == .sha384
        let bits = s.keyBits
        switch (s.keyExchange, s.authentication) {
        case (.tls13, _):
            if (s.cipher == .aesGCM && bits == 256) || s.cipher == .chacha20Poly1305 { return .good }
            if (s.cipher == .aesGCM || s.cipher == .aesCCM) && bits == 128 { return .sufficient }
            return .insufficient
        case (.ecdhe, .ecdsa), (.ecdhe, .rsa):
            if s.cipher == .chacha20Poly1305 || s.cipher == .aesGCM { return .sufficient }
            if s.authentication == .ecdsa && s.cipher == .aesCCM { return .sufficient }
            if [.camelliaGCM, .ariaGCM].contains(s.cipher) { return .phaseOut }
            if [.camelliaCBC, .ariaCBC, .aesCBC].contains(s.cipher) && sha2 { return .phaseOut }
            return .insufficient
        case (.dhe, .rsa):
            if [.chacha20Poly1305, .aesGCM, .aesCCM, .camelliaGCM, .ariaGCM].contains(s.cipher) { return .phaseOut }
            if [.camelliaCBC, .ariaCBC, .aesCBC].contains(s.cipher) && sha2 { return .phaseOut }
            return .insufficient
        default:
            return .insufficient
        }
    }

    static func ncsc21(_ s: CipherSuite) -> SecurityLevel {
        let auth: SecurityLevel = [.tls13, .rsa, .ecdsa].contains(s.authentication) ? .good : .insufficient
        let kex: SecurityLevel
        switch s.keyExchange {
        case .tls13, .ecdhe, .ecdhePSK: kex = .good
        case .dhe, .dhePSK: kex = .sufficient
        case .rsa, .rsaPSK: kex = .phaseOut
        default: kex = .insufficient
        }
        let enc: SecurityLevel
        switch s.cipher {
        case .aesGCM, .aesCCM, .chacha20Poly1305: enc = .good
        case .aesCBC, .camelliaCBC: enc = .sufficient
        case .tripleDES, .seed, .ariaGCM: enc = .phaseOut
        default: enc = .insufficient
        }
        let mac: SecurityLevel = s.mac == .md5 ? .insufficient : (s.mac == .sha1 ? .sufficient : .good)
        return min(auth, kex, enc, mac)
    }

    /// ECDHE named group level (IANA code point). 2021 judged ECDH by size only (≥ 224 bits
    /// passes), so every named curve Internet.nl could negotiate then passes, except
    /// sect/secp curves below 224 bits.
    public static func ecGroupLevel(_ group: UInt16, _ ruleSet: RuleSet) -> SecurityLevel {
        switch ruleSet {
        case .internetnlCurrent:
            switch group {
            case 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33: return .good
            case 0x11EC, 0x11EB, 0x11ED: return .good // hybrid ML-KEM groups (X25519 based); Internet.nl cannot negotiate them
            case 21: return .phaseOut
            default: return .insufficient
            }
        case .internetnl2021:
            return (ecGroupBits[group] ?? 0) >= 224 ? .good : .insufficient
        }
    }

    /// Bits of the named curves (for the 2021 size rule).
    static let ecGroupBits: [UInt16: Int] = [
        1: 163, 2: 163, 3: 163, 4: 193, 5: 193, 6: 233, 7: 233, 8: 239, 9: 283, 10: 283, 11: 409, 12: 409,
        13: 571, 14: 571, 15: 160, 16: 160, 17: 160, 18: 192, 19: 192, 20: 224, 21: 224, 22: 256, 23: 256,
        24: 384, 25: 521, 26: 256, 27: 384, 28: 512, 29: 253, 30: 448, 31: 256, 32: 384, 33: 512,
        0x11EC: 253, 0x11EB: 256, 0x11ED: 384,
    ]

    /// IANA names of named groups for evidence.
    public static func groupName(_ group: UInt16) -> String {
        let names: [UInt16: String] = [21: "secp224r1", 22: "secp256k1", 23: "secp256r1", 24: "secp384r1", 25: "secp521r1",
                                       26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1", 29: "x25519",
                                       30: "x448", 31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13",
                                       33: "brainpoolP512r1tls13", 0x11EC: "X25519MLKEM768"]
        return names[group] ?? "group-\(group)"
    }

    /// Finite-field DHE level. Current: RFC 7919 ffdhe3072 and larger phase-out, all else
    /// insufficient. 2021: ffdhe3072+ passes, ffdhe2048 phase-out, other groups insufficient.
    public static func dhLevel(primeHex: String, generator: UInt64, _ ruleSet: RuleSet) -> SecurityLevel {
        let named = generator == 2 ? FFDHEGroups.namedGroupBits(primeHex: primeHex) : nil
        switch (ruleSet, named) {
        case (.internetnlCurrent, let bits?) where bits >= 3072: return .phaseOut
        case (.internetnl2021, let bits?) where bits >= 3072: return .good
        case (.internetnl2021, 2048?): return .phaseOut
        default: return .insufficient
        }
    }
}
