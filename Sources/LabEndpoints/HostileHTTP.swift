import Foundation
import Synchronization

/// What a hostile plain-HTTP port (80) does (the lab's hostile zoo).
public enum HostileHTTPBehaviour: String, Codable, Sendable, Hashable, CaseIterable {
    /// Slowloris: after the request, a status line and header bytes one per second, for ever
    /// (the head never ends; the connection is dropped after ``HostileHTTP/holdSeconds``).
    case slowloris
    /// A head that never ends in time: header lines as fast as the client reads, up to
    /// ``HostileHTTP/endlessHeadBytes`` (10 MB) before the blank line.
    case endlessHead = "endless-head"
    /// An endless redirect chain: every request is answered `301` to a new URL on the same
    /// host (`/` → `/1` → `/2` …).
    case redirectLoop = "redirect-loop"
    /// Not HTTP at all: an SSH banner on connect, a complaint about the request, then close.
    case notHTTP = "not-http"
}

/// The hostile HTTP conversations, on a connected socket. Each reads at most one request
/// head (``maxRequest`` bytes) and holds a connection at most ``holdSeconds``.
enum HostileHTTP {
    static let holdSeconds = 120
    static let maxRequest = 8_192
    static let endlessHeadBytes = 10_000_000
    /// What the not-HTTP port says first (an OpenSSH banner).
    static let sshBanner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"

    /// Runs `behaviour` on `descriptor` and closes it; `answered` counts the requests answered.
    static func serve(_ descriptor: Int32, _ behaviour: HostileHTTPBehaviour, answered: RequestCounter? = nil) {
        defer { close(descriptor) }
        EndpointSockets.setTimeouts(descriptor, seconds: 10)
        if behaviour == .notHTTP {
            guard HostileTLS.send(descriptor, Array(sshBanner.utf8)), readRequest(descriptor) != nil else { return }
            _ = HostileTLS.send(descriptor, Array("Invalid SSH identification string.\r\n".utf8))
            return
        }
        guard let request = readRequest(descriptor) else { return }
        answered?.count()
        switch behaviour {
        case .slowloris:
            let end = Date().addingTimeInterval(TimeInterval(holdSeconds))
            let trickle = Array("HTTP/1.1 200 OK\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: holdSeconds)
            for byte in trickle where Date() < end {
                guard HostileTLS.send(descriptor, [byte]) else { return }
                sleep(1)
            }
        case .endlessHead:
            let line = Array("X-Filler: ".utf8) + Array(repeating: UInt8(ascii: "b"), count: 1_014) + [13, 10]
            guard HostileTLS.send(descriptor, Array("HTTP/1.1 200 OK\r\n".utf8)) else { return }
            var sent = 0
            while sent < endlessHeadBytes, HostileTLS.send(descriptor, line) { sent += line.count }
        case .redirectLoop:
            let (host, path) = hostAndPath(request)
            let next = (Int(path.dropFirst()) ?? 0) + 1
            let answer = "HTTP/1.1 301 Moved Permanently\r\nLocation: http://\(host)/\(next)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = HostileTLS.send(descriptor, Array(answer.utf8))
        case .notHTTP:
            break
        }
    }

    /// A request head (to its blank line); nil on close, timeout, or more than ``maxRequest`` bytes.
    static func readRequest(_ descriptor: Int32) -> [UInt8]? {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2_048)
        while request.count < maxRequest {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            request += chunk[..<count]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { return request }
        }
        return nil
    }

    /// The `Host` field (else "localhost") and the path of a request head.
    static func hostAndPath(_ request: [UInt8]) -> (host: String, path: String) {
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let host = lines.dropFirst().first { $0.lowercased().hasPrefix("host:") }
            .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) } ?? "localhost"
        return (host.isEmpty ? "localhost" : host, path)
    }
}

/// A loopback server (127.0.0.1, a port the kernel picks) with one hostile HTTP behaviour, for
/// tests; counts the requests it answered. Stopped by `stop()`.
public final class HostileHTTPServer: Sendable {
    public let behaviour: HostileHTTPBehaviour
    private let server: HostileLoopbackServer
    private let answered = RequestCounter()
    public var port: UInt16 { server.port }
    /// Requests read and answered (the not-HTTP port answers none).
    public var requestsAnswered: Int { answered.value }

    public init(_ behaviour: HostileHTTPBehaviour) throws {
        self.behaviour = behaviour
        let answered = self.answered
        server = try HostileLoopbackServer(name: "hostile-http-\(behaviour.rawValue)") { HostileHTTP.serve($0, behaviour, answered: answered) }
    }

    /// Stops accepting (connections being held end on their own).
    public func stop() { server.stop() }
}

/// Requests answered, counted from any thread.
final class RequestCounter: Sendable {
    private let answered = Atomic<Int>(0)
    func count() { answered.add(1, ordering: .relaxed) }
    var value: Int { answered.load(ordering: .relaxed) }
}

extension EndpointPortMode {
    /// The hostile HTTP behaviour of this mode, if it is one.
    public var hostileHTTP: HostileHTTPBehaviour? {
        switch self {
        case .httpSlowloris: .slowloris
        case .httpEndlessHead: .endlessHead
        case .httpRedirectLoop: .redirectLoop
        case .httpNotHTTP: .notHTTP
        default: nil
        }
    }
}
