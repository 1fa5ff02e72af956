import CZeroMQ
import Foundation
import XCTest
@testable import Wire

/// Transport limits: message size, high-water marks, heartbeats; refused keys in bounded memory
/// and rate-limited logs; hostile numbers in message bodies.
final class WireLimitsTests: XCTestCase {
    func testBothEndsCarryTheLimits() throws {
        let server = try CurveKeyPair.generate()
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket.curveServerRouter(context: context, options: CurveServerOptions(secretKey: server.secretKey))
        let dealer = try ZMQSocket.curveClientDealer(context: context, options: CurveClientOptions(serverPublicKey: server.publicKey, keyPair: try CurveKeyPair.generate()))
        defer { router.close(); dealer.close() }
        for socket in [router, dealer] {
            XCTAssertEqual(try socket.int64Option(ZMQ_MAXMSGSIZE), WireLimits.maximumMessageBytes)
            XCTAssertEqual(try socket.intOption(ZMQ_RCVHWM), WireLimits.receiveHighWaterMark)
            XCTAssertEqual(try socket.intOption(ZMQ_SNDHWM), WireLimits.sendHighWaterMark)
            XCTAssertEqual(try socket.intOption(ZMQ_HANDSHAKE_IVL), WireLimits.handshakeMilliseconds)
        }
        XCTAssertEqual(try dealer.intOption(ZMQ_HEARTBEAT_IVL), WireLimits.heartbeatIntervalMilliseconds)
        XCTAssertEqual(try dealer.intOption(ZMQ_HEARTBEAT_TIMEOUT), WireLimits.heartbeatTimeoutMilliseconds)
        XCTAssertEqual(try router.intOption(ZMQ_HEARTBEAT_IVL), 0, "the ROUTER sends no ZMTP heartbeats (libzmq 4.3.4 can abort on one)")
        XCTAssertEqual(try router.intOption(ZMQ_TCP_KEEPALIVE), 1)
        XCTAssertEqual(try router.intOption(ZMQ_TCP_KEEPALIVE_IDLE), WireLimits.keepaliveIdleSeconds)
        XCTAssertGreaterThan(WireLimits.maximumMessageBytes, 8 << 20 + 64 << 10, "room for the largest accepted observation")
    }

    func testAnOversizedMessageIsDroppedAndTheNextOneStillArrives() throws {
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let context = try ZMQContext()
        defer { context.terminate() }
        let clientKey = client.publicKey
        let authenticator = try ZAPAuthenticator(context: context) { $0 == clientKey }
        let router = try ZMQSocket.curveServerRouter(context: context, options: CurveServerOptions(secretKey: server.secretKey))
        let dealer = try ZMQSocket.curveClientDealer(context: context, options: CurveClientOptions(serverPublicKey: server.publicKey, keyPair: client))
        defer { authenticator.socket.close(); router.close(); dealer.close() }
        try router.bind("tcp://127.0.0.1:*")
        try dealer.connect(try router.lastEndpoint())

        let huge = Data(count: Int(WireLimits.maximumMessageBytes) + 1)
        try dealer.send([Data("RESULT".utf8), huge], dontWait: false)
        var received: [[Data]] = []
        let deadline = Date().addingTimeInterval(10)
        var rounds = 0
        while Date() < deadline, !received.contains(where: { $0.last == Data("small".utf8) }), rounds < 1000 {
            rounds += 1
            if rounds % 5 == 0 { try? dealer.send([Data("HEARTBEAT".utf8), Data("small".utf8)]) }
            let ready = try ZMQSocket.poll([router, authenticator.socket], timeout: .milliseconds(20))
            if ready.contains(1) { try authenticator.handlePending() }
            if ready.contains(0) { while let message = try router.receive() { received.append(message.frames) } }
        }
        XCTAssertFalse(received.contains { $0.contains(huge) }, "the oversized message never reached the coordinator")
        XCTAssertTrue(received.contains { $0.last == Data("small".utf8) }, "the connection recovered")
    }

