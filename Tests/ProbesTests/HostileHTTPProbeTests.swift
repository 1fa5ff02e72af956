import Foundation
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The hostile zoo's HTTP ports (`LabEndpoints.HostileHTTPServer`, the behaviours the lab's
/// endpoint server serves as `http-*` modes) asked `GET /` on loopback: each exchange ends
/// within its bound with an error that names the bound, or, for the redirect loop, with the
/// first hop only.
@Suite("HTTP probe: slowloris, endless head, redirect loop, not HTTP", .serialized, .blockingWork)
struct HostileHTTPProbeTests {
    /// The exchange's time cap (the agent's is 10 s; shorter here to keep the test quick).
    static let limits = HTTPLimits(timeout: .seconds(3))
    /// Room for scheduling on a loaded machine, never a tight timing.
    static let slack: Duration = .seconds(3)

    static func get(_ server: HostileHTTPServer, path: String = "/") throws -> (HTTPExchange, Duration) {
        let clock = ContinuousClock()
        var exchange: HTTPExchange?
        let elapsed = try clock.measure {
            let stream = try TCPStream.connect(address: "127.0.0.1", port: server.port, deadline: .now + .seconds(2))
            defer { stream.close() }
            exchange = HTTPClient.get(url: "http://www.hostile.lab\(path)", host: "www.hostile.lab", path: path, over: stream, limits: limits)
        }
        let result = try #require(exchange)
        print("\(server.behaviour): \(result.status.map(String.init) ?? "-") in \(elapsed): \(result.error ?? "-")")
        return (result, elapsed)
    }

    /// One header byte a second, for ever: the exchange's time cap ends it, and says so.
    @Test(.timeLimit(.minutes(1)))
    func aSlowlorisHeadEndsAtTheTimeCap() throws {
        let server = try HostileHTTPServer(.slowloris)
        defer { server.stop() }
        let (exchange, elapsed) = try Self.get(server)
        #expect(exchange.status == nil)
        #expect(exchange.error?.hasPrefix("no complete response head within 3 s") == true, "\(exchange.error ?? "-")")
        #expect(elapsed < Self.limits.timeout + Self.slack)
    }

    /// A head of header lines without end (10 MB on offer): the head-size cap ends it at
    /// once, long before the time cap.
    @Test(.timeLimit(.minutes(1)))
    func anEndlessHeadEndsAtTheSizeCap() throws {
        let server = try HostileHTTPServer(.endlessHead)
        defer { server.stop() }
        let (exchange, elapsed) = try Self.get(server)
        #expect(exchange.status == nil)
        #expect(exchange.error?.hasPrefix("response head over 32 KiB") == true, "\(exchange.error ?? "-")")
        #expect(elapsed < Self.limits.timeout + Self.slack)
    }

    /// Each answer a 301 to a new URL on the same host: redirects are not followed, so one
    /// exchange is one request and reports the first hop, whatever the chain's length.
    @Test(.timeLimit(.minutes(1)))
    func anEndlessRedirectChainCostsOneRequestPerExchange() throws {
        let server = try HostileHTTPServer(.redirectLoop)
        defer { server.stop() }
        let (first, elapsed) = try Self.get(server)
        #expect(first.status == 301 && first.error == nil)
        #expect(first.values("Location") == ["http://www.hostile.lab/1"])
        let (second, _) = try Self.get(server, path: "/1")
        #expect(second.values("Location") == ["http://www.hostile.lab/2"], "the chain goes on for ever")
        #expect(server.requestsAnswered == 2, "one request per exchange, no hop followed")
        #expect(elapsed < Self.slack)
    }

    /// An SSH banner on port 80: recognised as not HTTP from its first bytes, without
    /// waiting for the time cap.
    @Test(.timeLimit(.minutes(1)))
    func anSSHBannerIsNotHTTPAtOnce() throws {
        let server = try HostileHTTPServer(.notHTTP)
        defer { server.stop() }
        let (exchange, elapsed) = try Self.get(server)
        #expect(exchange.status == nil)
        #expect(exchange.error?.hasPrefix("not HTTP: the answer starts \"SSH-2.0-OpenSSH_9.2p1") == true, "\(exchange.error ?? "-")")
        #expect(elapsed < Self.slack)
    }

    /// Random bytes and control characters in the evidence are escaped, never copied.
    @Test func evidenceOfANonHTTPAnswerIsPrintable() {
        #expect(HTTPResponseHead.notHTTP([0x16, 0x03, 0x01, 0x00, 0x22]) == "not HTTP: the answer starts \"\\x16\\x03\\x01\\x00\\x22\"")
        #expect(HTTPResponseHead.notHTTP(Array("HTT".utf8)) == nil, "a prefix of HTTP/ may still be HTTP")
        #expect(HTTPResponseHead.notHTTP(Array("HTTP/1.1 200".utf8)) == nil)
        #expect(HTTPResponseHead.notHTTP(Array("\"<x>\\".utf8)) == "not HTTP: the answer starts \"\\x22<x>\\x5C\"")
        #expect(HTTPResponseHead.endOfHead(Array("HTTP/1.1 200 OK\r\n\r\n".utf8), from: 17) == 19, "the end is found across the seam")
    }
}
