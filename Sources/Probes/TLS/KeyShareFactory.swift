import COpenSSL
import Synchronization

/// Real TLS 1.3 key shares made with OpenSSL: a server checks that a curve point lies on the
/// curve before it answers, so random bytes only do for X25519 and X448. The private keys
/// are thrown away: the probe never finishes a handshake. So one share per group serves
/// every hello of the process, where each hello made new keys before.
public enum KeyShareFactory {
    /// The share made for each group so far.
    private static let made = Mutex<[UInt16: ClientHello.KeyShare]>([:])

    /// OpenSSL's name for each named group the scanner offers alone (IANA code point →
    /// algorithm and curve). The TLS 1.3 brainpool code points use the same curves.
    static let curves: [UInt16: (algorithm: String, curve: String?)] = [
        21: ("EC", "secp224r1"), 23: ("EC", "prime256v1"), 24: ("EC", "secp384r1"), 25: ("EC", "secp521r1"),
        26: ("EC", "brainpoolP256r1"), 27: ("EC", "brainpoolP384r1"), 28: ("EC", "brainpoolP512r1"),
        29: ("X25519", nil), 30: ("X448", nil),
        31: ("EC", "brainpoolP256r1"), 32: ("EC", "brainpoolP384r1"), 33: ("EC", "brainpoolP512r1"),
    ]

    /// A public value for `group` (an uncompressed point or a raw X25519/X448 key), made the
    /// first time it is asked for; nil for groups it cannot make.
    public static func share(for group: UInt16) -> ClientHello.KeyShare? {
        if let known = made.withLock({ $0[group] }) { return known }
        guard let share = fresh(for: group) else { return nil }
        made.withLock { $0[group] = $0[group] ?? share }
        return share
    }

    /// A newly generated public value for `group`; nil for groups it cannot make.
    static func fresh(for group: UInt16) -> ClientHello.KeyShare? {
        guard let spec = curves[group] else { return nil }
        let key: OpaquePointer? = spec.curve.map { peil_EVP_EC_gen($0) } ?? peil_EVP_PKEY_gen_simple(spec.algorithm)
        guard let key else { return nil }
        defer { EVP_PKEY_free(key) }
        var encoded: UnsafeMutablePointer<UInt8>?
        let length = EVP_PKEY_get1_encoded_public_key(key, &encoded)
        guard length > 0, let encoded else { return nil }
        defer { CRYPTO_free(encoded, #fileID, #line) }
        return ClientHello.KeyShare(group: group, bytes: Array(UnsafeBufferPointer(start: encoded, count: length)))
    }
}
