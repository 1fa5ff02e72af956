import COpenSSL
import PeilModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OpenSSL client connection over a `TCPStream`, driven non-blocking with the stream's
/// deadlines. Certificate verification is off (the result is kept in `verifyResult`); the
/// negotiated version, cipher and the peer's chain are exposed for the probes.
public final class TLSStream: ByteStream {
    /// The TCP connection underneath (closed with this stream).
    public let transport: TCPStream
    let context: OpaquePointer
    /// OpenSSL's `SSL *`, for callers that need more than this class offers.
    public let handle: OpaquePointer
    private var isClosed = false

    private init(transport: TCPStream, context: OpaquePointer, handle: OpaquePointer) {
        self.transport = transport
        self.context = context
        self.handle = handle
    }

    deinit { close() }

    /// Runs a client handshake over `transport` before `deadline`. With `options.earlyData`
    /// and a resumable session, the early data is sent first (see `earlyDataAccepted`).
    /// `configure` may adjust the `SSL *` last. Throws `.tls` when the handshake fails.
    public static func handshake(over transport: TCPStream, serverName: String?, deadline: ContinuousClock.Instant,
                                 options: TLSClientOptions = TLSClientOptions(),
                                 configure: (OpaquePointer) -> Void = { _ in }) throws(StreamError) -> TLSStream {
        _ = BrokenPipes.ignored
        ERR_clear_error()
        let context = try options.makeContext()
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .tls("SSL_new: \(OpenSSLErrors.drain())")
        }
        let stream = TLSStream(transport: transport, context: context, handle: ssl)
        guard SSL_set_fd(ssl, transport.descriptor) == 1 else { throw .tls("SSL_set_fd: \(OpenSSLErrors.drain())") }
        try options.configure(ssl, serverName: serverName)
        configure(ssl)
        if let early = options.earlyData, options.session.map({ $0.maxEarlyData > 0 }) == true {
            var written = 0
            _ = try stream.drive(until: deadline) { early.withUnsafeBytes { SSL_write_early_data(ssl, $0.baseAddress, $0.count, &written) } }
        }
        _ = try stream.drive(until: deadline) { SSL_connect(ssl) }
        return stream
    }

    /// The negotiated version.
    public var version: TLSVersion? {
        let wire = UInt16(truncatingIfNeeded: SSL_version(handle))
        return TLSVersion.allCases.first { $0.wireValue == wire }
    }

    /// The negotiated cipher suite's IANA code point.
    public var cipherSuite: UInt16? { SSL_get_current_cipher(handle).map { SSL_CIPHER_get_protocol_id($0) } }

    /// The certificates the server presented, DER, leaf first.
    public var peerChainDER: [[UInt8]] {
        guard let chain = SSL_get_peer_cert_chain(handle) else { return [] }
        return (0..<min(peil_sk_X509_num(chain), 64)).compactMap { index in
            peil_sk_X509_value(chain, index).flatMap(CertificateInspector.der)
        }
    }

    /// `X509_V_OK` (0) when the chain verified against the trust store, else the error code.
    public var verifyResult: Int { SSL_get_verify_result(handle) }

    /// Whether the server accepted the early data (nil when none was sent).
    public var earlyDataAccepted: Bool? {
        switch SSL_get_early_data_status(handle) {
        case SSL_EARLY_DATA_ACCEPTED: true
        case SSL_EARLY_DATA_REJECTED: false
        default: nil
        }
    }

    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError) {
        guard !isClosed else { throw .closed }
        var offset = 0
        for _ in 0..<(bytes.count + 64) where offset < bytes.count {
            let sent = try drive(until: deadline) {
                bytes[offset...].withUnsafeBytes { SSL_write(handle, $0.baseAddress, Int32(clamping: $0.count)) }
            }
            offset += Int(sent)
        }
    }

    public func read(max: Int, deadline: ContinuousClock.Instant) throws(StreamError) -> [UInt8] {
        guard !isClosed else { throw .closed }
        var chunk = [UInt8](repeating: 0, count: Swift.max(1, Swift.min(max, 65_536)))
        do {
            let count = try drive(until: deadline) {
                chunk.withUnsafeMutableBytes { SSL_read(handle, $0.baseAddress, Int32(clamping: $0.count)) }
            }
            return Array(chunk[0..<Int(count)])
        } catch .closed {
            return []
        }
    }

    /// Sends close_notify (without waiting) and closes the connection.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        ERR_clear_error()
        if SSL_is_init_finished(handle) == 1 { _ = SSL_shutdown(handle) }
        SSL_free(handle)
        SSL_CTX_free(context)
        transport.close()
    }

    /// Runs an OpenSSL call until it succeeds (its positive result), waiting on the socket
    /// for as long as OpenSSL wants to read or write, up to `deadline`.
    func drive(until deadline: ContinuousClock.Instant, _ operation: () -> Int32) throws(StreamError) -> Int32 {
        for _ in 0..<10_000 {
            ERR_clear_error()
            let result = operation()
            if result > 0 { return result }
            switch SSL_get_error(handle, result) {
            case SSL_ERROR_WANT_READ:
                guard transport.wait(for: Int16(POLLIN), until: deadline) else { throw .timeout }
            case SSL_ERROR_WANT_WRITE:
                guard transport.wait(for: Int16(POLLOUT), until: deadline) else { throw .timeout }
            case SSL_ERROR_ZERO_RETURN:
                throw .closed
            case SSL_ERROR_SYSCALL:
                let code = errno
                let queued = OpenSSLErrors.drain()
                if code == ECONNRESET || code == EPIPE { throw .reset }
                if queued != "no OpenSSL error" { throw .tls(queued) }
                throw code == 0 ? .closed : .io(code)
            default:
                throw .tls(OpenSSLErrors.drain())
            }
        }
        throw .timeout
    }
}
