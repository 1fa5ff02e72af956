import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TLSStream {
    /// A resumable session: at once for TLS ≤ 1.2; for TLS 1.3 once a NewSessionTicket has
    /// arrived, reading (and discarding) what the server sends until `deadline`. Nil when the
    /// server sent no ticket by then.
    public func resumableSession(waitingUntil deadline: ContinuousClock.Instant) -> TLSSession? {
        var scratch = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<64 {
            if let session = SSL_get1_session(handle) {
                if SSL_SESSION_is_resumable(session) == 1 { return TLSSession(taking: session) }
                SSL_SESSION_free(session)
            }
            do {
                _ = try drive(until: deadline) {
                    scratch.withUnsafeMutableBytes { SSL_read(handle, $0.baseAddress, Int32($0.count)) }
                }
            } catch {
                break
            }
        }
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
