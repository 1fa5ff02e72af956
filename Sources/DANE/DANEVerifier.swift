import COpenSSL

/// How a TLSA record set is matched against a presented chain.
public struct DANEVerificationOptions: Sendable, Hashable {
    /// The TLSA base domain (RFC 7671 §7): the host name the TLSA records were found for, after
    /// secure CNAME expansion. It is the reference identifier for name checks.
    public var baseDomain: String
    /// Whether the certificate's names are checked against `baseDomain`. Internet.nl runs
    /// `ldns-dane -n` (no name check) for web and mail, so Peil's default is `false`: DANE-EE
    /// then ignores names (RFC 7672 §3.1.1) and DANE-TA / PKIX chains are not name-checked.
    public var checkNames: Bool
    /// DER trust anchors for the PKIX usages 0 and 1 (DANE-TA and DANE-EE need none).
    public var trustAnchors: [[UInt8]]
    /// Digest agility (RFC 7671 §9): among records of one usage and selector, only those of
    /// the most preferred matching type are used.
    public var digestPreference: DigestPreference

    /// Which digest wins when a usage+selector has records of both SHA2 matching types.
    public enum DigestPreference: String, Sendable, Hashable, Codable {
        /// OpenSSL's default (as Postfix and ldns-dane use it): SHA2-512 over SHA2-256.
        case sha512
        /// SHA2-256 over SHA2-512, as OpenSSL's own `test/danetest.c` configures it.
        case sha256
    }

    public init(baseDomain: String, checkNames: Bool = false, trustAnchors: [[UInt8]] = [],
                digestPreference: DigestPreference = .sha512) {
        self.baseDomain = baseDomain
        self.checkNames = checkNames
        self.trustAnchors = trustAnchors
        self.digestPreference = digestPreference
    }
}

/// What matching a TLSA set against a chain gave.
public struct DANEVerification: Codable, Sendable, Hashable {
    /// OpenSSL's `X509_V_*` verify result: 0 is OK, 65 `X509_V_ERR_DANE_NO_MATCH`, 62
    /// hostname mismatch, 20 unable to get local issuer, …
    public var verifyError: Int32
    /// OpenSSL's text for `verifyError`.
    public var verifyErrorText: String
    /// The record that matched, if one did (also when verification failed later, e.g. on a
    /// name check).
    public var matchedRecord: TLSARecord?
    /// Chain depth of the match: 0 the leaf, 1 its issuer, …; nil when nothing matched.
    public var matchDepth: Int?
    /// Records OpenSSL could use (known usage, selector and matching type, sane data).
    public var usableRecords: [TLSARecord]
    /// Records OpenSSL set aside as unusable (RFC 7671 §4.1): they never match.
    public var unusableRecords: [TLSARecord]

    public init(verifyError: Int32, verifyErrorText: String = "", matchedRecord: TLSARecord? = nil,
                matchDepth: Int? = nil, usableRecords: [TLSARecord], unusableRecords: [TLSARecord] = []) {
        self.verifyError = verifyError
        self.verifyErrorText = verifyErrorText
        self.matchedRecord = matchedRecord
        self.matchDepth = matchDepth
        self.usableRecords = usableRecords
        self.unusableRecords = unusableRecords
    }

    /// DANE-valid: verification succeeded and a TLSA record matched.
    public var isValid: Bool { verifyError == 0 && matchDepth != nil }
    /// No record was usable ("No usable TLSA records" in ldns-dane's words).
    public var noUsableRecords: Bool { usableRecords.isEmpty }
}

/// Why verification could not be attempted at all.
public enum DANEVerificationError: Error, Sendable, Hashable {
    /// The chain is empty.
    case emptyChain
    /// Certificate `index` of the chain (or of the trust anchors) is not DER X.509.
    case badCertificate(index: Int)
    case badTrustAnchor(index: Int)
    /// OpenSSL refused to set up (allocation or DANE initialisation failed).
    case openSSL(String)
}

/// TLSA matching through OpenSSL's own DANE implementation, without a connection: the records
/// are loaded into a dummy client `SSL`, whose `SSL_DANE` state drives `X509_verify_cert` over
/// the presented chain (the approach of OpenSSL's `test/danetest.c`).
public enum DANEVerifier {
    /// Matches `records` against `chain` (DER certificates, leaf first, as presented).
    public static func verify(records: [TLSARecord], chain: [[UInt8]],
                              options: DANEVerificationOptions) throws(DANEVerificationError) -> DANEVerification {
        guard !chain.isEmpty else { throw .emptyChain }
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .openSSL("SSL_CTX_new") }
        defer { SSL_CTX_free(ctx) }
        guard SSL_CTX_dane_enable(ctx) > 0 else { throw .openSSL("SSL_CTX_dane_enable") }
        if options.digestPreference == .sha256 {
            guard SSL_CTX_dane_mtype_set(ctx, EVP_sha512(), 2, 1) > 0,
                  SSL_CTX_dane_mtype_set(ctx, EVP_sha256(), 1, 2) > 0
            else { throw .openSSL("SSL_CTX_dane_mtype_set") }
        }
        let store = SSL_CTX_get_cert_store(ctx)
        for (index, der) in options.trustAnchors.enumerated() {
            guard let anchor = decode(der) else { throw .badTrustAnchor(index: index) }
            defer { X509_free(anchor) }
            guard X509_STORE_add_cert(store, anchor) == 1 else { throw .openSSL("X509_STORE_add_cert") }
        }

