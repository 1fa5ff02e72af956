import Foundation

extension DNSRelay {
    /// Accepts waiting TCP connections (up to 16 at a time), each relayed on a thread of its
    /// own; beyond ``maxTCPConnections`` at once they are closed at once.
    func acceptConnections(_ listener: Int32, route: Int) {
        for _ in 0..<16 {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard admit() else {
                close(client)
                continue
            }
            let thread = Thread { [self] in
                relay(client, backendPort: plan.routes[route].backendPort)
                release()
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func admit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard tcpActive < Self.maxTCPConnections else { return false }
        tcpActive += 1
        return true
    }

    private func release() {
        lock.lock()
        tcpActive -= 1
        lock.unlock()
    }

    /// Relays length-prefixed messages in turn: a query to the backend, its answer back after
    /// the delay; ends on close, timeout or ``maxTCPMessages``.
    func relay(_ client: Int32, backendPort: Int) {
        defer { close(client) }
        EndpointSockets.setTimeouts(client, seconds: Self.tcpTimeoutSeconds)
        guard let backend = EndpointSockets.connected("127.0.0.1", backendPort, type: Int32(SOCK_STREAM.rawValue),
                                                      timeoutSeconds: Self.tcpTimeoutSeconds) else { return }
        defer { close(backend) }
        for _ in 0..<Self.maxTCPMessages {
            guard let query = Self.readMessage(client), Self.writeAll(backend, query) else { return }
            let started = Self.now()
            guard let answer = Self.readMessage(backend) else { return }
            let wait = started + plan.delay(of: query.dropFirst(2)) - Self.now()
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            guard Self.writeAll(client, answer) else { return }
        }
    }

    /// One DNS-over-TCP message with its two-byte length; nil on close, timeout or a short read.
    static func readMessage(_ descriptor: Int32) -> [UInt8]? {
        guard let prefix = readExactly(descriptor, 2) else { return nil }
        let length = Int(prefix[0]) << 8 | Int(prefix[1])
        guard length > 0, let body = readExactly(descriptor, length) else { return nil }
        return prefix + body
    }

    static func readExactly(_ descriptor: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let got = bytes.withUnsafeMutableBytes { raw in recv(descriptor, raw.baseAddress! + received, count - received, 0) }
            guard got > 0 else { return nil }
            received += got
        }
        return bytes
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { raw in send(descriptor, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}
