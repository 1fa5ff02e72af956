import CZeroMQ
import Foundation

/// Watches a socket's CURVE handshakes through libzmq's socket monitor, so an agent can say
/// plainly that the coordinator refused its key instead of waiting forever.
public final class HandshakeMonitor {
    public enum Event: Equatable, Sendable {
        case connected
        case handshakeSucceeded
        case authenticationRefused
        case handshakeFailed
        case disconnected
        case other(UInt16)
    }

    public let socket: ZMQSocket

    public init(context: ZMQContext, watching target: ZMQSocket, name: String) throws {
        let endpoint = "inproc://monitor-\(name)"
        let events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED
            | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
        guard zmq_socket_monitor(target.handle, endpoint, events) == 0 else { throw ZMQError("zmq_socket_monitor") }
        socket = try ZMQSocket(context: context, kind: .pair)
        try socket.connect(endpoint)
    }

    /// The events waiting now.
    public func pendingEvents() throws -> [Event] {
        var events: [Event] = []
        while let (frames, _) = try socket.receive() {
            guard let first = frames.first, first.count >= 2 else { continue }
            let code = UInt16(first[first.startIndex]) | UInt16(first[first.startIndex + 1]) << 8
            switch Int32(code) {
            case ZMQ_EVENT_CONNECTED: events.append(.connected)
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: events.append(.handshakeSucceeded)
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: events.append(.authenticationRefused)
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: events.append(.handshakeFailed)
            case ZMQ_EVENT_DISCONNECTED: events.append(.disconnected)
            default: events.append(.other(code))
            }
        }
        return events
    }
}
