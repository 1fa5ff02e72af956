import Foundation
@testable import Probes

/// A loopback SMTP server for the STARTTLS tests: it speaks the preamble itself and, after
/// its "220 ready", relays the connection to a TLS backend (an `openssl s_server`), so every
/// raw hello and OpenSSL handshake of a mail scan meets a real TLS stack. One thread per
/// connection; every wait is bounded; `stop()` ends the accept loop.
final class SMTPTestServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// Offers STARTTLS and relays to the backend port.
        case relay(backend: UInt16)
        /// EHLO lists no STARTTLS.
        case noStartTLS
        /// "220 ready" and a plaintext line in the same write.
        case plaintextAfterReady
        /// 454 to STARTTLS.
        case temporaryFailure
    }

    let port: UInt16
    private let listener: SilentListener
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var stopped = false
    /// Commands per connection, in the order the connections were accepted: each
    /// connection has its own thread, so one log across them would interleave.
    private var commandLog: [[String]] = []

    init(_ behaviour: Behaviour) throws {
        listener = try SilentListener()
        port = listener.port
        self.behaviour = behaviour
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Commands received so far (first word, upper-cased), connection by connection.
    var commands: [String] { lock.withLock { commandLog.flatMap { $0 } } }

    /// The commands once `count` have arrived or two seconds have passed (the client may be
    /// done before this server's thread has read its last line).
    func commands(awaiting count: Int) -> [String] {
        for _ in 0..<100 where commands.count < count { Thread.sleep(forTimeInterval: 0.02) }
        return commands
    }

    func stop() { lock.withLock { stopped = true } }

    deinit { stop() }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        for _ in 0..<6_000 where !isStopped {  // at most ten minutes
            var entry = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let client = accept(listener.fd, nil, nil)
            guard client >= 0 else { continue }
            let connection = lock.withLock { commandLog.append([]); return commandLog.count - 1 }
            Thread.detachNewThread { [self] in
                serve(client, connection)
                close(client)
            }
        }
    }

    private func serve(_ client: Int32, _ connection: Int) {
        let note = { (line: String) -> String in self.note(line, connection) }
        guard send(client, "220 smtp.test ESMTP\r\n"), let ehlo = line(client), note(ehlo) == "EHLO" else { return }
        let capabilities = { () -> String in
            if case .noStartTLS = self.behaviour { return "250-smtp.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n" }
            return "250-smtp.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
        }()
        guard send(client, capabilities), let command = line(client) else { return }
        switch (note(command), behaviour) {
        case ("STARTTLS", .relay(let backend)):
            guard send(client, "220 2.0.0 Ready to start TLS\r\n") else { return }
            relay(client, backend)
        case ("STARTTLS", .plaintextAfterReady):
            _ = send(client, "220 2.0.0 Ready to start TLS\r\n250 injected\r\n")
        case ("STARTTLS", .temporaryFailure):
            guard send(client, "454 4.7.0 TLS not available due to temporary reason\r\n"), let next = line(client) else { return }
            if note(next) == "QUIT" { _ = send(client, "221 bye\r\n") }
        case ("QUIT", _):
            _ = send(client, "221 bye\r\n")
        default:
            _ = send(client, "502 unexpected\r\n")
        }
    }

    private func note(_ line: String, _ connection: Int) -> String {
        let word = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
        lock.withLock { commandLog[connection].append(word) }
        return word
    }

    /// Copies bytes both ways between the client and the backend until either closes (≤ 30 s).
    private func relay(_ client: Int32, _ backendPort: UInt16) {
        guard let backend = try? TCPStream.connect(address: "127.0.0.1", port: backendPort, deadline: .now + .seconds(2)) else { return }
        defer { backend.close() }
        let end = ContinuousClock.now + .seconds(30)
        var buffer = [UInt8](repeating: 0, count: 16_384)
        for _ in 0..<100_000 where ContinuousClock.now < end {
            var entries = [pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: backend.descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&entries, 2, 100) >= 0 else { return }
            if entries[0].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                guard count > 0, (try? backend.write(Array(buffer[0..<count]), deadline: .now + .seconds(5))) != nil else { return }
            }
            if entries[1].revents != 0 {
                guard let bytes = try? backend.read(max: 16_384, deadline: .now + .seconds(5)), !bytes.isEmpty,
                      bytes.withUnsafeBytes({ Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
                    return
                }
            }
        }
    }

    private func send(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// One line (without CRLF), read byte by byte within five seconds; nil on close or timeout.
    private func line(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        let end = ContinuousClock.now + .seconds(5)
        while bytes.count < 1_000, ContinuousClock.now < end {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) >= 0 else { return nil }
            guard entry.revents != 0 else { continue }
            var byte: UInt8 = 0
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            if byte == 0x0A { return String(decoding: bytes.filter { $0 != 0x0D }, as: UTF8.self) }
            bytes.append(byte)
        }
        return nil
    }
}
