import Foundation
import XCTest
@testable import Wire

/// A ROUTER with CURVE and the ZAP allow-list, and DEALERs with allowed and unknown keys,
/// over a real TCP socket on loopback, all set up through Wire's typed CURVE socket factories.
final class CurveAuthenticationTests: XCTestCase {
    func testAllowListedKeyIsAdmittedAndNamedUnknownKeyIsRefused() throws {
        let server = try CurveKeyPair.generate()
        let allowed = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let context = try ZMQContext()
        defer { context.terminate() }
        let allowedKey = allowed.publicKey
        let authenticator = try ZAPAuthenticator(context: context) { $0 == allowedKey }
        defer { authenticator.socket.close() }
        let router = try ZMQSocket.curveServerRouter(context: context, options: CurveServerOptions(secretKey: server.secretKey))
        defer { router.close() }
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()

        func dealer(_ pair: CurveKeyPair) throws -> (ZMQSocket, HandshakeMonitor) {
            let options = CurveClientOptions(serverPublicKey: server.publicKey, keyPair: pair, routingID: "dealer-\(pair.publicKey.prefix(4))")
            let socket = try ZMQSocket.curveClientDealer(context: context, options: options)
            let monitor = try HandshakeMonitor(context: context, watching: socket, name: UUID().uuidString)
            try socket.connect(endpoint)
            return (socket, monitor)
        }
        let (good, goodMonitor) = try dealer(allowed)
        let (bad, badMonitor) = try dealer(stranger)
        defer { good.close(); bad.close(); goodMonitor.socket.close(); badMonitor.socket.close() }

        var goodEvents: [HandshakeMonitor.Event] = [], badEvents: [HandshakeMonitor.Event] = []
        var received: [(frames: [Data], userID: String?)] = []
        let deadline = Date().addingTimeInterval(10)
        var sentGood = false, sentBad = false
        while Date() < deadline, received.isEmpty || !badEvents.contains(.authenticationRefused) {
            if !sentGood { sentGood = (try? good.send([Data("HEARTBEAT".utf8), Data()])) != nil }
            if !sentBad { sentBad = (try? bad.send([Data("HEARTBEAT".utf8), Data()])) != nil }
            let ready = try ZMQSocket.poll([router, authenticator.socket, goodMonitor.socket, badMonitor.socket], timeout: .milliseconds(50))
            if ready.contains(1) { try authenticator.handlePending() }
            if ready.contains(0) { while let message = try router.receive() { received.append(message) } }
            goodEvents += try goodMonitor.pendingEvents()
            badEvents += try badMonitor.pendingEvents()
        }
        XCTAssertTrue(goodEvents.contains(.handshakeSucceeded))
        XCTAssertTrue(badEvents.contains(.authenticationRefused))
        XCTAssertEqual(authenticator.refusals.recent, [stranger.publicKey])
        XCTAssertEqual(received.count, 1, "only the allow-listed dealer's message arrives")
        XCTAssertEqual(received.first?.userID, allowed.publicKey)
        XCTAssertEqual(received.first?.frames.first, Data("dealer-\(allowed.publicKey.prefix(4))".utf8), "the routing id set on the dealer")
        XCTAssertEqual(received.first?.frames.dropFirst().first, Data("HEARTBEAT".utf8))
    }
}
