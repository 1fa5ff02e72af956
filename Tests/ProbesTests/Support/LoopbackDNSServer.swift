#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A tiny UDP DNS responder on 127.0.0.1 for exercising libunbound without the lab. It answers
/// through `respond` (query bytes → response bytes, or nil to stay silent), counts what it
/// received, and stops when asked or after `lifetime`, whichever is first.
final class LoopbackDNSServer: Sendable {
    let port: UInt16
    private let socket: Int32
    private let state = Mutex((stopped: false, received: 0))
    private let finished = DispatchSemaphore(value: 0)

    init(lifetime: Duration = .seconds(60), respond: @escaping @Sendable ([UInt8]) -> [UInt8]?) throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        socket = fd
        port = UInt16(bigEndian: address.sin_port)
        let deadline = ContinuousClock.now + lifetime
        let thread = Thread { [self] in
            serve(until: deadline, respond: respond)
            close(fd)
            finished.signal()
        }
        thread.start()
    }

    /// How many datagrams arrived so far.
    var received: Int { state.withLock { $0.received } }

    /// Stops serving and waits for the thread to end.
    func stop() {
        let wasStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        if !wasStopped { finished.wait() }
    }

    private func serve(until deadline: ContinuousClock.Instant, respond: ([UInt8]) -> [UInt8]?) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline, !state.withLock({ $0.stopped }) {
            var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 50) > 0 else { continue }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket, &buffer, buffer.count, 0, $0, &peerLength) }
            }
            guard count > 0 else { continue }
            state.withLock { $0.received += 1 }
            guard let reply = respond(Array(buffer.prefix(count))) else { continue }
            _ = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, reply, reply.count, 0, $0, peerLength) }
            }
        }
    }

    /// A response to `query` (ID and question copied) with `rcode` and these answer records
    /// (owner compressed to the question name).
    static func reply(to query: [UInt8], rcode: UInt8 = 0, answers: [(type: UInt16, rdata: [UInt8])] = []) -> [UInt8]? {
        guard query.count >= 12 else { return nil }
        var end = 12
        while end < query.count, query[end] != 0 { end += Int(query[end]) + 1 }
        end += 5 // root label, QTYPE, QCLASS
        guard end <= query.count else { return nil }
        var message = Array(query[0..<2]) + [0x81, 0x80 | rcode, 0, 1, 0, UInt8(answers.count), 0, 0, 0, 0]
        message += query[12..<end]
        for answer in answers {
            message += [0xC0, 12] + PacketBuilder.u16(answer.type) + [0, 1] + PacketBuilder.u32(60)
                + PacketBuilder.u16(UInt16(answer.rdata.count)) + answer.rdata
        }
        return message
    }

    /// The QTYPE of a query.
    static func questionType(_ query: [UInt8]) -> UInt16? {
        var end = 12
        while end < query.count, query[end] != 0 { end += Int(query[end]) + 1 }
        guard end + 2 < query.count else { return nil }
        return UInt16(query[end + 1]) << 8 | UInt16(query[end + 2])
    }
}
