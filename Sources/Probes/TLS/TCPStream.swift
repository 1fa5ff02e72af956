#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TCP connection with hard deadlines: a non-blocking socket driven by `poll`, so every
/// wait ends by the deadline given. Not thread-safe: one owner at a time.
public final class TCPStream: ByteStream {
    /// The socket; -1 once closed.
    public private(set) var descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close() }

    /// Connects to a numeric IPv4 or IPv6 address, giving up at `deadline`.
    public static func connect(address: String, port: UInt16, deadline: ContinuousClock.Instant) throws(StreamError) -> TCPStream {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
        } else { throw .badAddress(address) }
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .io(errno) }
        let stream = TCPStream(descriptor: fd)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let status: Int32 = family == AF_INET
            ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                socketConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                socketConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        if status != 0 {
            let code = errno
            guard code == EINPROGRESS else { throw .refused(code) }
            guard stream.wait(for: Int16(POLLOUT), until: deadline) else { throw .timeout }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else { throw .refused(error) }
        }
        return stream
    }

    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError) {
        var offset = 0
        for _ in 0..<(bytes.count + 64) where offset < bytes.count {
            guard descriptor >= 0 else { throw .closed }
            guard wait(for: Int16(POLLOUT), until: deadline) else { throw .timeout }
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, flags) }
            if sent > 0 {
                offset += sent
            } else if errno == EPIPE || errno == ECONNRESET {
                throw .reset
            } else if errno != EINTR && errno != EAGAIN {
                throw .io(errno)
            }
        }
        guard offset == bytes.count else { throw .io(EIO) }
    }

    public func read(max: Int, deadline: ContinuousClock.Instant) throws(StreamError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: Swift.max(1, Swift.min(max, 65_536)))
        for _ in 0..<1_000 {
            guard descriptor >= 0 else { throw .closed }
            guard wait(for: Int16(POLLIN), until: deadline) else { throw .timeout }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { return Array(chunk[0..<count]) }
            if count == 0 { return [] }
            if errno == ECONNRESET { throw .reset }
            if errno != EINTR && errno != EAGAIN { throw .io(errno) }
        }
        throw .timeout
    }

    public func close() {
        guard descriptor >= 0 else { return }
        socketClose(descriptor)
        descriptor = -1
    }

    /// Whether the peer has already sent bytes nobody read (checked without waiting).
    public func hasUnreadBytes() -> Bool {
        guard descriptor >= 0 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) > 0
    }

    /// Waits for `events` until `deadline`; false on timeout. An error wakes it too, so the
    /// following call reports it.
    func wait(for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        for _ in 0..<1_000 {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, descriptor >= 0 else { return false }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1)
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return true }
        }
        return false
    }
}

/// The C calls whose names the stream's methods shadow.
private func socketConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func socketClose(_ fd: Int32) { _ = close(fd) }
