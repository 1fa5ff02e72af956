import COpenSSL
import Foundation

/// The lab's PKI, made with OpenSSL's API: a CA (`ca.pem`), one key per key kind (a small
/// pool, so a full twin needs five key generations), and per platform a leaf certificate
/// (`basicConstraints CA:FALSE`) as its profile says: `valid` (CA-signed, the platform's
/// names), `expired` (CA-signed, ended a year ago), `self-signed`, `wrong-name` (CA-signed for
/// another name). Files: `<dir>/ca.pem`, `<dir>/keys/<kind>.pem`, `<dir>/certs/<platform>.pem`
/// (leaf then CA, except self-signed).
public struct LabCertificates: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public var caFile: URL { directory.appendingPathComponent("ca.pem") }
    public func keyFile(_ kind: String) -> URL { directory.appendingPathComponent("keys/\(kind).pem") }
    public func certificateFile(_ platform: String) -> URL { directory.appendingPathComponent("certs/\(platform).pem") }
    /// The DER OCSP response a platform staples (only for profiles with stapling).
    public func ocspResponseFile(_ platform: String) -> URL { directory.appendingPathComponent("ocsp/\(platform).der") }
    /// The OCSP responder every CA-signed leaf names (nothing answers there: stapling is the point).
    public static let ocspURL = "http://ocsp.peil.lab/"

    /// Makes the CA, the keys and every platform's certificate; returns the SPKI SHA-256 (hex)
    /// per platform, and under `""` that of a key no platform presents (for TLSA mismatch).
    public func make(_ platforms: [EndpointPlatform]) throws -> [String: String] {
        let fileManager = FileManager.default
        for sub in ["keys", "certs", "ocsp"] {
            try fileManager.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let caKey = try Self.generate("ec-p256")
        defer { EVP_PKEY_free(caKey) }
        let ca = try Self.certificate(key: caKey, signer: caKey, issuer: nil, commonName: "Peil Lab Root CA", names: [], isCA: true,
                                      validity: (-86_400, 10 * 365 * 86_400), serial: 1)
        defer { X509_free(ca) }
        try Self.write([ca], to: caFile)
        var keys: [String: OpaquePointer] = [:]
        defer { keys.values.forEach { EVP_PKEY_free($0) } }
        var digests: [String: String] = [:]
        let other = try Self.generate("ec-p256")
        defer { EVP_PKEY_free(other) }
        digests[""] = try Self.spkiSHA256(other)
        for (offset, platform) in platforms.enumerated() {
            let kind = platform.tls.key
            if keys[kind] == nil {
                let key = try Self.generate(kind)
                keys[kind] = key
                try Self.writeKey(key, to: keyFile(kind))
            }
            let key = keys[kind]!
            let tls = platform.tls
            let names = tls.certificate == "wrong-name" ? ["wrong-name.example.lab"] : platform.names
            let validity: (Int, Int) = tls.certificate == "expired" ? (-2 * 365 * 86_400, -365 * 86_400) : (-86_400, 365 * 86_400)
            let selfSigned = tls.certificate == "self-signed"
            let leaf = try Self.certificate(key: key, signer: selfSigned ? key : caKey, issuer: selfSigned ? nil : ca,
                                            commonName: names.first ?? platform.id, names: names, isCA: false,
                                            validity: validity, serial: 1000 + offset)
            defer { X509_free(leaf) }
            try Self.write(selfSigned ? [leaf] : [leaf, ca], to: certificateFile(platform.id))
            if tls.ocspStapling == true && !selfSigned {
                try Data(try Self.ocspResponse(for: leaf, issuer: ca, issuerKey: caKey)).write(to: ocspResponseFile(platform.id))
            }
            digests[platform.id] = try Self.spkiSHA256(key)
        }
        return digests
    }

    /// A new key of a kind: `rsa-<bits>` or `ec-p256`.
    static func generate(_ kind: String) throws -> OpaquePointer {
        let key: OpaquePointer?
        if kind.hasPrefix("rsa-"), let bits = UInt32(kind.dropFirst(4)) {
            key = peil_EVP_RSA_gen(bits)
        } else if kind == "ec-p256" {
            key = peil_EVP_EC_gen("P-256")
        } else {
            throw EndpointError("unknown key kind \(kind)")
        }
        guard let key else { throw EndpointError("cannot generate a \(kind) key: \(EndpointError.openSSLErrors())") }
        return key
    }

    /// An X.509 v3 certificate for `key`, signed by `signer` (issuer `issuer`, or itself).
    static func certificate(key: OpaquePointer, signer: OpaquePointer, issuer: OpaquePointer?, commonName: String, names: [String],
                            isCA: Bool, validity: (Int, Int), serial: Int) throws -> OpaquePointer {
        guard let x509 = X509_new() else { throw EndpointError("X509_new failed") }
        X509_set_version(x509, 2)
        ASN1_INTEGER_set(X509_get_serialNumber(x509), serial)
        X509_gmtime_adj(X509_getm_notBefore(x509), validity.0)
        X509_gmtime_adj(X509_getm_notAfter(x509), validity.1)
        X509_set_pubkey(x509, key)
        let subject = X509_get_subject_name(x509)
        X509_NAME_add_entry_by_txt(subject, "O", 0x1001, "Peil lab", -1, -1, 0)
        X509_NAME_add_entry_by_txt(subject, "CN", 0x1001, String(commonName.prefix(64)), -1, -1, 0)
        X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0) } ?? subject)
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer ?? x509, x509, nil, nil, 0)
        var extensions: [(Int32, String)] = isCA
            ? [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign")]
            : [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
               (NID_ext_key_usage, "serverAuth")]
        if !names.isEmpty { extensions.append((NID_subject_alt_name, names.map { "DNS:" + $0 }.joined(separator: ","))) }
        if !isCA, issuer != nil { extensions.append((NID_info_access, "OCSP;URI:" + ocspURL)) }
        for (nid, value) in extensions {
            guard let extensionValue = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                X509_free(x509)
                throw EndpointError("extension \(value.prefix(80)): \(EndpointError.openSSLErrors())")
            }
            X509_add_ext(x509, extensionValue, -1)
            X509_EXTENSION_free(extensionValue)
        }
        guard X509_sign(x509, signer, EVP_sha256()) > 0 else {
            X509_free(x509)
            throw EndpointError("signing \(commonName): \(EndpointError.openSSLErrors())")
        }
        return x509
    }

    /// A successful OCSP response saying `leaf` is good, valid for a week, signed by the CA.
    static func ocspResponse(for leaf: OpaquePointer, issuer: OpaquePointer, issuerKey: OpaquePointer) throws -> [UInt8] {
        guard let basic = OCSP_BASICRESP_new() else { throw EndpointError("OCSP_BASICRESP_new failed") }
        defer { OCSP_BASICRESP_free(basic) }
        guard let id = OCSP_cert_to_id(EVP_sha1(), leaf, issuer) else { throw EndpointError("OCSP_cert_to_id: \(EndpointError.openSSLErrors())") }
        defer { OCSP_CERTID_free(id) }
        let thisUpdate = X509_gmtime_adj(nil, -3_600), nextUpdate = X509_gmtime_adj(nil, 7 * 86_400)
        defer { ASN1_TIME_free(thisUpdate); ASN1_TIME_free(nextUpdate) }
        guard OCSP_basic_add1_status(basic, id, V_OCSP_CERTSTATUS_GOOD, 0, nil, thisUpdate, nextUpdate) != nil,
              OCSP_basic_sign(basic, issuer, issuerKey, EVP_sha256(), nil, 0) == 1,
              let response = OCSP_response_create(Int32(OCSP_RESPONSE_STATUS_SUCCESSFUL), basic) else {
            throw EndpointError("OCSP response: \(EndpointError.openSSLErrors())")
        }
        defer { OCSP_RESPONSE_free(response) }
        var der: UnsafeMutablePointer<UInt8>?
        let length = i2d_OCSP_RESPONSE(response, &der)
        guard length > 0, let der else { throw EndpointError("i2d_OCSP_RESPONSE failed") }
        defer { CRYPTO_free(der, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: der, count: Int(length)))
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (TLSA `3 1 1`), lower-case hex.
    public static func spkiSHA256(_ key: OpaquePointer) throws -> String {
        var der: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &der)
        guard length > 0, let der else { throw EndpointError("i2d_PUBKEY failed") }
        defer { CRYPTO_free(der, #fileID, #line) }
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        guard EVP_Digest(der, Int(length), &digest, &size, EVP_sha256(), nil) == 1 else { throw EndpointError("EVP_Digest failed") }
        return digest.prefix(Int(size)).map { String(format: "%02x", $0) }.joined()
    }

    static func write(_ certificates: [OpaquePointer], to file: URL) throws {
        guard let bio = BIO_new_file(file.path, "w") else { throw EndpointError("cannot write \(file.path)") }
        defer { BIO_free(bio) }
        for certificate in certificates where PEM_write_bio_X509(bio, certificate) != 1 {
            throw EndpointError("cannot write \(file.path)")
        }
    }

    static func writeKey(_ key: OpaquePointer, to file: URL) throws {
        guard let bio = BIO_new_file(file.path, "w") else { throw EndpointError("cannot write \(file.path)") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else { throw EndpointError("cannot write \(file.path)") }
        chmod(file.path, 0o600)
    }
}

/// A failure of the endpoint server or the certificate factory.
public struct EndpointError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// OpenSSL's error queue as text (emptied).
    static func openSSLErrors() -> String {
        var lines: [String] = []
        for _ in 0..<8 {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return lines.joined(separator: "; ")
    }
}
