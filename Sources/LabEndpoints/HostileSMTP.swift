import Foundation

/// What a hostile SMTP port does (the lab's hostile zoo, mail side).
public enum HostileSMTPBehaviour: String, Codable, Sendable, Hashable, CaseIterable {
    /// The greeting comes after ``slowGreetingDelay`` (anti-spam greet pause),
    /// then a plain session whose EHLO offers no STARTTLS: a slow server that still answers.
    case slowGreeting
    /// A greeting, then an EHLO reply of `250-` lines that never ends (until the client
    /// leaves, a send fails or ``HostileSMTP/holdSeconds`` pass).
    case endlessReply
    /// `421` on every connection, then close: the service is not available.
    case unavailable
    /// A greeting and an EHLO reply with a NUL byte in their text; EHLO offers no STARTTLS.
    case nulBanner
    /// STARTTLS offered and answered `220`, then the ClientHello is answered in plaintext
    /// (`500` as if it were a command), as a broken server does.
    case plaintextAfterStartTLS

    /// How long a `slowGreeting` port waits before its greeting in the lab: just inside the
    /// probe's 30 s reply timeout (the zoo's "29 s greeting delay").
    public static let slowGreetingDelay: Duration = .seconds(29)
}

/// The hostile SMTP conversations, on a connected socket: each reads at most a few short
/// commands and holds a connection at most ``holdSeconds``.
enum HostileSMTP {
    /// Longest a connection is held (an endless reply stops sending then).
    static let holdSeconds = 120
    /// Longest command line read.
    static let maxLine = 1_000

    /// Runs `behaviour` on `descriptor` and closes it; `greetingDelay` is the pause of `slowGreeting`.
    static func serve(_ descriptor: Int32, _ behaviour: HostileSMTPBehaviour, greetingDelay: Duration = HostileSMTPBehaviour.slowGreetingDelay) {
        defer { close(descriptor) }
        EndpointSockets.setTimeouts(descriptor, seconds: 10)
        switch behaviour {
        case .slowGreeting:
            Thread.sleep(forTimeInterval: seconds(greetingDelay))
            plainSession(descriptor, banner: "220 slow.lab ESMTP peil-lab\r\n", ehlo: "250-slow.lab\r\n250 8BITMIME\r\n")
        case .endlessReply:
            guard send(descriptor, "220 endless.lab ESMTP peil-lab\r\n"), command(descriptor) != nil else { return }
            let end = Date().addingTimeInterval(TimeInterval(holdSeconds))
            var line = 0
            while Date() < end, send(descriptor, "250-endless.lab extension \(line)\r\n") { line += 1 }
        case .unavailable:
            _ = send(descriptor, "421 4.3.2 unavailable.lab Service not available, closing transmission channel\r\n")
        case .nulBanner:
            plainSession(descriptor, banner: "220 nul.lab ESMTP \u{0}peil-lab\r\n", ehlo: "250-nul.lab\u{0}greets you\r\n250 8BITMIME\r\n")
        case .plaintextAfterStartTLS:
            guard send(descriptor, "220 plain.lab ESMTP peil-lab\r\n"), command(descriptor) == "EHLO",
                  send(descriptor, "250-plain.lab\r\n250-STARTTLS\r\n250 8BITMIME\r\n"), command(descriptor) == "STARTTLS",
                  send(descriptor, "220 2.0.0 Ready to start TLS\r\n") else { return }
            // Wait for the ClientHello, so the plaintext cannot arrive with the 220.
            var chunk = [UInt8](repeating: 0, count: 4_096)
            guard chunk.withUnsafeMutableBytes({ recv(descriptor, $0.baseAddress, $0.count, 0) }) > 0 else { return }
            _ = send(descriptor, "500 5.5.2 Error: command not recognized\r\n")
        }
    }

    /// Banner, EHLO answered with `ehlo`, QUIT answered; anything else ends the session.
    static func plainSession(_ descriptor: Int32, banner: String, ehlo: String) {
        guard send(descriptor, banner), command(descriptor) == "EHLO", send(descriptor, ehlo) else { return }
        if command(descriptor) == "QUIT" { _ = send(descriptor, "221 2.0.0 Bye\r\n") }
    }

    /// The verb of the next command line (upper-cased); nil on close, timeout or an overlong line.
    static func command(_ descriptor: Int32) -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < maxLine {
            guard recv(descriptor, &byte, 1, 0) == 1 else { return nil }
            if byte == 0x0A { break }
            if byte != 0x0D { line.append(byte) }
        }
        return String(decoding: line, as: UTF8.self).split(separator: " ").first.map { $0.uppercased() } ?? ""
    }

    static func send(_ descriptor: Int32, _ text: String) -> Bool {
        HostileTLS.send(descriptor, Array(text.utf8))
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A loopback server (127.0.0.1, a port the kernel picks) with one hostile SMTP behaviour, for
/// tests (a ``HostileLoopbackServer``); it counts the connections it accepted. Stopped by `stop()`.
public final class HostileSMTPServer: Sendable {
    public let behaviour: HostileSMTPBehaviour
    private let server: HostileLoopbackServer
    public var port: UInt16 { server.port }
    /// Connections accepted so far.
    public var connections: Int { server.connections }

    /// - Parameter greetingDelay: the pause of `slowGreeting` (tests scale it down).
    public init(_ behaviour: HostileSMTPBehaviour, greetingDelay: Duration = HostileSMTPBehaviour.slowGreetingDelay) throws {
        self.behaviour = behaviour
        server = try HostileLoopbackServer(name: "hostile-smtp-\(behaviour.rawValue)") {
            HostileSMTP.serve($0, behaviour, greetingDelay: greetingDelay)
        }
    }

    /// Stops accepting (connections being served end on their own).
    public func stop() { server.stop() }
}
