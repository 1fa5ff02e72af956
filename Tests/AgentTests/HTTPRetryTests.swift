import Agent
import Foundation
import LabEndpoints
import PeilModel
import Probes
import Synchronization
import Testing

/// A GET whose connection opened but got no answer is asked once more, on a new connection,
/// as Internet.nl's `http_get` does; a second failure stands.
@Suite("HTTP requests asked once more")
struct HTTPRetryTests {
    static let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nStrict-Transport-Security: max-age=31536000\r\nConnection: close\r\n\r\n".utf8)

    /// A loopback HTTP server that closes the first `failures` connections without a word and
    /// answers the others; counts the connections.
    final class FlakyServer: Sendable {
        final class Count: Sendable { let value = Atomic<Int>(0) }
        private let count = Count()
        private let server: Mutex<HostileLoopbackServer?> = Mutex(nil)
        var port: UInt16 { server.withLock { $0!.port } }
        var connections: Int { count.value.load(ordering: .relaxed) }

        init(failures: Int) throws {
            let count = self.count
            let started = try HostileLoopbackServer(name: "flaky-http") { descriptor in
                defer { close(descriptor) }
                let number = count.value.add(1, ordering: .relaxed).newValue
                guard number > failures else { return }
                var request = [UInt8](repeating: 0, count: 4096)
                _ = read(descriptor, &request, request.count)
                _ = HTTPRetryTests.answer.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            }
            server.withLock { $0 = started }
        }

        func stop() { server.withLock { $0?.stop() } }
    }

    static func get(port: UInt16) -> (PortProbe.State, HTTPExchange?) {
        let probes = EndpointProbes.live(scanOptions: TLSScanOptions(cipherOrderPlan: CipherOrderPlan { _ in [] }), ehloName: "peil.test",
                                         connectTimeout: .seconds(2), timeout: .seconds(2))
        let target = ConnectTarget(address: "127.0.0.1", family: .ipv4, host: "www.example.nl")
        return probes.get(target, port, false, ProbeDeadline(.now + .seconds(20)))
    }

    @Test func aRequestClosedWithoutAnAnswerIsAskedOnceMore() throws {
        let server = try FlakyServer(failures: 1)
        defer { server.stop() }
        let (state, exchange) = Self.get(port: server.port)
        #expect(state == .open)
        #expect(exchange?.status == 200, "\(String(describing: exchange))")
        #expect(exchange?.values("Strict-Transport-Security") == ["max-age=31536000"])
        #expect(server.connections == 2)
    }

    @Test func aSecondFailureStands() throws {
        let server = try FlakyServer(failures: 2)
        defer { server.stop() }
        let (state, exchange) = Self.get(port: server.port)
        #expect(state == .open)
        #expect(exchange?.status == nil && exchange?.error != nil, "\(String(describing: exchange))")
        #expect(server.connections == 2, "asked twice, not more")
    }

    @Test func anAnsweredRequestIsAskedOnce() throws {
        let server = try FlakyServer(failures: 0)
        defer { server.stop() }
        #expect(Self.get(port: server.port).1?.status == 200)
        #expect(server.connections == 1)
    }
}
