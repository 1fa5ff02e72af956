import Foundation
import Telemetry
import XCTest

/// The pure parts of the endpoint (address, health, routes) and the NIO listener on loopback.
final class TelemetryEndpointTests: XCTestCase {
    func testAddressTakesLiteralIPv4AndBracketedIPv6AndRefusesNamesAndBadPorts() throws {
        let v4 = try XCTUnwrap(MetricsAddress("127.0.0.1:9464"))
        XCTAssertEqual(v4.host, "127.0.0.1")
        XCTAssertEqual(v4.port, 9464)
        let v6 = try XCTUnwrap(MetricsAddress("[::1]:9465"))
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.port, 9465)
        XCTAssertEqual(v6.description, "[::1]:9465")
        XCTAssertEqual(MetricsAddress("198.18.0.2:1")?.description, "198.18.0.2:1")
        for bad in ["localhost:9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:9464", "[::1]9464", "[nope]:1",
                    "127.0.0.1:+80", ":9464", "127.0.0.1:9464 ", "[127.0.0.1]:80"] {
            XCTAssertNil(MetricsAddress(bad), bad)
        }
    }

    func testHealthIsOneLineOfJSONAndUnhealthyWhenACheckFails() throws {
        let ok = Health(checks: ["database": true], uptimeSeconds: 12.345)
        XCTAssertEqual(ok.json, #"{"checks":{"database":true},"status":"ok","uptime_seconds":12.3}"#)
        XCTAssertEqual(ok.httpStatus, 200)
        let down = Health(checks: ["coordinator": false, "a\"b": true], uptimeSeconds: 0)
        XCTAssertEqual(down.json, #"{"checks":{"a\"b":true,"coordinator":false},"status":"unhealthy","uptime_seconds":0.0}"#)
        XCTAssertEqual(down.httpStatus, 503)
        let parsed = try JSONSerialization.jsonObject(with: Data(down.json.utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["status"] as? String, "unhealthy")
        XCTAssertFalse(ok.json.contains("\n"))
    }

    func testRoutesAnswerMetricsAndHealthAndNothingElse() {
        let routes = TelemetryRoutes(metrics: { Array("m 1\n".utf8) }, health: { Health(checks: ["coordinator": false], uptimeSeconds: 1) })
        let metrics = routes.answer(method: "GET", uri: "/metrics?x=1")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.contentType, TelemetryRoutes.prometheusContentType)
        XCTAssertEqual(String(decoding: metrics.body, as: UTF8.self), "m 1\n")
        let health = routes.answer(method: "GET", uri: "/health")
        XCTAssertEqual(health.status, 503)
        XCTAssertEqual(health.contentType, "application/json")
        XCTAssertEqual(routes.answer(method: "GET", uri: "/").status, 404)
        XCTAssertEqual(routes.answer(method: "GET", uri: "/metrics/../etc").status, 404)
        XCTAssertEqual(routes.answer(method: "POST", uri: "/metrics").status, 405)
    }

    func testServerOnLoopbackAnswersAndRefusesABodyOverTheLimit() async throws {
        let routes = TelemetryRoutes(metrics: { Array("peil_up 1\n".utf8) }, health: { Health(checks: ["database": true], uptimeSeconds: 2) })
        let server = try await TelemetryServer.start(host: "127.0.0.1", port: 0, routes: routes)
        XCTAssertGreaterThan(server.port, 0)

        let metrics = try HTTPExchange.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
        XCTAssertTrue(metrics.hasPrefix("HTTP/1.1 200 OK\r\n"), metrics)
        XCTAssertTrue(metrics.contains("Content-Type: text/plain; version=0.0.4"), metrics)
        XCTAssertTrue(metrics.hasSuffix("\r\n\r\npeil_up 1\n"), metrics)

        let health = try HTTPExchange.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
        XCTAssertTrue(health.hasSuffix(#"{"checks":{"database":true},"status":"ok","uptime_seconds":2.0}"# + "\n"), health)

        let body = String(repeating: "x", count: TelemetryServer.maximumBodyBytes + 1)
        let large = try HTTPExchange.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n\(body)", port: server.port)
        XCTAssertTrue(large.hasPrefix("HTTP/1.1 413"), large)
        XCTAssertFalse(large.contains("peil_up"), large)
        await server.stop()
    }

    func testServerRefusesAnAddressThatIsNotLocal() async {
        // 192.0.2.1 (TEST-NET-1) is on no interface here: binding it fails rather than listening elsewhere.
        do {
            let server = try await TelemetryServer.start(host: "192.0.2.1", port: 0, routes: TelemetryRoutes(metrics: { [] }, health: {
                Health(checks: [:], uptimeSeconds: 0)
            }))
            await server.stop()
            XCTFail("bound an address that is not on this host")
        } catch {}
    }
}

/// One request over a plain loopback TCP socket; the whole answer (the server closes after it).
enum HTTPExchange {
    static func send(_ request: String, port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            answer += buffer[..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
