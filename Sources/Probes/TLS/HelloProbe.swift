import PeilModel

/// Where to send a hello: a numeric address (IPv4 or IPv6), a port, the SNI name if any.
public struct TLSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var port: UInt16
    public var serverName: String?
    public init(address: String, port: UInt16 = 443, serverName: String? = nil) {
        self.address = address
        self.port = port
        self.serverName = serverName
    }

    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

/// Hard limits on one hello exchange.
public struct HelloLimits: Sendable, Hashable {
    /// TCP connect.
    public var connectTimeout: Duration
    /// From connected to a complete answer.
    public var answerTimeout: Duration
    /// Most bytes read before the answer must be complete.
    public var maxBytes: Int
    public init(connectTimeout: Duration = .seconds(4), answerTimeout: Duration = .seconds(5), maxBytes: Int = 65_536) {
        self.connectTimeout = connectTimeout
        self.answerTimeout = answerTimeout
        self.maxBytes = maxBytes
    }
}

/// How a server answered one hand-built ClientHello.
public enum HelloOutcome: Sendable, Hashable, CustomStringConvertible {
    /// A ServerHello (or a TLS 1.3 HelloRetryRequest: check `isHelloRetryRequest`).
    case accepted(ServerHello)
    /// A fatal or warning alert instead of a ServerHello (40 handshake_failure, 70 protocol_version…).
    case alert(level: UInt8, description: UInt8)
    /// Connection closed or reset without an answer.
    case closed
    /// No complete answer before the deadline: says nothing about support.
    case timeout
    /// No TCP connection (refused, unroutable, bad address, connect timeout).
    case unreachable(String)
    /// An answer that is not a readable TLS ServerHello or alert.
    case malformed(TLSParseError)

    /// The server declined the offer: an alert or a close (what legacy stacks do instead of alerting).
    public var isRefusal: Bool {
        switch self {
        case .alert, .closed: true
        default: false
        }
    }

    /// Nothing can be concluded about what the server supports (an error/unreachable outcome, never "not supported").
    public var isInconclusive: Bool {
        switch self {
        case .timeout, .unreachable, .malformed: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .accepted(let hello): "accepted 0x\(String(hello.cipherSuite, radix: 16)) at 0x\(String(hello.negotiatedVersionWire, radix: 16))"
        case .alert(let level, let description): "alert \(description) (level \(level))"
        case .closed: "closed"
        case .timeout: "timeout"
        case .unreachable(let why): "unreachable (\(why))"
        case .malformed(let error): "malformed (\(error))"
        }
    }
}

/// A hello's outcome and, when the flight was read, the messages after the ServerHello.
public struct HelloExchange: Sendable, Hashable {
    public var outcome: HelloOutcome
    public var flight: ServerFlight
    public init(outcome: HelloOutcome, flight: ServerFlight = ServerFlight()) {
        self.outcome = outcome
        self.flight = flight
    }
}

/// Sends one ClientHello over a fresh TCP connection and classifies the answer. Blocking, bounded
/// by `limits`; run it off the cooperative pool for many hosts.
public enum HelloProbe {
    public static func exchange(_ hello: ClientHello, with endpoint: TLSEndpoint, limits: HelloLimits = HelloLimits()) -> HelloOutcome {
        let stream: TCPStream
        do {
            stream = try TCPStream.connect(address: endpoint.address, port: endpoint.port, deadline: .now + limits.connectTimeout)
        } catch {
            return .unreachable(error == .timeout ? "connect timeout" : error.description)
        }
        defer { stream.close() }
        return exchange(hello, over: stream, limits: limits).outcome
    }

    /// Sends `hello` over a connected stream (after a STARTTLS preamble, say) and reads the
    /// answer within `limits.answerTimeout`; with `readFlight`, on to the ServerHelloDone.
    public static func exchange(_ hello: ClientHello, over stream: TCPStream, limits: HelloLimits,
                                readFlight: Bool = false) -> HelloExchange {
        let deadline = ContinuousClock.now + limits.answerTimeout
        do {
            try stream.write(hello.bytes(), deadline: deadline)
        } catch {
            return HelloExchange(outcome: error == .timeout ? .timeout : .closed)
        }
        var reader = ServerHelloReader(limit: limits.maxBytes, readFlight: readFlight)
        var timedOut = false
        for _ in 0..<(limits.maxBytes + 16) {
            do {
                let chunk = try stream.read(max: 16_384, deadline: deadline)
                if chunk.isEmpty { break }
                if reader.feed(chunk) != nil { break }
            } catch {
                timedOut = error == .timeout
                break
            }
        }
        // A timeout before any ServerHello says nothing, even after some bytes.
        let result = reader.result ?? (timedOut && reader.serverHello == nil ? nil : reader.finish())
        var flight = reader.flight
        if reader.result == nil, reader.serverHello != nil { flight.interruption = timedOut ? "timeout" : "closed" }
        switch result {
        case .success(.serverHello(let serverHello)): return HelloExchange(outcome: .accepted(serverHello), flight: flight)
        case .success(.alert(let level, let description)): return HelloExchange(outcome: .alert(level: level, description: description))
        case .failure(let error): return HelloExchange(outcome: .malformed(error))
        case nil: return HelloExchange(outcome: timedOut ? .timeout : .closed)
        }
    }
}
