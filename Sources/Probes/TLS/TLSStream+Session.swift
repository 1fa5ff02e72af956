import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TLSStream {
    /// A resumable session: at once for TLS ≤ 1.2; for TLS 1.3 as soon as a NewSessionTicket
    /// has arrived, reading (and discarding) what the server sends one record at a time until
    /// `deadline`. Nil when the server sent no ticket by then.
    public func resumableSession(waitingUntil deadline: ContinuousClock.Instant) -> TLSSession? {
        var scratch = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<64 {
            if let session = resumable() { return session }
            ERR_clear_error()
            let result = scratch.withUnsafeMutableBytes { SSL_read(handle, $0.baseAddress, Int32($0.count)) }
            guard result <= 0 else { continue }
            let error = SSL_get_error(handle, result)
            guard error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE else { break }
            // A ticket just read leaves OpenSSL wanting more: look for it before waiting.
            if let session = resumable() { return session }
            guard transport.wait(for: Int16(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), until: deadline) else { break }
        }
        return resumable()
    }

    /// The current session when OpenSSL deems it resumable.
    private func resumable() -> TLSSession? {
        guard let session = SSL_get1_session(handle) else { return nil }
        if SSL_SESSION_is_resumable(session) == 1 { return TLSSession(taking: session) }
        SSL_SESSION_free(session)
        return nil
    }

    /// One client-initiated renegotiation (TLS ≤ 1.2): true when the new handshake completed
    /// by `deadline`; false when OpenSSL would not start it, the server refused or stayed silent.
    public func renegotiate(deadline: ContinuousClock.Instant) -> Bool {
        ERR_clear_error()
        guard SSL_renegotiate(handle) == 1 else { return false }
        do {
            _ = try drive(until: deadline) { SSL_do_handshake(handle) }
        } catch {
            return false
        }
        return SSL_renegotiate_pending(handle) == 0
    }
}
