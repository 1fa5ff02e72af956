import Foundation
import PeilModel

/// Bounds on one HTTP exchange, each named in the exchange's `error` when it bites.
public struct HTTPLimits: Sendable, Hashable {
    /// The whole exchange (request sent, response head read): a server that trickles its head
    /// (slowloris) ends here.
    public var timeout: Duration
    /// The response head must end (blank line) within this many bytes: an endless head ends here.
    public var maxHeadBytes: Int
    public init(timeout: Duration = .seconds(10), maxHeadBytes: Int = 32_768) {
        self.timeout = timeout
        self.maxHeadBytes = max(16, maxHeadBytes)
    }
}

/// One `GET` without following redirects: the status and the header fields, which is what the
/// HTTPS redirect, HSTS and security-header checks read. Redirects are never followed (the
/// redirect check reads the first hop, HSTS the first response: `CHECKS-WEB.md`), so a server
/// that redirects for ever costs one request per exchange.
public enum HTTPClient {
    /// Sends `GET path` with `Host: host` over `transport` and reads the response head, within
    /// `limits`: the exchange's `error` says which bound ended it ("response head over 32 KiB",
    /// "no complete response head within 10 s") or why the answer is not HTTP.
    public static func get(url: String, host: String, path: String = "/", over transport: any ByteStream,
                           limits: HTTPLimits = HTTPLimits(), userAgent: String = "peil/\(PeilVersion.current)") -> HTTPExchange {
        readHead(url: url, host: host, path: path, over: transport, limits: limits, userAgent: userAgent).exchange
    }

    /// As ``get(url:host:path:over:limits:userAgent:)``, then, for a 200 (`anyStatus`: for every
    /// status but 1xx, 204 and 304, which have none), the body (by `Content-Length`, chunked, or up
    /// to the close), its first `maxBodyBytes` bytes: `truncated` when it went on, the rest not
    /// read. Within the same time cap as the head; a body cut short (closed early, time cap,
    /// malformed chunks) keeps what was read, `error` saying why.
    public static func getWithBody(url: String, host: String, path: String, over transport: any ByteStream,
                                   limits: HTTPLimits = HTTPLimits(), maxBodyBytes: Int, anyStatus: Bool = false,
                                   userAgent: String = "peil/\(PeilVersion.current)") -> (exchange: HTTPExchange, body: [UInt8], truncated: Bool) {
        let head = readHead(url: url, host: host, path: path, over: transport, limits: limits, userAgent: userAgent)
        var exchange = head.exchange
        guard let status = exchange.status, anyStatus ? status >= 200 && status != 204 && status != 304 : status == 200 else {
            return (exchange, [], false)
        }
        let chunked = exchange.values("Transfer-Encoding").last?.lowercased().contains("chunked") == true
        let length = chunked ? nil : exchange.values("Content-Length").last.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        var received = head.rest
        var body: [UInt8] = []
        var decoder = HTTPBody.ChunkedDecoder()
        do throws(StreamError) {
            while true {
                // Each byte received is looked at once: what came in is added to the body.
                let state: HTTPBody.State
                if chunked {
                    state = decoder.feed(received, into: &body)
                } else if let length {
                    body += received.prefix(max(0, length - body.count))
                    state = body.count >= length ? .complete : .partial
                } else {
                    body += received
                    state = .partial
                }
                exchange.bodyBytes = body.count
                if body.count > maxBodyBytes { return (exchange, Array(body.prefix(maxBodyBytes)), true) }
                switch state {
                case .complete: return (exchange, body, false)
                case .malformed:
                    exchange.error = "malformed chunked body after \(body.count) bytes"
                    return (exchange, body, false)
                case .partial: break
                }
                received = try transport.read(max: 16_384, deadline: head.deadline)
                if received.isEmpty {
                    if chunked || length != nil { exchange.error = "closed inside the body after \(body.count) bytes" }
                    return (exchange, body, false)
                }
            }
        } catch .timeout {
            exchange.error = "no complete body within \(HTTPResponseHead.seconds(limits.timeout)) (\(body.count) bytes received)"
        } catch {
            exchange.error = "\(error) after \(body.count) bytes of the body"
        }
        return (exchange, body, false)
    }

