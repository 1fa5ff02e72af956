/// One endpoint a connect task probes: an address found by resolution, the host name it was
/// found under (the TLS server name and HTTP `Host`), and its family.
public struct ConnectTarget: Codable, Sendable, Hashable {
    public var address: String
    public var family: AddressFamily
    public var host: String

    public init(address: String, family: AddressFamily, host: String) {
        self.address = address
        self.family = family
        self.host = host
    }

    /// The family of a numeric address: IPv6 if it contains a colon.
    public static func family(of address: String) -> AddressFamily {
        address.contains(":") ? .ipv6 : .ipv4
    }
}

/// Whether one TCP port accepted a connection.
public struct PortProbe: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable, Hashable {
        case open
        /// Refused by the server (a reset).
        case refused
        /// No answer before the timeout, or an ICMP unreachable from the network (or no route
        /// from the vantage): nothing from the server itself.
        case timeout
    }

    public var port: UInt16
    public var state: State

    public init(port: UInt16, state: State) {
        self.port = port
        self.state = state
    }
}

/// What a `reach` task saw: every port it tried.
public struct ReachObservation: Codable, Sendable, Hashable {
    public var ports: [PortProbe]

    public init(ports: [PortProbe]) {
        self.ports = ports
    }

    public var openPorts: Set<UInt16> { Set(ports.filter { $0.state == .open }.map(\.port)) }
}

/// What a `nameserver` task saw: whether the address answered an NS query, and how.
public struct NameserverObservation: Codable, Sendable, Hashable {
    /// Whether any response came back (any rcode counts: the server is reachable).
    public var answered: Bool
    /// `udp` or `tcp`: the transport that got the answer.
    public var transport: String?
    public var rcode: String?
    /// Why there was no answer.
    public var detail: String?

    public init(answered: Bool, transport: String? = nil, rcode: String? = nil, detail: String? = nil) {
        self.answered = answered
        self.transport = transport
        self.rcode = rcode
        self.detail = detail
    }
}

/// One HTTP header as received (name as sent, value trimmed).
public struct HTTPHeaderField: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One HTTP request and its response head (redirects are not followed).
public struct HTTPExchange: Codable, Sendable, Hashable {
    /// The URL asked, e.g. `https://www.example.nl/`.
    public var url: String
    /// nil when no response head was read; then `error` says why.
    public var status: Int?
    public var headers: [HTTPHeaderField]
    /// Body bytes read (bounded).
    public var bodyBytes: Int
    public var error: String?
    /// `GET /` of a `web` task: the digest of the body (any status), for the IPv4/IPv6
    /// comparison; nil for other requests, a request without a response, and observations
    /// stored before agents kept it. A body cut short says so here, not in `error`.
    public var page: WebPageDigest?

    public init(url: String, status: Int? = nil, headers: [HTTPHeaderField] = [], bodyBytes: Int = 0, error: String? = nil,
                page: WebPageDigest? = nil) {
        self.url = url
        self.status = status
        self.headers = headers
        self.bodyBytes = bodyBytes
        self.error = error
        self.page = page
    }

    /// How `error` starts when the answer was not HTTP at all (an SSH banner, TLS, random bytes).
    public static let notHTTPError = "not HTTP: "
    /// The port answered, but not in HTTP: no response head, `error` starting ``notHTTPError``.
    public var isNotHTTP: Bool { status == nil && error?.hasPrefix(Self.notHTTPError) == true }

    /// How `error` starts when the time cap ended the exchange before a whole response head came.
    public static let timedOutError = "no complete response head within "
    /// The request got no answer in time: no response head, `error` starting ``timedOutError``.
    /// Peil's own request that went unanswered, not something the server said.
    public var timedOut: Bool { status == nil && error?.hasPrefix(Self.timedOutError) == true }

