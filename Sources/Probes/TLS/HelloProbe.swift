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

/// Sends one ClientHello over a fresh TCP connection and classifies the answer. Blocking, bounded
/// by `limits`; run it off the cooperative pool for many hosts.
public enum HelloProbe {
    public static func exchange(_ hello: ClientHello, with endpoint: TLSEndpoint, limits: HelloLimits = HelloLimits()) -> HelloOutcome {
        let socket: HelloSocket
        do {
            socket = try HelloSocket(address: endpoint.address, port: endpoint.port,
                                     deadline: .now + limits.connectTimeout)
        } catch {
            switch error {
            case .badAddress: return .unreachable("not a numeric address: \(endpoint.address)")
            case .refused(let code): return .unreachable("connect errno \(code)")
            case .timeout: return .unreachable("connect timeout")
            case .io(let code): return .unreachable("socket errno \(code)")
            }
        }
        let deadline = ContinuousClock.now + limits.answerTimeout
        do {
            try socket.write(hello.bytes(), deadline: deadline)
        } catch {
            if case .timeout = error { return .timeout }
            return .closed
        }
        var reader = ServerHelloReader(limit: limits.maxBytes)
        let end = socket.read(deadline: deadline, maxReads: limits.maxBytes + 16) { reader.feed($0) != nil }
        let result = end == .closed ? reader.finish() : reader.result
        switch result {
        case .success(.serverHello(let serverHello)): return .accepted(serverHello)
        case .success(.alert(let level, let description)): return .alert(level: level, description: description)
        case .failure(let error): return .malformed(error)
        case nil: return end == .timeout ? .timeout : .closed
        }
    }
}
