import PeilModel

/// How to reach TLS on a port: directly, or after an SMTP STARTTLS preamble.
public enum StartTLSMode: Sendable, Hashable, Codable {
    case none
    /// EHLO with this name, then STARTTLS.
    case smtp(ehloName: String)
}

/// One endpoint to scan: a numeric address, a port, the name for SNI and certificate matching.
public struct TLSScanTarget: Sendable, Hashable, Codable {
    public var address: String
    public var port: UInt16
    public var serverName: String?
    public var startTLS: StartTLSMode

    public init(address: String, port: UInt16 = 443, serverName: String? = nil, startTLS: StartTLSMode = .none) {
        self.address = address
        self.port = port
        self.serverName = serverName
        self.startTLS = startTLS
    }
}

/// Limits and choices of one scan.
public struct TLSScanOptions: Sendable {
    /// Connect and answer timeouts, and the most bytes read per answer.
    public var limits: HelloLimits
    /// PEM file of trusted roots (nil: the system store).
    public var trustStorePEMFile: String?
    /// Extra attempts after an inconclusive hello or handshake before the scan gives up.
    public var retries: Int
    /// Client-initiated renegotiations tried on one connection (Internet.nl: 11).
    public var clientRenegotiationAttempts: Int
    /// Try TLS 1.3 early data (web: yes; mail: not applicable).
    public var probeEarlyData: Bool
    /// Each SMTP reply (the greeting may be slow on purpose) must be complete within this.
    public var smtpReplyTimeout: Duration

    public init(limits: HelloLimits = HelloLimits(), trustStorePEMFile: String? = nil, retries: Int = 1,
                clientRenegotiationAttempts: Int = 11, probeEarlyData: Bool = true, smtpReplyTimeout: Duration = .seconds(30)) {
        self.limits = limits
        self.trustStorePEMFile = trustStorePEMFile
        self.retries = max(0, retries)
        self.clientRenegotiationAttempts = max(0, clientRenegotiationAttempts)
        self.probeEarlyData = probeEarlyData
        self.smtpReplyTimeout = smtpReplyTimeout
    }
}

/// The presented chain checked against the trust store and the server name.
public struct TLSCertificateVerification: Codable, Sendable, Hashable {
    /// The chain verified to a trusted root.
    public var trusted: Bool
    /// OpenSSL's verification error when not trusted.
    public var verifyError: String?
    /// The leaf matches the server name (nil: no name to match).
    public var nameMatches: Bool?
    /// The presented certificates, DER in base64, leaf first (for DANE).
    public var chainDER: [String]

    public init(trusted: Bool, verifyError: String? = nil, nameMatches: Bool? = nil, chainDER: [String] = []) {
        self.trusted = trusted
        self.verifyError = verifyError
        self.nameMatches = nameMatches
        self.chainDER = chainDER
    }
}

/// What a scan of one endpoint produced.
public struct TLSScanResult: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable {
        /// Every measurement ran; `observation` is complete.
        case completed
        /// No TCP connection after retries.
        case unreachable
        /// Connected, but no version completed a hello.
        case noTLS
        /// SMTP: STARTTLS not offered or refused.
        case noStartTLS
        /// A timeout or garbage midway, after retries: an error, never "not supported".
        case inconclusive
    }

    public var outcome: Outcome
    /// Why the scan ended as it did (nil when completed).
    public var detail: String?
    /// The raw observation (only when completed).
    public var observation: TLSObservation?
    /// The chain's verification (when a certificate handshake completed).
    public var certificate: TLSCertificateVerification?
    /// Hellos and handshakes sent, retries and renegotiations included.
    public var handshakes: Int

    public init(outcome: Outcome, detail: String? = nil, observation: TLSObservation? = nil,
                certificate: TLSCertificateVerification? = nil, handshakes: Int = 0) {
        self.outcome = outcome
        self.detail = detail
        self.observation = observation
        self.certificate = certificate
        self.handshakes = handshakes
    }
}
