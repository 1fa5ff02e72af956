import PeilTestSupport
import Testing
@testable import Probes

/// Waiting for a TLS 1.3 session ticket (the early-data probe's input) against `openssl
/// s_server`: the wait ends when a ticket arrives, not at its deadline.
@Suite("TLS 1.3 session ticket wait", .serialized, .blockingWork)
struct SessionTicketTests {
    static func connect(_ server: OpenSSLServer) throws -> TLSStream {
        let deadline = ContinuousClock.now + .seconds(5)
        let tcp = try TCPStream.connect(address: "127.0.0.1", port: server.port, deadline: deadline)
        return try TLSStream.handshake(over: tcp, serverName: "localhost", deadline: deadline,
                                       options: TLSClientOptions(minVersion: .tls13, maxVersion: .tls13))
    }

    /// nginx and `s_server` send their tickets right after the handshake: the scan used to
    /// read on until the 2 s deadline (2 s of every TLS 1.3 web scan's wall time).
    @Test(.timeLimit(.minutes(1)))
    func ticketIsTakenAsSoonAsItArrives() throws {
        let server = try OpenSSLServer(["-tls1_3"])
        defer { server.stop() }
        let stream = try Self.connect(server)
        defer { stream.close() }
        let clock = ContinuousClock()
        let started = clock.now
        let session = stream.resumableSession(waitingUntil: started + .seconds(5))
        #expect(session != nil)
        #expect(clock.now - started < .seconds(1), "returned once the ticket was read")
    }

    @Test(.timeLimit(.minutes(1)))
    func noTicketMeansNilAtTheDeadline() throws {
        let server = try OpenSSLServer(["-tls1_3", "-num_tickets", "0"])
        defer { server.stop() }
        let stream = try Self.connect(server)
        defer { stream.close() }
        let clock = ContinuousClock()
        let started = clock.now
        #expect(stream.resumableSession(waitingUntil: started + .milliseconds(300)) == nil)
        #expect(clock.now - started >= .milliseconds(300))
    }
}
