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
    /// The current cipher-order rule's lists (from Checks, wired in by the caller).
    public var cipherOrderPlan: CipherOrderPlan
    /// After this many timed-out exchanges in a row (a hello unanswered, a flight cut short by
    /// silence, a handshake or SMTP reply that never came), the scan stops `inconclusive`
    /// instead of sending its remaining hellos: a server that answers and then goes silent (a
    /// tarpit) costs this many timeouts, not one per hello.
    public var maxConsecutiveTimeouts: Int
    /// The hellos the verdict rules let the scan leave out (``TLSScanPlan``); by default none.
    public var scanPlan: TLSScanPlan
    /// Where scans of one address and port share their server-wide parameters (shared
    /// hosting, ``TLSServerScanCache``); nil: every scan asks for everything itself.
    public var serverScans: TLSServerScanCache?

    /// `cipherOrderPlan` has no default, so that no caller drops the current rule's
    /// handshakes by accident; `scanPlan` defaults to the full scan.
    public init(cipherOrderPlan: CipherOrderPlan, limits: HelloLimits = HelloLimits(), trustStorePEMFile: String? = nil, retries: Int = 1,
                clientRenegotiationAttempts: Int = 11, probeEarlyData: Bool = true, smtpReplyTimeout: Duration = .seconds(30),
                maxConsecutiveTimeouts: Int = 2, scanPlan: TLSScanPlan = .everything, serverScans: TLSServerScanCache? = nil) {
        self.limits = limits
        self.trustStorePEMFile = trustStorePEMFile
        self.retries = max(0, retries)
        self.clientRenegotiationAttempts = max(0, clientRenegotiationAttempts)
        self.probeEarlyData = probeEarlyData
        self.smtpReplyTimeout = smtpReplyTimeout
        self.cipherOrderPlan = cipherOrderPlan
        self.maxConsecutiveTimeouts = max(1, maxConsecutiveTimeouts)
        self.scanPlan = scanPlan
        self.serverScans = serverScans
    }
}
