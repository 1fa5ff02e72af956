import PeilModel

/// Certificate key and signature levels per rule set (Internet.nl `check_pubkey` /
/// signature checks; 2021: v1.3.0 `DebugCertChain`).
public enum CertificateClassification {
    static let currentCurves: Set<String> = ["prime256v1", "secp256r1", "secp384r1", "secp521r1",
                                             "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1"]
    static let curves2021: Set<String> = ["prime256v1", "secp256r1", "secp384r1", "x25519", "x448"]

    /// Level of one certificate's public key. Current skips trusted roots (nil); 2021 checks all.
    public static func keyLevel(_ cert: TLSCertificateFacts, _ ruleSet: RuleSet) -> SecurityLevel? {
        switch ruleSet {
        case .internetnlCurrent:
            if cert.isTrustedRoot { return nil }
            switch cert.keyType {
            case .rsa: return cert.keyBits >= 3072 ? .good : (cert.keyBits >= 2048 ? .phaseOut : .insufficient)
            case .ed25519, .ed448: return .good
            case .ec:
                if let curve = cert.curve, currentCurves.contains(curve) { return .good }
                return cert.curve == "secp224r1" ? .phaseOut : .insufficient
            case .dsa, .dh, .other: return .insufficient
            }
        case .internetnl2021:
            switch cert.keyType {
            case .rsa, .dsa, .dh: return cert.keyBits < 2048 ? .insufficient : .good
            case .ec:
                if cert.curve == "secp224r1" { return .phaseOut }
                if let curve = cert.curve, curves2021.contains(curve), cert.keyBits >= 224 { return .good }
                return .insufficient
            case .ed25519, .ed448, .other: return .good
            }
        }
    }

    static let sigCurrentGood: Set<String> = ["sha256WithRSAEncryption", "sha384WithRSAEncryption", "sha512WithRSAEncryption",
                                              "ecdsa-with-SHA256", "ecdsa-with-SHA384", "ecdsa-with-SHA512", "ED25519", "ED448"]
    static let sigCurrentPhaseOut: Set<String> = ["sha224WithRSAEncryption", "ecdsa-with-SHA224"]
    static let sig2021Good: Set<String> = ["sha256WithRSAEncryption", "sha384WithRSAEncryption", "sha512WithRSAEncryption",
                                           "ecdsa-with-SHA256", "ecdsa-with-SHA384", "ecdsa-with-SHA512", "dsa_with_SHA256"]

    /// Level of one certificate's signature algorithm (OpenSSL long name); trusted roots are
    /// skipped (nil) under both rule sets.
    public static func signatureLevel(_ cert: TLSCertificateFacts, _ ruleSet: RuleSet) -> SecurityLevel? {
        if cert.isTrustedRoot { return nil }
        switch ruleSet {
        case .internetnlCurrent:
            if sigCurrentGood.contains(cert.signatureAlgorithm) { return .good }
            return sigCurrentPhaseOut.contains(cert.signatureAlgorithm) ? .phaseOut : .insufficient
        case .internetnl2021:
            return sig2021Good.contains(cert.signatureAlgorithm) ? .good : .insufficient
        }
    }
}