    /// Every value of a header, in order, matched case-insensitively.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// How a TLS scan of one endpoint ended, and what it found.
public struct TLSScanResult: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable, Hashable {
        case completed
        /// No TCP connection after retries.
        case unreachable
        /// Connected, but no protocol version completed a hello.
        case noTLS
        /// SMTP: STARTTLS not offered, or refused.
        case noStartTLS
        /// A timeout or unreadable answer midway, after retries: an error, never "not supported".
        case inconclusive
    }

    public var outcome: Outcome
    public var detail: String?
    public var observation: TLSObservation?
    public var certificate: TLSCertificateVerification?
    /// Hellos and handshakes made, retries and renegotiations included.
    public var handshakes: Int
    /// TCP connections opened (nil: not counted, an observation from an older agent).
    public var connections: Int?
    /// True when the server-wide parameters came from an earlier scan of the same address and
    /// port whose version hellos and certificate chain were the same (shared hosting); nil: not.
    public var serverScanReused: Bool?

    public init(outcome: Outcome, detail: String? = nil, observation: TLSObservation? = nil,
                certificate: TLSCertificateVerification? = nil, handshakes: Int = 0, connections: Int? = nil,
                serverScanReused: Bool? = nil) {
        self.outcome = outcome
        self.detail = detail
        self.observation = observation
        self.certificate = certificate
        self.handshakes = handshakes
        self.connections = connections
        self.serverScanReused = serverScanReused
    }
}

/// The presented chain judged against a trust store and the expected name.
public struct TLSCertificateVerification: Codable, Sendable, Hashable {
    public var trusted: Bool
    /// OpenSSL's verification error, when not trusted.
    public var verifyError: String?
    /// Whether the leaf matches the server name; nil when no name was given.
    public var nameMatches: Bool?
    /// The chain as presented, leaf first, DER in base64 (for DANE).
    public var chainDER: [String]

    public init(trusted: Bool, verifyError: String? = nil, nameMatches: Bool? = nil, chainDER: [String] = []) {
        self.trusted = trusted
        self.verifyError = verifyError
        self.nameMatches = nameMatches
        self.chainDER = chainDER
    }
}

/// What a `web` task saw at one address: the TLS scan of port 443, `GET /` over HTTPS (HSTS and
/// security headers, redirects not followed), `GET /` over HTTP on port 80 (the redirect) and,
/// where HTTPS answered, the security.txt fetch.
public struct WebObservation: Codable, Sendable, Hashable {
    public var tls: TLSScanResult
    public var https: HTTPExchange?
    public var http: HTTPExchange?
    /// Port 80 state, when the HTTP exchange could not connect.
    public var port80: PortProbe.State
    /// The security.txt fetch; nil when not fetched (no HTTPS answer, the task deadline came
    /// first, or an observation stored before agents fetched it).
    public var securityTxt: SecurityTxtFetch?

    public init(tls: TLSScanResult, https: HTTPExchange?, http: HTTPExchange?, port80: PortProbe.State,
                securityTxt: SecurityTxtFetch? = nil) {
        self.tls = tls
        self.https = https
        self.http = http
        self.port80 = port80
        self.securityTxt = securityTxt
    }
}

/// What a `mail` task saw at one mail server address: the STARTTLS scan of port 25 (its
/// outcome says whether the port answered and STARTTLS was offered).
public struct MailServerObservation: Codable, Sendable, Hashable {
    public var tls: TLSScanResult

    public init(tls: TLSScanResult) {
        self.tls = tls
    }
}

/// The observation of a completed connect task: exactly one member is set, by task kind.
public struct ConnectObservation: Codable, Sendable, Hashable {
    public var reach: ReachObservation?
    public var nameserver: NameserverObservation?
    public var web: WebObservation?
    public var mail: MailServerObservation?

    public init(reach: ReachObservation? = nil, nameserver: NameserverObservation? = nil, web: WebObservation? = nil,
                mail: MailServerObservation? = nil) {
        self.reach = reach
        self.nameserver = nameserver
        self.web = web
        self.mail = mail
    }
}
