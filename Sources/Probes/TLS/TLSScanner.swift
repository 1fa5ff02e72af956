import PeilModel

/// Scans one TLS endpoint the way Internet.nl's TLS tests need it, and reports the raw
/// `TLSObservation`. Hand-built hellos measure everything the server says in cleartext
/// (versions, suites, groups, key-exchange parameters and signature hashes, compression,
/// renegotiation_info, EMS); OpenSSL handshakes measure the rest (certificate chain and
/// stapled OCSP, client renegotiation, 0-RTT, the TLS 1.3 SHA-2 handshake).
///
/// Handshakes, for a server with versions V, suites S_v per version, groups G and N client
/// renegotiations accepted: 5 version hellos; Σ(|S_v|) more for the suites (each accepted
/// suite found by one hello, one refusal ends each version, the version hello being the
/// first); the preference walk and its reverse (|S_h|) plus the current cipher-order lists
/// on the highest version h below 1.3; 12 TLS 1.3 and 9 TLS ≤ 1.2 group hellos; 3 signature
/// hellos; then OpenSSL: the certificate handshake, the SHA-2 TLS 1.3 handshake, the early-data
/// resumption (web, when offered) and one connection with up to 11 renegotiations. That is the
/// full scan (``TLSScanPlan/everything``); the options' ``TLSScanPlan`` leaves out the hellos
/// whose outcome cannot change a verdict (docs/SCALE.md, "Scan plan").
public enum TLSScanner {
    /// Blocking; every wait has a deadline and every loop a bound, so a scan ends: by
    /// `deadline` (the task's; the scan then ends `inconclusive`, "task deadline reached"), and
    /// after `options.maxConsecutiveTimeouts` timeouts in a row. Run it off the cooperative pool.
    public static func scan(_ target: TLSScanTarget, options: TLSScanOptions, deadline: ProbeDeadline = .unbounded) -> TLSScanResult {
        let run = TLSScanRun(session: TLSScanSession(target: target, options: options, deadline: deadline))
        do {
            try run.measure()
            return TLSScanResult(outcome: .completed, detail: run.notes.isEmpty ? nil : run.notes.joined(separator: "; "),
                                 observation: run.observation, certificate: run.certificate, handshakes: run.session.handshakes,
                                 connections: run.session.connections, serverScanReused: run.reusedServerScan ? true : nil)
        } catch {
            let (handshakes, connections) = (run.session.handshakes, run.session.connections)
            switch error {
            case .unreachable(let detail): return TLSScanResult(outcome: .unreachable, detail: detail, handshakes: handshakes, connections: connections)
            case .noStartTLS(let detail): return TLSScanResult(outcome: .noStartTLS, detail: detail, handshakes: handshakes, connections: connections)
            case .noTLS(let detail): return TLSScanResult(outcome: .noTLS, detail: detail, handshakes: handshakes, connections: connections)
            case .inconclusive(let detail): return TLSScanResult(outcome: .inconclusive, detail: detail, handshakes: handshakes, connections: connections)
            }
        }
    }
}

/// The state of one scan while it runs.
final class TLSScanRun {
    let session: TLSScanSession
    var observation = TLSObservation()
    var certificate: TLSCertificateVerification?
    /// The accepted version hellos (TLS ≤ 1.2 with their flights).
    var versionHellos: [TLSVersion: HelloExchange] = [:]
    /// Accepted suites per version, in the order found.
    var accepted: [TLSVersion: [UInt16]] = [:]
    /// Per version enumerated in part (the scan plan): the suites it may also accept, not asked about.
    var hidden: [TLSVersion: Set<UInt16>] = [:]
    /// Caps that bit on a completed scan (a chain cut short…): the completed result's detail.
    var notes: [String] = []
    /// Each version hello's answer, as ``TLSServerFingerprint`` words it (only when scans are shared).
    var versionAnswers: [String] = []
    /// The server-wide parameters came from an earlier scan (``TLSServerScanCache``).
    var reusedServerScan = false

    init(session: TLSScanSession) { self.session = session }

    var serverName: String? { session.target.serverName }
    var options: TLSScanOptions { session.options }
    /// The highest accepted version below TLS 1.3.
    var highestBelow13: TLSVersion? { accepted.keys.filter { $0 < .tls13 }.max() }

    func measure() throws(TLSScanStop) {
        try probeVersions()
        guard !versionHellos.isEmpty else { throw .noTLS("no version completed a hello") }
        if let cache = options.serverScans {
            try measureSharing(cache)
        } else {
            try measureServerWide(certificateHandshake: true)
        }
        recordServerHelloFacts()
        observation.keyExchanges.sort(by: Self.order)
    }

