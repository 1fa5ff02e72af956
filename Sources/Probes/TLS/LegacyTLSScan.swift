import PeilModel

/// One hello of a scan: what was offered and how the server answered.
public struct LegacyHandshake: Sendable, Hashable {
    public var version: TLSVersion
    public var offered: [UInt16]
    public var outcome: HelloOutcome
}

/// What a legacy scan found. Versions absent from `versions` were not asked about.
public struct LegacyTLSReport: Sendable, Hashable {
    /// Whether a server accepts a protocol version.
    public enum Support: Sendable, Hashable {
        /// A ServerHello at that version (with this cipher).
        case accepted(cipher: UInt16)
        /// An alert, a close, or a ServerHello at another version.
        case refused
        /// Timeout, unreachable or unreadable: no verdict may be drawn.
        case undetermined
    }

    public var versions: [TLSVersion: Support] = [:]
    /// Legacy cipher suites accepted, under the version the server chose for them.
    public var legacyCiphers: [TLSVersionCiphers] = []
    /// Every hello sent, in order (retries included).
    public var handshakes: [LegacyHandshake] = []
    /// The inconclusive outcome that stopped the scan (nil: it ran to the end).
    public var stoppedBy: HelloOutcome?

    public var handshakeCount: Int { handshakes.count }
    /// All accepted legacy code points, whatever the version.
    public var acceptedLegacyCiphers: Set<UInt16> { Set(legacyCiphers.flatMap(\.ciphers)) }
}

/// Finds which legacy versions and legacy cipher suites a server accepts with hand-built hellos,
/// so it reaches what the local OpenSSL cannot speak. The cipher lists come from the caller (for
/// example the `PeilModel` registry filtered by Checks' classification): the probe holds no cipher table.
///
/// Handshakes: ciphers take one hello per accepted legacy suite plus one (offer all, drop the
/// chosen one, repeat); each version in `versions` not already seen takes one more.
public struct LegacyTLSScan: Sendable {
    public var endpoint: TLSEndpoint
    public var limits: HelloLimits
    /// Extra attempts after an inconclusive outcome before the scan stops.
    public var retries: Int

    public init(endpoint: TLSEndpoint, limits: HelloLimits = HelloLimits(), retries: Int = 1) {
        self.endpoint = endpoint
        self.limits = limits
        self.retries = max(0, retries)
    }

    /// - Parameters:
    ///   - legacyCiphers: the suites to detect (RC4, 3DES, export, NULL…), offered at TLS 1.2 and below.
    ///   - allCiphers: a broad list for the version hellos, so that refusal means the version.
    ///   - versions: the versions to ask about separately (SSL 3.0 by default).
    public func run(legacyCiphers: [UInt16], allCiphers: [UInt16], versions: [TLSVersion] = [.ssl3]) -> LegacyTLSReport {
        var report = LegacyTLSReport()
        var remaining = legacyCiphers.filter { $0 != TLSWire.renegotiationSCSV }
        var found: [TLSVersion: [UInt16]] = [:]
        for _ in 0...remaining.count where !remaining.isEmpty {
            guard let outcome = hello(.tls12, remaining, into: &report) else { return finish(report, found) }
            guard case .accepted(let serverHello) = outcome,
                  let version = serverHello.negotiatedVersion, version <= .tls12,
                  let index = remaining.firstIndex(of: serverHello.cipherSuite) else { break }
            remaining.remove(at: index)
            found[version, default: []].append(serverHello.cipherSuite)
            report.versions[version] = .accepted(cipher: serverHello.cipherSuite)
        }
        for version in versions where report.versions[version] == nil {
            guard let outcome = hello(version, allCiphers, into: &report) else {
                report.versions[version] = .undetermined
                return finish(report, found)
            }
            if case .accepted(let serverHello) = outcome, serverHello.negotiatedVersion == version {
                report.versions[version] = .accepted(cipher: serverHello.cipherSuite)
            } else {
                report.versions[version] = .refused
            }
        }
        return finish(report, found)
    }

    /// Sends one hello (retrying inconclusive outcomes); nil when it stayed inconclusive.
    private func hello(_ version: TLSVersion, _ suites: [UInt16], into report: inout LegacyTLSReport) -> HelloOutcome? {
        let hello = ClientHello(version: version, cipherSuites: suites, serverName: endpoint.serverName,
                                renegotiationSCSV: version == .ssl3, random: Self.random())
        for _ in 0...retries {
            let outcome = HelloProbe.exchange(hello, with: endpoint, limits: limits)
            report.handshakes.append(LegacyHandshake(version: version, offered: suites, outcome: outcome))
            if !outcome.isInconclusive { return outcome }
            report.stoppedBy = outcome
        }
        return nil
    }

    private func finish(_ report: LegacyTLSReport, _ found: [TLSVersion: [UInt16]]) -> LegacyTLSReport {
        var report = report
        if report.stoppedBy != nil, report.handshakes.last.map({ !$0.outcome.isInconclusive }) == true {
            report.stoppedBy = nil  // a retry succeeded
        }
        report.legacyCiphers = found.keys.sorted().map { TLSVersionCiphers(version: $0, ciphers: found[$0]!) }
        return report
    }

    static func random() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
