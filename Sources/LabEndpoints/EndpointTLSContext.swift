import COpenSSL
import Foundation

/// An `SSL_CTX` configured from a platform's TLS profile and certificate. Security level 0
/// (TLS 1.0/1.1, SHA-1 signatures and RSA-1024 need it); versions, ciphers and groups are then
/// exactly the profile's. Read-only after creation, so it is shared by connection threads.
final class EndpointTLSContext: @unchecked Sendable {
    let context: OpaquePointer
    /// The DER OCSP response stapled to every handshake (kept alive for the callback).
    private let ocsp: OCSPStaple?

    init(_ tls: EndpointTLS, certificate: URL, key: EndpointPrivateKey, ocspResponse: URL? = nil) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw EndpointError("SSL_CTX_new failed") }
        self.context = context
        ocsp = try ocspResponse.map { OCSPStaple(der: [UInt8](try Data(contentsOf: $0))) }
        if let ocsp {
            _ = peil_SSL_CTX_set_tlsext_status_cb(context, Self.staple)
            _ = peil_SSL_CTX_set_tlsext_status_arg(context, Unmanaged.passUnretained(ocsp).toOpaque())
        }
        SSL_CTX_set_security_level(context, 0)
        let order = ["TLSv1": TLS1_VERSION, "TLSv1.1": TLS1_1_VERSION, "TLSv1.2": TLS1_2_VERSION, "TLSv1.3": TLS1_3_VERSION]
        let versions = tls.versions.compactMap { order[$0] }.sorted()
        guard let lowest = versions.first, let highest = versions.last else { throw EndpointError("no TLS version in \(tls.versions)") }
        _ = peil_SSL_CTX_set_min_proto_version(context, lowest)
        _ = peil_SSL_CTX_set_max_proto_version(context, highest)
        var options = peil_SSL_OP_CIPHER_SERVER_PREFERENCE()
        // OpenSSL cannot leave a hole in the version range (SSL_OP_NO_TLSv1_1 between 1.0 and
        // 1.2 disables everything above the hole), so a hole is refused in the ClientHello
        // callback instead: a client whose highest version is the missing one gets
        // protocol_version; clients offering more negotiate the next one up.
        var holes = 0
        for version in lowest...highest where !versions.contains(version) { holes |= 1 << Int(version & 0xff) }
        if holes != 0 { SSL_CTX_set_client_hello_cb(context, Self.refuseHoles, UnsafeMutableRawPointer(bitPattern: holes)) }
        if tls.clientRenegotiation { options |= peil_SSL_OP_ALLOW_CLIENT_RENEGOTIATION() }
        SSL_CTX_set_options(context, options)
        let suites = tls.tls13Suites
        let legacy = Self.legacyCiphers(tls, lowest: lowest)
        if highest >= TLS1_3_VERSION, !suites.isEmpty, SSL_CTX_set_ciphersuites(context, suites.joined(separator: ":")) != 1 {
            throw EndpointError("TLS 1.3 suites \(suites): \(EndpointError.openSSLErrors())")
        }
        if lowest < TLS1_3_VERSION {
            guard !legacy.isEmpty, SSL_CTX_set_cipher_list(context, legacy.joined(separator: ":") + ":@SECLEVEL=0") == 1 else {
                throw EndpointError("ciphers \(tls.ciphers): \(EndpointError.openSSLErrors())")
            }
        }
        let groups = tls.groups.filter { !$0.hasPrefix("ffdhe") }
        if !groups.isEmpty && peil_SSL_CTX_set1_groups_list(context, groups.joined(separator: ":")) != 1 {
            throw EndpointError("groups \(groups): \(EndpointError.openSSLErrors())")
        }
        // DHE: the profile's RFC 7919 group if it names one; else OpenSSL's automatic choice
        // (RFC 3526 MODP primes, which the NCSC tables treat as custom groups).
        if let group = tls.groups.first(where: { $0.hasPrefix("ffdhe") }) {
            guard let parameters = peil_ffdhe_parameters(group), SSL_CTX_set0_tmp_dh_pkey(context, parameters) == 1 else {
                throw EndpointError("DH group \(group): \(EndpointError.openSSLErrors())")
            }
        } else {
            _ = peil_SSL_CTX_set_dh_auto(context, 1)
        }
        guard SSL_CTX_use_certificate_chain_file(context, certificate.path) == 1,
              SSL_CTX_use_PrivateKey(context, key.key) == 1,
              SSL_CTX_check_private_key(context) == 1 else {
            throw EndpointError("certificate \(certificate.path): \(EndpointError.openSSLErrors())")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Status callback: hands OpenSSL a copy of the response (it frees what it is given).
    private static let staple: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { ssl, argument in
        guard let argument else { return SSL_TLSEXT_ERR_NOACK }
        let der = Unmanaged<OCSPStaple>.fromOpaque(argument).takeUnretainedValue().der
        guard let copy = peil_OPENSSL_malloc(der.count) else { return SSL_TLSEXT_ERR_NOACK }
        der.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: der.count) }
        _ = peil_SSL_set_tlsext_status_ocsp_resp(ssl, copy.assumingMemoryBound(to: UInt8.self), der.count)
        return SSL_TLSEXT_ERR_OK
    }

    /// ClientHello callback: fails a client whose `legacy_version` (its highest version, below
    /// TLS 1.3) is one of the holes in `argument`'s bit mask (bit n: version 0x03nn).
    private static let refuseHoles: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, alert, argument in
        let holes = Int(bitPattern: argument)
        let version = Int(SSL_client_hello_get0_legacy_version(ssl))
        guard version >> 8 == 3, holes & (1 << (version & 0xff)) != 0 else { return 1 }
        alert?.pointee = 70 // protocol_version
        return 0
    }

    /// The profile's TLS ≤ 1.2 ciphers as a server with this key can use them: with an EC key
    /// the `ECDHE-RSA-` names become their `ECDHE-ECDSA-` twins; when TLS 1.0/1.1 is on but no
    /// listed cipher works below 1.2 (AEAD suites are 1.2-only), `ECDHE-…-AES128-SHA` is added
    /// so those versions can really be negotiated.
    static func legacyCiphers(_ tls: EndpointTLS, lowest: Int32) -> [String] {
        let ec = tls.key.hasPrefix("ec")
        var ciphers = tls.ciphers.filter { !$0.hasPrefix("TLS_") }.map { name in
            ec && name.hasPrefix("ECDHE-RSA-") ? "ECDHE-ECDSA-" + name.dropFirst("ECDHE-RSA-".count) : name
        }.filter(EndpointTLS.knownCiphers.contains)
        let pre12 = ciphers.contains { !$0.contains("GCM") && !$0.contains("CHACHA") && !$0.hasSuffix("SHA256") && !$0.hasSuffix("SHA384") }
        if lowest < TLS1_2_VERSION && !pre12 { ciphers.append(ec ? "ECDHE-ECDSA-AES128-SHA" : "ECDHE-RSA-AES128-SHA") }
        return ciphers
    }

    /// The TLS ≤ 1.2 cipher names this OpenSSL has at security level 0 (3DES and RC4 are gone).
    static func availableCiphers() -> [String] {
        guard let context = SSL_CTX_new(TLS_server_method()) else { return [] }
        defer { SSL_CTX_free(context) }
        SSL_CTX_set_security_level(context, 0)
        guard SSL_CTX_set_cipher_list(context, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1, let ssl = SSL_new(context) else { return [] }
        defer { SSL_free(ssl) }
        var names: [String] = []
        var index: Int32 = 0
        while let name = SSL_get_cipher_list(ssl, index), index < 1000 {
            names.append(String(decoding: UnsafeRawBufferPointer(start: name, count: strlen(name)), as: UTF8.self))
            index += 1
        }
        return names
    }
}

/// An OCSP response to staple, as a class so the status callback can reach it by pointer.
final class OCSPStaple: @unchecked Sendable {
    let der: [UInt8]
    init(der: [UInt8]) { self.der = der }
}
