#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The small connect probes over loopback, and the HTTP response reader on fixed bytes.
@Suite("Connect probes", .blockingWork)
struct ConnectProbeTests {
    /// A TCP listener on 127.0.0.1 that accepts (the kernel completes the handshake) and never reads.
    final class Listener {
        let fd: Int32
        let port: UInt16
        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
            self.fd = fd
            port = UInt16(bigEndian: address.sin_port)
        }
        deinit { close(fd) }
    }

    @Test func anOpenPortIsOpenAndAClosedOneRefused() throws {
        let listener = try Listener()
        let closedPort: UInt16 = {
            let probe = try? Listener()
            return probe?.port ?? 1  // bound, then closed when `probe` goes away
        }()
        let seen = PortCheck.probe(address: "127.0.0.1", ports: [listener.port, closedPort], timeout: .seconds(2))
        #expect(seen.ports.map(\.state) == [.open, .refused])
        #expect(seen.openPorts == [listener.port])
    }

    @Test(.timeLimit(.minutes(1)))
    func aNameserverThatAnswersOverUDPIsReachable() throws {
        let server = try LoopbackDNSServer { query in
            var response = query
            response[2] |= 0x80  // QR
            response[3] = (response[3] & 0xF0) | 5  // REFUSED still proves reachability
            return response
        }
        defer { server.stop() }
        let seen = NameserverCheck.probe(address: "127.0.0.1", name: "ns1.example.nl", port: server.port, timeout: .seconds(3))
        #expect(seen.answered && seen.transport == "udp" && seen.rcode == "REFUSED")
    }

    @Test(.timeLimit(.minutes(1)))
    func aSilentNameserverIsNotReachableAfterUDPAndTCP() throws {
        let server = try LoopbackDNSServer { _ in nil }
        defer { server.stop() }
        let seen = NameserverCheck.probe(address: "127.0.0.1", name: "ns1.example.nl", port: server.port, timeout: .seconds(1))
        #expect(!seen.answered)
        #expect(server.received >= 1)
        #expect(seen.detail?.contains("UDP: timeout") == true, "\(seen.detail ?? "")")
        #expect(seen.detail?.contains("TCP: refused") == true, "\(seen.detail ?? "")")
    }

    @Test func theQueryIsAnNSQuestionWithCheckingDisabled() {
        let bytes = NameserverCheck.query(id: 0x1234, name: "ns1.example.nl")
        #expect(Array(bytes[0..<4]) == [0x12, 0x34, 0x00, 0x10])
        #expect(Array(bytes.suffix(4)) == [0, 2, 0, 1])
        #expect(NameserverCheck.header([0x12, 0x34, 0x84, 0x03] + [UInt8](repeating: 0, count: 8), id: 0x1234).map { "\($0)" } == "answer(rcode: \"NXDOMAIN\", truncated: false)")
        #expect(NameserverCheck.header([0x12, 0x35, 0x84, 0x00] + [UInt8](repeating: 0, count: 8), id: 0x1234) == nil, "another id")
    }

    /// Bytes in, bytes out, in chunks of a given size.
    final class ScriptedTransport: ByteStream {
        var sent: [UInt8] = []
        var pending: [UInt8]
        let chunk: Int
        init(_ reply: String, chunk: Int = 7) { pending = Array(reply.utf8); self.chunk = chunk }
        func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError) { sent += bytes }
        func close() {}
        func read(max: Int, deadline: ContinuousClock.Instant) throws(StreamError) -> [UInt8] {
            let part = Array(pending.prefix(min(max, chunk)))
            pending.removeFirst(part.count)
            return part
        }
    }

    @Test func aRedirectHeadIsReadWithEveryHeaderInOrder() {
        let transport = ScriptedTransport("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.nl/\r\nStrict-Transport-Security: max-age=1\r\nstrict-transport-security:  max-age=2 \r\n\r\nbody")
        let exchange = HTTPClient.get(url: "http://www.example.nl/", host: "www.example.nl", over: transport)
        #expect(exchange.status == 301 && exchange.error == nil)
        #expect(exchange.values("location") == ["https://www.example.nl/"])
        #expect(exchange.values("Strict-Transport-Security") == ["max-age=1", "max-age=2"])
        #expect(exchange.bodyBytes <= 4, "only what came with the head is counted")
        let request = String(decoding: transport.sent, as: UTF8.self)
        #expect(request.hasPrefix("GET / HTTP/1.1\r\nHost: www.example.nl\r\n") && request.hasSuffix("Connection: close\r\n\r\n"))
    }

    @Test func notHTTPOrCutShortIsAnErrorNotAStatus() {
        #expect(HTTPClient.get(url: "u", host: "h", over: ScriptedTransport("SSH-2.0-OpenSSH\r\n\r\n")).status == nil)
        let cut = HTTPClient.get(url: "u", host: "h", over: ScriptedTransport("HTTP/1.1 200 OK\r\nServer: x\r\n"))
        #expect(cut.status == nil && cut.error == "closed inside the response head")
        #expect(HTTPClient.get(url: "u", host: "h", over: ScriptedTransport("")).error == "closed without a response")
        let huge = HTTPClient.get(url: "u", host: "h", over: ScriptedTransport("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 40_000), chunk: 4096))
        #expect(huge.error?.hasPrefix("response head over 32 KiB") == true, "\(huge.error ?? "-")")
        #expect(HTTPResponseHead.parse(Array("HTTP/1.0 200 OK\n\n".utf8), url: "u").status == 200, "bare LF line ends are read")
    }
}
