import COpenSSL
import PeilModel

/// How a `TLSStream` client connects. Certificate verification never fails a handshake: its
/// result is read afterwards (`TLSStream.verifyResult`). Security level 0, so TLS 1.0/1.1,
/// SHA-1 signatures and small keys can be measured.
public struct TLSClientOptions: Sendable {
    /// Lowest and highest version offered (nil: TLS 1.0 and TLS 1.3).
    public var minVersion: TLSVersion?
    public var maxVersion: TLSVersion?
    /// OpenSSL cipher string for TLS ≤ 1.2.
    public var cipherList: String
    /// TLS 1.3 suites (`TLS_AES_128_GCM_SHA256:…`; nil: OpenSSL's default).
    public var cipherSuites: String?
    /// `signature_algorithms` as an OpenSSL sigalgs list (nil: OpenSSL's default).
    public var signatureAlgorithms: String?
    /// `supported_groups` as an OpenSSL groups list (nil: OpenSSL's default).
    public var groups: String?
    /// Ask for a stapled OCSP response (`status_request`).
    public var requestOCSPStaple: Bool
    /// PEM file of trusted roots for `verifyResult` (nil: the system store).
    public var trustStorePEMFile: String?
    /// ALPN protocol names, in preference order (none: no extension).
    public var alpn: [String]
    /// A session to resume.
    public var session: TLSSession?
    /// Early data to send with a resumed TLS 1.3 session (needs `session`).
    public var earlyData: [UInt8]?
    /// Let the client renegotiate with servers that lack RFC 5746 secure renegotiation.
    public var allowLegacyRenegotiation: Bool

    public init(minVersion: TLSVersion? = nil, maxVersion: TLSVersion? = nil, cipherList: String = "ALL:@SECLEVEL=0",
                cipherSuites: String? = nil, signatureAlgorithms: String? = nil, groups: String? = nil,
                requestOCSPStaple: Bool = false, trustStorePEMFile: String? = nil, alpn: [String] = [],
                session: TLSSession? = nil, earlyData: [UInt8]? = nil, allowLegacyRenegotiation: Bool = false) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.cipherList = cipherList
        self.cipherSuites = cipherSuites
        self.signatureAlgorithms = signatureAlgorithms
        self.groups = groups
        self.requestOCSPStaple = requestOCSPStaple
        self.trustStorePEMFile = trustStorePEMFile
        self.alpn = alpn
        self.session = session
        self.earlyData = earlyData
        self.allowLegacyRenegotiation = allowLegacyRenegotiation
    }

    /// A client context for these options, shared with every connection of the same
    /// context-wide options (``TLSContextCache``); the caller frees its reference.
    func makeContext() throws(StreamError) -> OpaquePointer {
        let key = TLSContextCache.Key(minVersion: lowestWireVersion, maxVersion: highestWireVersion,
                                      cipherList: cipherList, cipherSuites: cipherSuites,
                                      trustStorePEMFile: trustStorePEMFile, allowLegacyRenegotiation: allowLegacyRenegotiation)
        return try TLSContextCache.shared.context(for: key, make: newContext)
    }

    /// The versions offered, as on the wire (TLS 1.0 to TLS 1.3 unless narrowed).
    var lowestWireVersion: UInt16 { (minVersion ?? .tls10).wireValue }
    var highestWireVersion: UInt16 { (maxVersion ?? .tls13).wireValue }

    /// A context of its own for these options.
    func newContext() throws(StreamError) -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .tls("SSL_CTX_new: \(OpenSSLErrors.drain())") }
        SSL_CTX_set_security_level(context, 0)
        _ = peil_SSL_CTX_set_min_proto_version(context, Int32(lowestWireVersion))
        _ = peil_SSL_CTX_set_max_proto_version(context, Int32(highestWireVersion))
        var options = peil_SSL_OP_LEGACY_SERVER_CONNECT()
        if allowLegacyRenegotiation { options |= peil_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION() }
        SSL_CTX_set_options(context, options)
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        let loaded = trustStorePEMFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1, SSL_CTX_set_cipher_list(context, cipherList) == 1,
              cipherSuites.map({ SSL_CTX_set_ciphersuites(context, $0) }) ?? 1 == 1 else {
            SSL_CTX_free(context)
            throw .tls("client configuration: \(OpenSSLErrors.drain())")
        }
        return context
    }

    /// Applies the per-connection options to `ssl`.
    func configure(_ ssl: OpaquePointer, serverName: String?) throws(StreamError) {
        if let serverName, let host = ClientHello.sniHost(serverName) {
            _ = peil_SSL_set_tlsext_host_name(ssl, String(decoding: host, as: UTF8.self))
        }
        if let signatureAlgorithms, peil_SSL_set1_sigalgs_list(ssl, signatureAlgorithms) != 1 {
            throw .tls("sigalgs \(signatureAlgorithms): \(OpenSSLErrors.drain())")
        }
        if let groups, peil_SSL_set1_groups_list(ssl, groups) != 1 { throw .tls("groups \(groups): \(OpenSSLErrors.drain())") }
        if requestOCSPStaple { _ = peil_SSL_request_ocsp_staple(ssl) }
        if !alpn.isEmpty {
            let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        }
        if let session { _ = SSL_set_session(ssl, session.pointer) }
    }
}

/// An OpenSSL session that can be resumed (a TLS 1.3 ticket or a TLS ≤ 1.2 session).
public final class TLSSession: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { SSL_SESSION_free(pointer) }

    /// The most early data the server will take on resumption (0: none).
    public var maxEarlyData: UInt32 { SSL_SESSION_get_max_early_data(pointer) }
}

/// OpenSSL's per-thread error queue, as text.
enum OpenSSLErrors {
    /// The queued errors, oldest first, and clears the queue.
    static func drain() -> String {
        var messages: [String] = []
        for _ in 0..<16 {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        ERR_clear_error()
        return messages.isEmpty ? "no OpenSSL error" : messages.joined(separator: "; ")
    }
}
