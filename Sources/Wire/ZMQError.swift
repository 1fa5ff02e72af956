import CZeroMQ

/// An error from libzmq, with the operation that failed and errno's text.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32

    /// Captures `zmq_errno()` for `operation`.
    public init(_ operation: String) {
        self.operation = operation
        self.code = zmq_errno()
    }

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The peer could not be routed to (ROUTER_MANDATORY) or the call would block.
    public var isTransient: Bool { code == EHOSTUNREACH || code == EAGAIN || code == EINTR }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code)))"
    }
}
