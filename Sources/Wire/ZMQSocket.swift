import CZeroMQ
import Foundation

/// A ZeroMQ context. Thread-safe by libzmq's contract; terminate it after closing every socket.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError("zmq_ctx_new") }
        self.handle = handle
    }

    /// Ends the context; blocks until all its sockets are closed.
    public func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

/// A ZeroMQ socket. Not thread-safe: one thread owns it for its whole life.
public final class ZMQSocket {
    public enum Kind {
        case router, dealer, rep, pair
        var raw: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .rep: ZMQ_REP
            case .pair: ZMQ_PAIR
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    private var closed = false

    public init(context: ZMQContext, kind: Kind) throws {
        guard let handle = zmq_socket(context.handle, kind.raw) else { throw ZMQError("zmq_socket") }
        self.handle = handle
        try setOption(ZMQ_LINGER, Int32(0))
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    public func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    public func setOption(_ option: Int32, int64 value: Int64) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError("zmq_setsockopt(\(option))")
        }
    }

    /// An integer option's value (`int` options).
    public func intOption(_ option: Int32) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, option, &value, &size) == 0 else { throw ZMQError("zmq_getsockopt(\(option))") }
        return value
    }

    /// A 64-bit integer option's value (`int64_t` options such as `ZMQ_MAXMSGSIZE`).
    public func int64Option(_ option: Int32) throws -> Int64 {
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        guard zmq_getsockopt(handle, option, &value, &size) == 0 else { throw ZMQError("zmq_getsockopt(\(option))") }
        return value
    }

    public func setOption(_ option: Int32, _ value: String) throws {
        let rc = value.withCString { zmq_setsockopt(handle, option, $0, strlen($0)) }
        guard rc == 0 else { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("connect \(endpoint)") }
    }

    /// The endpoint actually bound (resolves a `tcp://…:*` wildcard port).
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw ZMQError("zmq_getsockopt(LAST_ENDPOINT)")
        }
        return String(nulTerminated: buffer)
    }

    /// Sends all frames as one multipart message. With `dontWait`, EAGAIN and
    /// EHOSTUNREACH come back as a transient ``ZMQError``.
    public func send(_ frames: [Data], dontWait: Bool = true) throws {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            guard rc >= 0 else { throw ZMQError("zmq_send") }
        }
    }

    /// Receives one whole multipart message, or nil if none is waiting.
    /// `userID` is the ZAP-authenticated identity of the peer (the agent's public key).
    public func receive() throws -> (frames: [Data], userID: String?)? {
        var frames: [Data] = []
        var userID: String?
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let rc = zmq_msg_recv(&message, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let error = ZMQError("zmq_msg_recv")
                if frames.isEmpty && (error.code == EAGAIN || error.code == EINTR) { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            frames.append(size == 0 ? Data() : Data(bytes: zmq_msg_data(&message), count: size))
            if userID == nil, let property = zmq_msg_gets(&message, "User-Id") {
                userID = String(cString: property)
            }
            if zmq_msg_more(&message) == 0 { break }
        }
        return (frames, userID)
    }

    /// Waits up to `timeout` for any of `sockets` to become readable; returns their indices.
    public static func poll(_ sockets: [ZMQSocket], timeout: Duration) throws -> Set<Int> {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let rc = zmq_poll(&items, Int32(items.count), Int(milliseconds))
        if rc < 0 {
            if zmq_errno() == EINTR { return [] }
            throw ZMQError("zmq_poll")
        }
        var ready = Set<Int>()
        for (index, item) in items.enumerated() where item.revents & Int16(ZMQ_POLLIN) != 0 {
            ready.insert(index)
        }
        return ready
    }
}
