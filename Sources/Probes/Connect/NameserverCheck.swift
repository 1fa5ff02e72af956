#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PeilModel

/// Whether a nameserver address answers DNS (the IPv6 nameserver test's reachability): an NS
/// query with CD set over UDP, then over TCP if UDP got no answer or a truncated one. Any
/// response, whatever its rcode, shows the server is reachable. Blocking.
public enum NameserverCheck {
    public static func probe(address: String, name: String, port: UInt16 = 53, timeout: Duration = .seconds(5)) -> NameserverObservation {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = Self.query(id: id, name: name)
        var why = "no answer over UDP or TCP"
        switch udp(query, id: id, address: address, port: port, deadline: .now + timeout) {
        case .answer(let rcode, truncated: false):
            return NameserverObservation(answered: true, transport: "udp", rcode: rcode)
        case .answer(_, truncated: true): why = "truncated over UDP"
        case .none(let reason): why = "UDP: \(reason)"
        }
        switch tcp(query, id: id, address: address, port: port, deadline: .now + timeout) {
        case .answer(let rcode, _): return NameserverObservation(answered: true, transport: "tcp", rcode: rcode)
        case .none(let reason): return NameserverObservation(answered: false, detail: "\(why); TCP: \(reason)")
        }
    }

    enum Answer { case answer(rcode: String, truncated: Bool), none(String) }

    static let rcodes = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]

    /// A query for `name` NS, RD clear, CD set.
    static func query(id: UInt16, name: String) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x00, 0x10, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") where !label.isEmpty {
            let utf8 = Array(label.utf8.prefix(63))
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, 0, 2, 0, 1]
        return bytes
    }

    /// Reads the header of a response to query `id`; nil when it is not one.
    static func header(_ bytes: [UInt8], id: UInt16) -> Answer? {
        guard bytes.count >= 12, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id, bytes[2] & 0x80 != 0 else { return nil }
        let code = Int(bytes[3] & 0x0F)
        return .answer(rcode: code < rcodes.count ? rcodes[code] : "RCODE\(code)", truncated: bytes[2] & 0x02 != 0)
    }

    static func udp(_ query: [UInt8], id: UInt16, address: String, port: UInt16, deadline: ContinuousClock.Instant) -> Answer {
        var storage = sockaddr_storage()
        guard let length = socketAddress(address, port: port, into: &storage) else { return .none("bad address") }
        #if canImport(Glibc)
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(Int32(storage.ss_family), SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { return .none("socket: errno \(errno)") }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0, send(fd, query, query.count, 0) == query.count else { return .none("unreachable (errno \(errno))") }
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<64 {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return .none("timeout") }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&entry, 1, milliseconds) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { return .none("unreachable (errno \(errno))") }
            if let answer = header(Array(buffer[0..<count]), id: id) { return answer }
        }
        return .none("no matching answer")
    }

    static func tcp(_ query: [UInt8], id: UInt16, address: String, port: UInt16, deadline: ContinuousClock.Instant) -> Answer {
        let stream: TCPStream
        do {
            stream = try TCPStream.connect(address: address, port: port, deadline: deadline)
        } catch {
            return .none(error == .timeout ? "connect timeout" : "refused (\(error))")
        }
        defer { stream.close() }
        do {
            try stream.write([UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query, deadline: deadline)
            var received: [UInt8] = []
            for _ in 0..<64 where received.count < 14 {
                let chunk = try stream.read(max: 4096, deadline: deadline)
                if chunk.isEmpty { break }
                received += chunk
            }
            if received.count >= 14, let answer = header(Array(received[2...]), id: id) { return answer }
            return .none("closed without an answer")
        } catch {
            return .none("\(error)")
        }
    }

    /// Fills `storage` with a numeric address and port; the address length, nil if not numeric.
    static func socketAddress(_ address: String, port: UInt16, into storage: inout sockaddr_storage) -> socklen_t? {
        withUnsafeMutablePointer(to: &storage) { pointer -> socklen_t? in
            var v4 = sockaddr_in(), v6 = sockaddr_in6()
            if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = port.bigEndian
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee = v4 }
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
                v6.sin6_family = sa_family_t(AF_INET6)
                v6.sin6_port = port.bigEndian
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee = v6 }
                return socklen_t(MemoryLayout<sockaddr_in6>.size)
            }
            return nil
        }
    }
}
