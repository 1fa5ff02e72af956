import Foundation
import PeilModel

/// Bounds on one HTTP exchange.
public struct HTTPLimits: Sendable, Hashable {
    public var timeout: Duration
    /// The response head must fit in this many bytes.
    public var maxHeadBytes: Int
    public init(timeout: Duration = .seconds(10), maxHeadBytes: Int = 32_768) {
        self.timeout = timeout
        self.maxHeadBytes = maxHeadBytes
    }
}

/// One `GET` without following redirects: the status and the header fields, which is what the
/// HTTPS redirect, HSTS and security-header checks read.
public enum HTTPClient {
    /// Sends `GET path` with `Host: host` over `transport` and reads the response head.
    public static func get(url: String, host: String, path: String = "/", over transport: any ByteStream,
                           limits: HTTPLimits = HTTPLimits(), userAgent: String = "peil/\(PeilVersion.current)") -> HTTPExchange {
        let deadline = ContinuousClock.now + limits.timeout
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        do {
            try transport.write(Array(request.utf8), deadline: deadline)
            var received: [UInt8] = []
            for _ in 0..<1_000 {
                if let end = HTTPResponseHead.endOfHead(received) {
                    var exchange = HTTPResponseHead.parse(Array(received[..<end]), url: url)
                    exchange.bodyBytes = received.count - end
                    return exchange
                }
                guard received.count < limits.maxHeadBytes else {
                    return HTTPExchange(url: url, error: "response head longer than \(limits.maxHeadBytes) bytes")
                }
                let chunk = try transport.read(max: 16_384, deadline: deadline)
                if chunk.isEmpty {
                    return HTTPExchange(url: url, error: received.isEmpty ? "closed without a response" : "closed inside the response head")
                }
                received += chunk
            }
            return HTTPExchange(url: url, error: "response head not complete")
        } catch {
            return HTTPExchange(url: url, error: "\(error)")
        }
    }
}

/// Parses an HTTP/1.x response head (status line and header fields).
public enum HTTPResponseHead {
    /// The index just past the blank line that ends the head, if it was received.
    public static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 10 {
            if bytes[index - 1] == 10 { return index + 1 }  // bare LF LF
            if bytes[index - 1] == 13, bytes[index - 2] == 10 { return index + 1 }
        }
        return nil
    }

    /// The status and headers of `head`; an exchange with `error` when the status line is not HTTP.
    public static func parse(_ head: [UInt8], url: String) -> HTTPExchange {
        // Split on bytes: as Characters, "\r\n" is one grapheme and never equals "\n".
        var lines = head.split(separator: 10, omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == 13 ? $0.dropLast() : $0, as: UTF8.self) }
        guard let statusLine = lines.first else { return HTTPExchange(url: url, error: "empty response") }
        lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]), (100...999).contains(status) else {
            return HTTPExchange(url: url, error: "not an HTTP status line: \(statusLine.prefix(80))")
        }
        var headers: [HTTPHeaderField] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            headers.append(HTTPHeaderField(name: name, value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return HTTPExchange(url: url, status: status, headers: headers)
    }
}
