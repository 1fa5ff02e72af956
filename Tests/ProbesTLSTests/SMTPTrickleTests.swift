import Foundation
import Testing
@testable import Probes

/// A reply trickled a byte at a time is read whole: the reader's caps are in lines and bytes,
/// and the reply's timeout bounds its time, not the number of reads (before, a reply that
/// took more than 400 reads was cut as "reply too long").
@Suite("SMTP reply trickled byte by byte")
struct SMTPTrickleTests {
    @Test(.timeLimit(.minutes(1)))
    func aTrickledEHLOReplyIsReadWhole() throws {
        let listener = try SilentListener()
        let ehlo = (0..<30).map { "250-trickle.test extension \($0)\r\n" }.joined() + "250 8BITMIME\r\n"
        Thread.detachNewThread {
            let client = accept(listener.fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            func send(_ text: String, trickle: Bool) {
                for byte in Array(text.utf8) {
                    var value = byte
                    guard Glibc.send(client, &value, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                    if trickle { usleep(500) }
                }
            }
            send("220 trickle.test ESMTP\r\n", trickle: false)
            var buffer = [UInt8](repeating: 0, count: 512)
            guard buffer.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 else { return }
            send(ehlo, trickle: true)
            _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }  // QUIT
        }
        #expect(ehlo.utf8.count > 400, "more bytes than the old read cap")
        let stream = try TCPStream.connect(address: "127.0.0.1", port: listener.port, deadline: .now + .seconds(2))
        defer { stream.close() }
        #expect(throws: SMTPStartTLS.Failure.noStartTLS("STARTTLS not offered")) {
            try SMTPStartTLS.negotiate(over: stream, ehloName: "peil.test", replyTimeout: .seconds(20))
        }
    }
}