        guard let ssl = SSL_new(ctx) else { throw .openSSL("SSL_new") }
        defer { SSL_free(ssl) }
        SSL_set_connect_state(ssl)
        guard SSL_dane_enable(ssl, options.baseDomain) > 0 else { throw .openSSL("SSL_dane_enable") }
        if !options.checkNames {
            _ = SSL_dane_set_flags(ssl, UInt(DANE_FLAG_NO_DANE_EE_NAMECHECKS))
            // SSL_dane_enable made the base domain the reference identifier; drop it.
            _ = X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), nil, 0)
        }
        var usable: [TLSARecord] = []
        var unusable: [TLSARecord] = []
        for record in records {
            let added = record.data.withUnsafeBufferPointer {
                SSL_dane_tlsa_add(ssl, record.usage, record.selector, record.matchingType,
                                  $0.baseAddress, $0.count)
            }
            if added > 0 { usable.append(record) } else { unusable.append(record) }
        }
        ERR_clear_error()

        guard let stack = peil_sk_X509_new_null() else { throw .openSSL("sk_X509_new_null") }
        defer { peil_sk_X509_pop_free(stack) }
        var leaf: OpaquePointer?
        for (index, der) in chain.enumerated() {
            guard let cert = decode(der) else { throw .badCertificate(index: index) }
            guard peil_sk_X509_push(stack, cert) > 0 else {
                X509_free(cert)
                throw .openSSL("sk_X509_push")
            }
            if index == 0 { leaf = cert }
        }

        let error = try verifyChain(ssl: ssl, ctx: ctx, leaf: leaf, stack: stack)
        // As danetest.c: the match data is hidden while the verify result is an error; peek
        // under the hood with the result set to OK, then put the error back.
        SSL_set_verify_result(ssl, Int(X509_V_OK))
        var usage: UInt8 = 0, selector: UInt8 = 0, mtype: UInt8 = 0
        var data: UnsafePointer<UInt8>?
        var length = 0
        let depth = SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, &data, &length)
        SSL_set_verify_result(ssl, Int(error))
        var matched: TLSARecord?
        if depth >= 0, let data {
            matched = TLSARecord(usage: usage, selector: selector, matchingType: mtype,
                                 data: Array(UnsafeBufferPointer(start: data, count: length)))
        }
        return DANEVerification(
            verifyError: error,
            verifyErrorText: String(cString: X509_verify_cert_error_string(Int(error))),
            matchedRecord: matched, matchDepth: depth >= 0 ? Int(depth) : nil,
            usableRecords: usable, unusableRecords: unusable)
    }

    /// Runs `X509_verify_cert` as a TLS client would for a server, with the SSL's DANE state.
    private static func verifyChain(ssl: OpaquePointer, ctx: OpaquePointer, leaf: OpaquePointer?,
                                    stack: OpaquePointer) throws(DANEVerificationError) -> Int32 {
        guard let storeCtx = X509_STORE_CTX_new() else { throw .openSSL("X509_STORE_CTX_new") }
        defer { X509_STORE_CTX_free(storeCtx) }
        guard X509_STORE_CTX_init(storeCtx, SSL_CTX_get_cert_store(ctx), leaf, stack) == 1,
              X509_STORE_CTX_set_ex_data(storeCtx, SSL_get_ex_data_X509_STORE_CTX_idx(),
                                         UnsafeMutableRawPointer(ssl)) == 1
        else { throw .openSSL("X509_STORE_CTX_init") }
        _ = X509_STORE_CTX_set_default(storeCtx, "ssl_server")
        _ = X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(storeCtx), SSL_get0_param(ssl))
        X509_STORE_CTX_set0_dane(storeCtx, SSL_get0_dane(ssl))
        let ok = X509_verify_cert(storeCtx)
        let error = X509_STORE_CTX_get_error(storeCtx)
        ERR_clear_error()
        if ok < 0, error == X509_V_OK { throw .openSSL("X509_verify_cert internal error") }
        SSL_set_verify_result(ssl, Int(error))
        return error
    }

    /// One DER certificate, or nil.
    private static func decode(_ der: [UInt8]) -> OpaquePointer? {
        der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let cert = d2i_X509(nil, &cursor, buffer.count) else { return nil }
            // Trailing bytes mean this was not one certificate.
            guard cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                X509_free(cert)
                return nil
            }
            return cert
        }
    }
}
