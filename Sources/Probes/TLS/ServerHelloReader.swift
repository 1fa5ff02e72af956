/// The first thing a server says in answer to a ClientHello.
public enum ServerAnswer: Sendable, Hashable {
    case serverHello(ServerHello)
    case alert(level: UInt8, description: UInt8)
}

/// Reads a server's first flight incrementally: records (handshake messages may span several
/// records, several messages may share one), until a ServerHello or an alert; with `readFlight`,
/// on to the ServerHelloDone of a TLS ≤ 1.2 answer, keeping the messages in `flight` (TLS 1.3
/// encrypts them, so a TLS 1.3 ServerHello ends the reading). Pure: the same bytes give the
/// same result however they are split. Never reads past `limit` bytes.
public struct ServerHelloReader: Sendable {
    /// The most bytes accepted before giving up with `.tooLarge`.
    public let limit: Int
    /// Bytes accepted so far (at most `limit`).
    public private(set) var received = 0
    /// The outcome once known; further input is ignored.
    public private(set) var result: Result<ServerAnswer, TLSParseError>?
    /// Read on past a TLS ≤ 1.2 ServerHello to the ServerHelloDone.
    public let readFlight: Bool
    /// The ServerHello once read (with `readFlight` it comes before `result`).
    public private(set) var serverHello: ServerHello?
    /// The messages after the ServerHello (with `readFlight`).
    public private(set) var flight = ServerFlight()
    /// Warning alerts passed over (their descriptions), as OpenSSL's client passes them over:
    /// a server that warns `unrecognized_name` (112) for a name it has no host for and then
    /// sends its ServerHello (httpd does) speaks TLS. At most ``maxWarnings``; the next counts.
    public private(set) var warnings: [UInt8] = []
    /// Warning alerts passed over before one is taken as the answer.
    public static let maxWarnings = 4
    private var buffer: [UInt8] = []
    private var handshake: [UInt8] = []
    private var alert: [UInt8] = []

    public init(limit: Int = 65_536, readFlight: Bool = false) {
        self.limit = max(limit, 5)
        self.readFlight = readFlight
    }

    /// Adds bytes; returns the outcome when it is known.
    @discardableResult
    public mutating func feed(_ bytes: some Collection<UInt8>) -> Result<ServerAnswer, TLSParseError>? {
        if let result { return result }
        let accepted = bytes.prefix(limit - received)
        received += accepted.count
        buffer += accepted
        result = step()
        if result == nil, received >= limit { result = .failure(.tooLarge(limit)) }
        if let serverHello, case .failure(let error)? = result {
            // After the ServerHello, a broken rest of the flight only ends the reading.
            flight.interruption = error.description
            result = .success(.serverHello(serverHello))
        }
        return result
    }

    /// The peer closed: nil when it closed before sending anything, else the outcome or `.truncated`
    /// (warnings and then a close: the last warning, a refusal as any alert is).
    public func finish() -> Result<ServerAnswer, TLSParseError>? {
        if let result { return result }
        if let serverHello { return .success(.serverHello(serverHello)) }
        if let warning = warnings.last, buffer.isEmpty, handshake.isEmpty, alert.isEmpty {
            return .success(.alert(level: 1, description: warning))
        }
        return received == 0 ? nil : .failure(.truncated("stream"))
    }

    /// All at once: the outcome of reading `bytes` followed by a close.
    public static func read(_ bytes: [UInt8], limit: Int = 65_536) -> Result<ServerAnswer, TLSParseError>? {
        var reader = ServerHelloReader(limit: limit)
        reader.feed(bytes)
        return reader.finish()
    }

    private mutating func step() -> Result<ServerAnswer, TLSParseError>? {
        while buffer.count >= 5 {
            let type = buffer[0]
            guard (20...24).contains(type), buffer[1] == 3 else { return .failure(.notTLS(buffer[0])) }
            let length = Int(buffer[3]) << 8 | Int(buffer[4])
            guard length > 0, length <= TLSWire.maxRecordBody else { return .failure(.badLength("record")) }
            guard buffer.count >= 5 + length else { return nil }
            let body = buffer[5..<5 + length]
            buffer.removeFirst(5 + length)
            switch type {
            case TLSWire.alertRecord:
                alert += body
                while alert.count >= 2 {
                    let (level, description) = (alert[0], alert[1])
                    // A warning other than close_notify (0) is passed over, a few times.
                    if level == 1, description != 0, warnings.count < Self.maxWarnings {
                        warnings.append(description)
                        alert.removeFirst(2)
                        continue
                    }
                    if let serverHello {
                        flight.interruption = "alert \(description)"
                        return .success(.serverHello(serverHello))
                    }
                    return .success(.alert(level: level, description: description))
                }
            case TLSWire.handshakeRecord:
                guard alert.isEmpty else { return .failure(.truncated("alert")) }
                handshake += body
                if let outcome = nextMessage() { return outcome }
            default:
                return .failure(.unexpectedRecord(type))
            }
        }
        return nil
    }

    /// The ServerHello once complete in `handshake`, skipping empty HelloRequests; with
    /// `readFlight`, the ServerHello once the flight after it is complete.
    private mutating func nextMessage() -> Result<ServerAnswer, TLSParseError>? {
        while handshake.count >= 4 {
            let type = handshake[0]
            let length = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
            guard length <= limit else { return .failure(.badLength("handshake message \(type): \(length) bytes, over the \(limit)-byte cap")) }
            guard handshake.count >= 4 + length else { return nil }
            let body = Array(handshake[4..<4 + length])
            handshake.removeFirst(4 + length)
            if let serverHello {
                if flight.absorb(type, body) { return .success(.serverHello(serverHello)) }
                continue
            }
            if type == TLSWire.helloRequest, length == 0 { continue }
            guard type == TLSWire.serverHello else { return .failure(.unexpectedHandshake(type)) }
            switch ServerHello.parse(body) {
            case .failure(let error):
                return .failure(error)
            case .success(let hello):
                let encryptedAfter = hello.isHelloRetryRequest || (hello.negotiatedVersion ?? .tls13) >= .tls13
                guard readFlight, !encryptedAfter else { return .success(.serverHello(hello)) }
                serverHello = hello
            }
        }
        return nil
    }
}
