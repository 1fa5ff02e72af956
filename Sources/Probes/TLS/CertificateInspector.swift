import COpenSSL
import Foundation
import PeilModel

/// Reads what the checks need from a completed OpenSSL handshake: the facts of every
/// presented certificate, the chain's verification against the trust store, the host name
/// match, the leaf's OCSP URL and the stapled OCSP response.
enum CertificateInspector {
    /// Certificates of a presented chain kept (the rest are dropped, and the scan says so):
    /// real chains have a handful, a hostile one can have hundreds.
    static let maxPresented = 64

    /// What one certificate handshake showed.
    struct Report {
        var chain: [TLSCertificateFacts]
        var verification: TLSCertificateVerification
        var leafHasOCSPURL: Bool?
        var stapling: TLSOCSPStapling
        /// Certificates the server presented (more than `chain` holds when over ``maxPresented``).
        var presentedCount: Int
    }

    static func inspect(_ stream: TLSStream, serverName: String?) -> Report {
        let ssl = stream.handle
        let presentedCount = SSL_get_peer_cert_chain(ssl).map { Int(peil_sk_X509_num($0)) } ?? 0
        let presented = SSL_get_peer_cert_chain(ssl).map { stack in
            (0..<min(peil_sk_X509_num(stack), Int32(maxPresented))).compactMap { peil_sk_X509_value(stack, $0) }
        } ?? []
        let verified = stream.verifyResult == Int(X509_V_OK)
        let anchor = SSL_get0_verified_chain(ssl).flatMap { stack in
            peil_sk_X509_num(stack) > 0 ? peil_sk_X509_value(stack, peil_sk_X509_num(stack) - 1) : nil
        }
        let chain = presented.map { cert in
            let selfSigned = X509_get_extension_flags(cert) & UInt32(EXFLAG_SS) != 0
            return facts(cert, isTrustedRoot: verified && selfSigned && anchor.map { X509_cmp($0, cert) == 0 } == true)
        }
        let leaf = presented.first
        let nameMatches: Bool? = serverName.flatMap { name in
            leaf.map { ClientHello.sniHost(name) == nil ? X509_check_ip_asc($0, name, 0) == 1
                : X509_check_host($0, name, name.utf8.count, 0, nil) == 1 }
        }
        let verification = TLSCertificateVerification(
            trusted: verified,
            verifyError: verified ? nil : String(cString: X509_verify_cert_error_string(stream.verifyResult)),
            nameMatches: nameMatches,
            chainDER: presented.compactMap(der).map { Data($0).base64EncodedString() })
        return Report(chain: chain, verification: verification, leafHasOCSPURL: leaf.map { peil_X509_ocsp_url_count($0) > 0 },
                      stapling: stapling(ssl, presented: presented), presentedCount: presentedCount)
    }

    /// The facts Peil's checks read from one certificate.
    static func facts(_ cert: OpaquePointer, isTrustedRoot: Bool) -> TLSCertificateFacts {
        let key = X509_get0_pubkey(cert)
        let type: TLSCertificateFacts.KeyType
        switch key.map(EVP_PKEY_get_base_id) ?? 0 {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS: type = .rsa
        case EVP_PKEY_DSA: type = .dsa
        case EVP_PKEY_DH, EVP_PKEY_DHX: type = .dh
        case EVP_PKEY_EC: type = .ec
        case EVP_PKEY_ED25519: type = .ed25519
        case EVP_PKEY_ED448: type = .ed448
        default: type = .other
        }
        var curve: String?
        if type == .ec, let key {
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            if EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 {
                curve = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        let signature = OBJ_nid2ln(X509_get_signature_nid(cert)).map { String(cString: $0) } ?? "unknown"
        return TLSCertificateFacts(commonName: commonName(cert), keyType: type, keyBits: Int(key.map(EVP_PKEY_get_bits) ?? 0),
                                   curve: curve, signatureAlgorithm: signature, isTrustedRoot: isTrustedRoot)
    }

    static func commonName(_ cert: OpaquePointer) -> String? {
        guard let name = X509_get_subject_name(cert) else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { CRYPTO_free(utf8, #fileID, #line) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    /// A certificate from DER (the caller frees it with `X509_free`).
    static func parse(_ der: [UInt8]) -> OpaquePointer? {
        der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
    }

    /// The DER encoding of a certificate.
    static func der(_ cert: OpaquePointer) -> [UInt8]? {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(cert, &out)
        guard length > 0, let out else { return nil }
        defer { CRYPTO_free(out, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// The stapled OCSP response: absent; verified against the trust store with the leaf
    /// "good" and current; or anything else (unverifiable, revoked, stale, unreadable).
    static func stapling(_ ssl: OpaquePointer, presented: [OpaquePointer]) -> TLSOCSPStapling {
        var bytes: UnsafePointer<UInt8>?
        let length = peil_SSL_get_ocsp_staple(ssl, &bytes)
        guard length > 0, bytes != nil else { return .notStapled }
        guard let response = d2i_OCSP_RESPONSE(nil, &bytes, length) else { return .stapledUntrusted }
        defer { OCSP_RESPONSE_free(response) }
        guard OCSP_response_status(response) == OCSP_RESPONSE_STATUS_SUCCESSFUL,
              let basic = OCSP_response_get1_basic(response) else { return .stapledUntrusted }
        defer { OCSP_BASICRESP_free(basic) }
        let verifiedChain = SSL_get0_verified_chain(ssl)
        let issuer = presented.count > 1 ? presented[1]
            : verifiedChain.flatMap { peil_sk_X509_num($0) > 1 ? peil_sk_X509_value($0, 1) : nil }
        guard let leaf = presented.first, let issuer, let store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
              let untrusted = peil_sk_X509_new_null() else { return .stapledUntrusted }
        defer { peil_sk_X509_pop_free(untrusted) }
        for cert in presented where X509_up_ref(cert) == 1 { _ = peil_sk_X509_push(untrusted, cert) }
        guard OCSP_basic_verify(basic, untrusted, store, 0) == 1, let id = OCSP_cert_to_id(nil, leaf, issuer) else {
            return .stapledUntrusted
        }
        defer { OCSP_CERTID_free(id) }
        var status: Int32 = -1, reason: Int32 = -1
        var thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?, nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        guard OCSP_resp_find_status(basic, id, &status, &reason, nil, &thisUpdate, &nextUpdate) == 1,
              status == V_OCSP_CERTSTATUS_GOOD, OCSP_check_validity(thisUpdate, nextUpdate, 300, -1) == 1 else {
            return .stapledUntrusted
        }
        return .stapledTrusted
    }
}
