import PeilModel

/// TLS evidence shared by the check and verdict tests.
public enum TLSFixtures {
    /// A TLS 1.2 + 1.3 server with good suites, stapling and a trusted EC leaf, with its issuing
    /// CA in the chain when `withIssuer` is true.
    public static func modern(withIssuer: Bool = true) -> TLSObservation {
        let leaf = TLSCertificateFacts(commonName: "www.example.nl", keyType: .ec, keyBits: 256, curve: "prime256v1", signatureAlgorithm: "ecdsa-with-SHA256")
        let issuer = TLSCertificateFacts(commonName: "Lab CA", keyType: .ec, keyBits: 256, curve: "prime256v1", signatureAlgorithm: "ecdsa-with-SHA256")
        return TLSObservation(
            versions: [.tls12, .tls13],
            ciphers: [TLSVersionCiphers(version: .tls13, ciphers: [0x1301, 0x1302, 0x1303]),
                      TLSVersionCiphers(version: .tls12, ciphers: [0xC02B, 0xC02C, 0xCCA9])],
            keyExchanges: [.ecdhe(group: 29), .ecdhe(group: 23)],
            sha1SignatureProbe: .signedOtherwise, sha224SignatureProbe: .signedOtherwise,
            sha2OnlyTLS12Probe: .signedWithOffered, sha2OnlyTLS13Probe: .signedWithOffered,
            compression: false, secureRenegotiation: true, clientRenegotiations: 0, extendedMasterSecret: true,
            leafHasOCSPURL: true, ocspStapling: .stapledTrusted,
            chain: withIssuer ? [leaf, issuer] : [leaf])
    }
}
