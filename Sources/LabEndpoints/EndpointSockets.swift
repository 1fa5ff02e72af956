import CEpoll
import Foundation

/// Socket addresses and bound sockets for the lab's servers (POSIX, IPv4 and IPv6).
enum EndpointSockets {
    /// `address` (IPv4 or IPv6 text) and `port` as a socket address; nil when it does not parse.
    static func socketAddress(_ address: String, _ port: Int) -> (sockaddr_storage, socklen_t)? {
        var storage = sockaddr_storage()
        let parsed: Bool = withUnsafeMutableBytes(of: &storage) { raw in
            if address.contains(":") {
                let socketAddress = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                socketAddress.pointee.sin6_family = sa_family_t(AF_INET6)
                socketAddress.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                return inet_pton(AF_INET6, address, &socketAddress.pointee.sin6_addr) == 1
            }
            let socketAddress = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            socketAddress.pointee.sin_family = sa_family_t(AF_INET)
            socketAddress.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
            return inet_pton(AF_INET, address, &socketAddress.pointee.sin_addr) == 1
        }
        guard parsed else { return nil }
        let length = address.contains(":") ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        return (storage, socklen_t(length))
    }

    /// A socket of `type` (`SOCK_STREAM`, `SOCK_DGRAM`) bound to `address`:`port`, close-on-exec,
    /// IPv6 sockets v6-only; `flags` are extra type flags (`SOCK_NONBLOCK`).
    static func bound(_ address: String, _ port: Int, type: Int32, flags: Int32 = 0) throws -> Int32 {
        guard let parsed = socketAddress(address, port) else { throw EndpointError("not an address: \(address)") }
        var storage = parsed.0
        let length = parsed.1
        let ipv6 = address.contains(":")
        let descriptor = socket(ipv6 ? AF_INET6 : AF_INET, type | flags | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw EndpointError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if ipv6 { setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard result == 0 else {
            let error = errno
            close(descriptor)
            throw EndpointError("cannot bind \(address) port \(port): errno \(error)")
        }
        return descriptor
    }

    /// A socket of `type` connected to `address`:`port` (for TCP, blocking and bounded by
    /// `timeoutSeconds` through `SO_SNDTIMEO`/`SO_RCVTIMEO`); nil on failure.
    static func connected(_ address: String, _ port: Int, type: Int32, flags: Int32 = 0, timeoutSeconds: Int = 10) -> Int32? {
        guard let parsed = socketAddress(address, port) else { return nil }
        var storage = parsed.0
        let length = parsed.1
        let descriptor = socket(address.contains(":") ? AF_INET6 : AF_INET, type | flags | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        setTimeouts(descriptor, seconds: timeoutSeconds)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard result == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Read and write timeouts (they also bound a blocking `connect`).
    static func setTimeouts(_ descriptor: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Raises the open-file limit to the hard limit (a server of thousands of sockets).
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// An epoll instance reporting when one of `descriptors` is readable, the event's data being
    /// the descriptor's position in `descriptors`. (poll(2) over the twin's 5,770 listeners cost
    /// a pass over all of them per wake: a fifth of the machine's CPU in the demo.)
    static func epoll(watching descriptors: [Int32]) throws -> Int32 {
        let events = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard events >= 0 else { throw EndpointError("epoll_create1: errno \(errno)") }
        for (position, descriptor) in descriptors.enumerated() {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = UInt64(position)
            guard epoll_ctl(events, EPOLL_CTL_ADD, descriptor, &event) == 0 else {
                let error = errno
                close(events)
                throw EndpointError("epoll_ctl: errno \(error)")
            }
        }
        return events
    }
}