    /// The scan after the version hellos, without the facts they give: suites, preference,
    /// groups, signature hashes, the certificate handshake (in its place among them, when
    /// asked for), the TLS 1.3 SHA-2 handshake and renegotiation.
    private func measureServerWide(certificateHandshake: Bool) throws(TLSScanStop) {
        try enumerateSuites()
        recordAccepted()
        try recordCipherChoices()
        try probeGroups()
        try probeSignatureHashes()
        if certificateHandshake { try probeCertificate() }
        try probeSHA2TLS13()
        try probeClientRenegotiation()
    }

    /// Shared hosting: the certificate handshake right after the version hellos; when the
    /// endpoint's kept scan has the same fingerprint, its server-wide parameters, otherwise the
    /// rest of the full scan, then kept for the next host.
    private func measureSharing(_ cache: TLSServerScanCache) throws(TLSScanStop) {
        try probeCertificate()
        let key = TLSServerScanCache.Key(address: session.target.address, port: session.target.port, startTLS: session.target.startTLS)
        let fingerprint = TLSServerFingerprint.of(answers: versionAnswers, certificate: certificate)
        if let fingerprint, let earlier = cache.scan(for: key, matching: fingerprint) {
            adopt(earlier)
            reusedServerScan = true
            return
        }
        try measureServerWide(certificateHandshake: false)
        if let fingerprint { cache.keep(serverWide, for: key, fingerprint: fingerprint) }
    }

    /// The observation's versions and suites per version, from ``accepted``.
    private func recordAccepted() {
        observation.versions = accepted.keys.sorted()
        observation.ciphers = observation.versions.map { TLSVersionCiphers(version: $0, ciphers: accepted[$0] ?? []) }
    }

    /// This scan's server-wide parameters.
    var serverWide: TLSServerWideScan {
        TLSServerWideScan(accepted: accepted, hidden: hidden, cipherChoices: observation.cipherChoices, keyExchanges: observation.keyExchanges,
                          sha1SignatureProbe: observation.sha1SignatureProbe, sha224SignatureProbe: observation.sha224SignatureProbe,
                          sha2OnlyTLS12Probe: observation.sha2OnlyTLS12Probe, sha2OnlyTLS13Probe: observation.sha2OnlyTLS13Probe,
                          clientRenegotiations: observation.clientRenegotiations)
    }

    /// Takes over an earlier scan's server-wide parameters.
    func adopt(_ scan: TLSServerWideScan) {
        (accepted, hidden) = (scan.accepted, scan.hidden)
        recordAccepted()
        observation.cipherChoices = scan.cipherChoices
        observation.keyExchanges = scan.keyExchanges
        observation.sha1SignatureProbe = scan.sha1SignatureProbe
        observation.sha224SignatureProbe = scan.sha224SignatureProbe
        observation.sha2OnlyTLS12Probe = scan.sha2OnlyTLS12Probe
        observation.sha2OnlyTLS13Probe = scan.sha2OnlyTLS13Probe
        observation.clientRenegotiations = scan.clientRenegotiations
    }

    /// ECDHE by group code point, then DHE by size.
    static func order(_ a: TLSKeyExchange, _ b: TLSKeyExchange) -> Bool {
        switch (a, b) {
        case (.ecdhe(let x), .ecdhe(let y)): x < y
        case (.ecdhe, .dhe): true
        case (.dhe, .ecdhe): false
        case (.dhe(let p, _, let x), .dhe(let q, _, let y)): x != y ? x < y : p < q
        }
    }

    /// Facts from the version hellos' ServerHellos: compression (they offered DEFLATE),
    /// renegotiation_info and EMS on the highest version below 1.3, EMS on TLS 1.2 only.
    func recordServerHelloFacts() {
        let legacy = versionHellos.filter { $0.key < .tls13 }
        observation.compression = legacy.values.contains { exchange in
            if case .accepted(let hello) = exchange.outcome { return hello.compressionMethod != 0 }
            return false
        }
        if let highest = highestBelow13, case .accepted(let hello)? = versionHellos[highest]?.outcome {
            observation.secureRenegotiation = hello.renegotiationInfo != nil
        }
        if case .accepted(let hello)? = versionHellos[.tls12]?.outcome {
            observation.extendedMasterSecret = hello.extendedMasterSecret
        }
    }

    /// Adds a key exchange once.
    func note(_ keyExchange: TLSKeyExchange) {
        if !observation.keyExchanges.contains(keyExchange) { observation.keyExchanges.append(keyExchange) }
    }
}