    /// libzmq 4.3.4 aborts (`!_io_error`, stream_engine_base.cpp) when a ZMTP heartbeat is due on
    /// a connection whose peer hung up while its receive queue was full: one agent that floods,
    /// then exits, would stop the coordinator. The coordinator's ROUTER sends no ZMTP heartbeats.
    func testAPeerThatFloodsAndHangsUpDoesNotAbortTheRouter() throws {
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let context = try ZMQContext()
        defer { context.terminate() }
        let clientKey = client.publicKey
        let authenticator = try ZAPAuthenticator(context: context) { $0 == clientKey }
        let router = try ZMQSocket.curveServerRouter(context: context, options: CurveServerOptions(secretKey: server.secretKey))
        defer { authenticator.socket.close(); router.close() }
        let socketPath = FileManager.default.temporaryDirectory.appendingPathComponent("peil-wire-\(getpid()).sock").path
        defer { try? FileManager.default.removeItem(atPath: socketPath) }
        try router.bind("ipc://\(socketPath)")
        let dealer = try ZMQSocket.curveClientDealer(context: context, options: CurveClientOptions(serverPublicKey: server.publicKey, keyPair: client))
        try dealer.connect("ipc://\(socketPath)")
        // Admitted, then flooded until the router's queue for it is full (the router reads nothing).
        var sent = 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, sent < 20_000 {
            if try ZMQSocket.poll([authenticator.socket], timeout: .milliseconds(1)).contains(0) { try authenticator.handlePending() }
            do {
                try dealer.send([Data("HEARTBEAT".utf8), Data()])
                sent += 1
            } catch let error as ZMQError where error.isTransient {
                if sent > 0 { break }
            }
        }
        XCTAssertGreaterThan(sent, Int(WireLimits.receiveHighWaterMark), "the router's queue filled")
        dealer.close()
        // The hang-up is seen while the queue is full; then more than a heartbeat interval passes.
        Thread.sleep(forTimeInterval: Double(WireLimits.heartbeatIntervalMilliseconds) / 1000 * 1.5)
        var received = 0
        while let _ = try router.receive() { received += 1 }
        XCTAssertGreaterThan(received, 0, "the router is still there and reads what was queued")
    }

    func testRefusedKeysCostBoundedMemory() {
        var refused = RefusedKeys(capacity: 16)
        var new = 0
        for index in 0..<100_000 where refused.record("key-\(index % 50_000)") { new += 1 }
        XCTAssertEqual(refused.total, 100_000)
        XCTAssertEqual(refused.recent.count, 16)
        XCTAssertEqual(refused.recent.last, "key-49999")
        XCTAssertEqual(new, 100_000, "keys long gone from the ring count as new")
        XCTAssertFalse(refused.record("key-49999"), "a key seen just now is not logged again")
    }

    func testRefusalLogsAreRateLimited() {
        var log = RateLimitedLog(linesPerWindow: 3, window: .seconds(60))
        let start = ContinuousClock.now
        let decisions = (0..<10_000).map { log.admit(now: start + .milliseconds($0)) }
        XCTAssertEqual(decisions.filter { $0 != .suppress }.count, 3)
        XCTAssertEqual(log.admit(now: start + .seconds(61)), .log(suppressed: 9_997), "the next window says how many were left out")
        XCTAssertEqual(log.admit(now: start + .seconds(62)), .log(suppressed: 0))
    }

    func testHostileNumbersDecodeOrFailButNeverTrap() throws {
        func frames(_ kind: String, _ body: String) -> [Data] { [Data(kind.utf8), Data(body.utf8)] }
        XCTAssertEqual(try WireMessage(frames: frames("READY", #"{"credits":9223372036854775807}"#)), .ready(credits: Int.max))
        XCTAssertEqual(try WireMessage(frames: frames("READY", #"{"credits":-9223372036854775808}"#)), .ready(credits: Int.min))
        for body in [#"{"credits":1e30}"#, #"{"credits":9223372036854775808}"#, #"{"credits":1.5}"#, #"{"credits":"many"}"#] {
            XCTAssertThrowsError(try WireMessage(frames: frames("READY", body)), body)
        }
        XCTAssertThrowsError(try WireMessage(frames: frames("RESULT", #"{"taskID":1e40,"attempt":1,"outcome":"completed"}"#)))
        let report = try WireMessage(frames: frames("RESULT", #"{"taskID":-9223372036854775808,"attempt":-1,"outcome":"timeout"}"#))
        guard case .result(let decoded) = report else { return XCTFail("\(report)") }
        XCTAssertEqual(decoded.attempt, -1, "decoded as sent: the coordinator refuses it")
    }
}
