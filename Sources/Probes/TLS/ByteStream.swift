/// A connected byte stream with deadlines: every call returns or throws by its deadline.
public protocol ByteStream: AnyObject {
    /// Sends all of `bytes` before `deadline`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError)
    /// Up to `max` bytes as soon as some are there; `[]` when the peer closed.
    func read(max: Int, deadline: ContinuousClock.Instant) throws(StreamError) -> [UInt8]
    /// Closes the stream (idempotent).
    func close()
}

/// Why a stream operation failed.
public enum StreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a numeric IPv4 or IPv6 address.
    case badAddress(String)
    /// The connect failed (refused, unroutable), with its errno.
    case refused(Int32)
    /// The deadline passed.
    case timeout
    /// The peer reset the connection.
    case reset
    /// Another socket error (errno).
    case io(Int32)
    /// The TLS layer failed: OpenSSL's reason, or the alert the peer sent.
    case tls(String)
    /// The stream was closed on this side.
    case closed

    public var description: String {
        switch self {
        case .badAddress(let address): "not a numeric address: \(address)"
        case .refused(let code): "connect errno \(code)"
        case .timeout: "timeout"
        case .reset: "connection reset"
        case .io(let code): "socket errno \(code)"
        case .tls(let reason): "TLS: \(reason)"
        case .closed: "closed"
        }
    }
}
