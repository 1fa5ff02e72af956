import COpenSSL
import Foundation

/// An API key's secret: `peil_` and 64 hex digits from the system's random source, shown once
/// when the key is made. Only its SHA-256 is stored.
public enum APISecret {
    /// A new secret.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "peil_" + hex(bytes)
    }

    /// The SHA-256 of `secret`'s UTF-8 bytes, as 64 lowercase hex digits.
    public static func sha256(_ secret: String) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let bytes = Array(secret.utf8)
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "OpenSSL's SHA-256 failed")
        return hex(digest)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
