#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TCP connection with hard deadlines, just big enough to send a hello and read the answer.
/// Non-blocking socket driven by `poll`; every wait is bounded by the deadline given.
struct HelloSocket: ~Copyable {
    enum Failure: Error { case badAddress, refused(Int32), timeout, io(Int32) }
    /// How a read ended.
    enum ReadEnd { case done, closed, timeout }

    private let fd: Int32

    /// Connects to a numeric IPv4 or IPv6 address, giving up at `deadline`.
    init(address: String, port: UInt16, deadline: ContinuousClock.Instant) throws(Failure) {
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
        } else { throw .badAddress }
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .io(errno) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let status: Int32 = family == AF_INET
            ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        if status != 0 {
            let code = errno
            guard code == EINPROGRESS else { close(fd); throw .refused(code) }
            guard Self.wait(fd, Int16(POLLOUT), until: deadline) else { close(fd); throw .timeout }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else { close(fd); throw .refused(error) }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends all of `bytes` before `deadline`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(Failure) {
        var offset = 0
        for _ in 0..<(bytes.count + 64) where offset < bytes.count {
            guard Self.wait(fd, Int16(POLLOUT), until: deadline) else { throw .timeout }
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if sent > 0 { offset += sent } else if errno != EINTR && errno != EAGAIN { throw .io(errno) }
        }
        guard offset == bytes.count else { throw .io(EIO) }
    }

    /// Reads chunks into `consume` until it returns true, the peer closes (or resets), or `deadline`.
    func read(deadline: ContinuousClock.Instant, maxReads: Int, _ consume: ([UInt8]) -> Bool) -> ReadEnd {
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<maxReads {
            guard Self.wait(fd, Int16(POLLIN), until: deadline) else { return .timeout }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                if consume(Array(chunk[0..<count])) { return .done }
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                return .closed
            }
        }
        return .done
    }

    /// Waits for `events` on `fd` until `deadline`; false on timeout.
    private static func wait(_ fd: Int32, _ events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        for _ in 0..<1_000 {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1)
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return true }  // let the following call report the error
        }
        return false
    }
}