    /// Sends the request and reads the response head: the exchange, the bytes read past the
    /// head, and the exchange's deadline.
    static func readHead(url: String, host: String, path: String, over transport: any ByteStream, limits: HTTPLimits,
                         userAgent: String) -> (exchange: HTTPExchange, rest: [UInt8], deadline: ContinuousClock.Instant) {
        let deadline = ContinuousClock.now + limits.timeout
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        var received: [UInt8] = []
        func ended(_ exchange: HTTPExchange) -> (HTTPExchange, [UInt8], ContinuousClock.Instant) { (exchange, [], deadline) }
        do throws(StreamError) {
            try transport.write(Array(request.utf8), deadline: deadline)
            while true {
                let searchedUpTo = received.count
                let chunk = try transport.read(max: 16_384, deadline: deadline)
                if chunk.isEmpty {
                    return ended(HTTPExchange(url: url, error: received.isEmpty ? "closed without a response" : "closed inside the response head"))
                }
                received += chunk
                if let notHTTP = HTTPResponseHead.notHTTP(received) { return ended(HTTPExchange(url: url, error: notHTTP)) }
                if let end = HTTPResponseHead.endOfHead(received, from: searchedUpTo), end <= limits.maxHeadBytes {
                    var exchange = HTTPResponseHead.parse(Array(received[..<end]), url: url)
                    exchange.bodyBytes = received.count - end
                    return (exchange, Array(received[end...]), deadline)
                }
                if received.count >= limits.maxHeadBytes {
                    return ended(HTTPExchange(url: url, error: "response head over \(HTTPResponseHead.size(limits.maxHeadBytes)): "
                                              + "no end of head in the first \(received.count) bytes"))
                }
            }
        } catch .timeout {
            return ended(HTTPExchange(url: url, error: HTTPExchange.timedOutError + "\(HTTPResponseHead.seconds(limits.timeout)) "
                                      + "(\(received.count) bytes received)"))
        } catch {
            return ended(HTTPExchange(url: url, error: received.isEmpty ? "\(error)" : "\(error) after \(received.count) bytes of the response head"))
        }
    }
}

/// Parses an HTTP/1.x response head (status line and header fields).
public enum HTTPResponseHead {
    /// The index just past the blank line that ends the head, if it was received.
    public static func endOfHead(_ bytes: [UInt8]) -> Int? { endOfHead(bytes, from: 0) }

    /// As ``endOfHead(_:)``, for bytes of which the first `searched` were looked at before:
    /// only the new ones (and the three before them) are searched, so reading a head in many
    /// small pieces costs time linear in its length.
    public static func endOfHead(_ bytes: [UInt8], from searched: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in max(3, searched)..<bytes.count where bytes[index] == 10 {
            if bytes[index - 1] == 10 { return index + 1 }  // bare LF LF
            if bytes[index - 1] == 13, bytes[index - 2] == 10 { return index + 1 }
        }
        return nil
    }

    /// Why `received` (the first bytes of an answer) cannot be an HTTP/1.x response: its
    /// start is not `HTTP/` (an SSH banner, TLS, random bytes). Nil while it still may be.
    public static func notHTTP(_ received: [UInt8]) -> String? {
        let prefix = Array("HTTP/".utf8)
        guard !received.starts(with: prefix.prefix(min(prefix.count, received.count))) else { return nil }
        return HTTPExchange.notHTTPError + "the answer starts \"\(printable(received.prefix(48)))\""
    }

    /// Bytes as evidence: printable ASCII kept, the rest as `\xNN` (nothing a store or a
    /// report could choke on), cut at the first line end.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        bytes.prefix { $0 != 13 && $0 != 10 }.map { (32...126).contains($0) && $0 != 92 && $0 != 34
            ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined()
    }

    /// "32 KiB" for 32,768 bytes, else "N bytes".
    static func size(_ bytes: Int) -> String { bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : "\(bytes) bytes" }

    /// "10 s", "2.5 s".
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : String(format: "%.1f s", Double(milliseconds) / 1000)
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
            return HTTPExchange(url: url, error: "not an HTTP status line: \(printable(Array(statusLine.utf8).prefix(80)))")
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

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
