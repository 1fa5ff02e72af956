import COpenSSL
import PeilModel

extension TLSScanRun {
    /// An OpenSSL handshake at the best common version asking for an OCSP staple: the chain's
    /// facts and verification, the leaf's OCSP URL, the staple; on TLS 1.3 (web) its ticket
    /// feeds the early-data probe, once this connection is closed (one connection at a time:
    /// single-threaded servers and mail servers' limits). When OpenSSL cannot connect (suites
    /// it lacks), the facts come from the Certificate message of a hand-built hello, unverified.
    func probeCertificate() throws(TLSScanStop) {
        let tls = TLSClientOptions(requestOCSPStaple: true, trustStorePEMFile: options.trustStorePEMFile)
        switch try session.handshake(tls, what: "certificate handshake") {
        case .success(let stream):
            let report = CertificateInspector.inspect(stream, serverName: serverName)
            observation.chain = report.chain
            observation.leafHasOCSPURL = report.leafHasOCSPURL
            observation.ocspStapling = report.stapling
            certificate = report.verification
            if report.presentedCount > report.chain.count {
                notes.append("certificate chain of \(report.presentedCount) certificates, first \(report.chain.count) kept")
            }
            let ticketWait = min(session.limits.answerTimeout, .seconds(2))
            let ticket = stream.version == .tls13 && options.probeEarlyData
                ? stream.resumableSession(waitingUntil: .now + ticketWait) : nil
            stream.close()
            if let ticket { try probeEarlyData(with: ticket) }
        case .failure:
            let flight = versionHellos.keys.filter { $0 < .tls13 }.max().flatMap { versionHellos[$0]?.flight }
            let presented = flight?.certificates ?? []
            if presented.count > CertificateInspector.maxPresented {
                notes.append("certificate chain of \(presented.count) certificates, first \(CertificateInspector.maxPresented) kept")
            } else if presented.isEmpty, let interruption = flight?.interruption {
                notes.append("certificate chain not read: OpenSSL's handshake failed and the hello's flight stopped (\(interruption))")
            }
            let certificates = presented.prefix(CertificateInspector.maxPresented).compactMap(CertificateInspector.parse)
            defer { certificates.forEach { X509_free($0) } }
            observation.chain = certificates.map { CertificateInspector.facts($0, isTrustedRoot: false) }
            observation.leafHasOCSPURL = certificates.first.map { peil_X509_ocsp_url_count($0) > 0 }
        }
    }

    /// Resumes with `ticket`, sending `GET /` as early data, when the ticket allows early
    /// data; otherwise leaves the early-data fields nil.
    func probeEarlyData(with ticket: TLSSession) throws(TLSScanStop) {
        guard ticket.maxEarlyData > 0 else { return }
        let address = session.target.address
        let host = serverName ?? (address.contains(":") ? "[\(address)]" : address)
        let request = Array("GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        let tls = TLSClientOptions(minVersion: .tls13, maxVersion: .tls13, trustStorePEMFile: options.trustStorePEMFile,
                                   session: ticket, earlyData: request)
        guard case .success(let resumed) = try session.handshake(tls, what: "early-data handshake") else {
            observation.earlyDataAccepted = false
            observation.earlyDataTooEarly425 = false
            return
        }
        defer { resumed.close() }
        let acceptedEarly = resumed.earlyDataAccepted == true
        observation.earlyDataAccepted = acceptedEarly
        observation.earlyDataTooEarly425 = acceptedEarly && Self.statusCode(resumed, deadline: .now + session.limits.answerTimeout) == 425
    }

    /// The status code of an HTTP/1.x response's status line (nil: none in time).
    static func statusCode(_ stream: TLSStream, deadline: ContinuousClock.Instant) -> Int? {
        var bytes: [UInt8] = []
        for _ in 0..<64 where !bytes.contains(0x0A) && bytes.count < 8_192 {
            guard let chunk = try? stream.read(max: 4_096, deadline: deadline), !chunk.isEmpty else { break }
            bytes += chunk
        }
        let line = String(decoding: bytes.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }

    /// An OpenSSL TLS 1.3 handshake whose `signature_algorithms` offers only SHA-2 schemes.
    func probeSHA2TLS13() throws(TLSScanStop) {
        guard accepted[.tls13] != nil else { return }
        let tls = TLSClientOptions(minVersion: .tls13, maxVersion: .tls13, signatureAlgorithms: TLSScanCatalog.sha2OpenSSLSigalgs,
                                   trustStorePEMFile: options.trustStorePEMFile)
        switch try session.handshake(tls, what: "SHA-2 TLS 1.3 handshake") {
        case .success(let stream):
            stream.close()
            observation.sha2OnlyTLS13Probe = .signedWithOffered
        case .failure:
            observation.sha2OnlyTLS13Probe = .handshakeFailed
        }
    }

    /// One OpenSSL connection at the highest version below 1.3, then up to
    /// `clientRenegotiationAttempts` client-initiated renegotiations; counts those that
    /// completed, stopping at the first refused or unanswered one. Nil when no such
    /// connection could be made (OpenSSL has no SSL 3.0).
    func probeClientRenegotiation() throws(TLSScanStop) {
        guard let version = highestBelow13, version >= .tls10 else { return }
        let tls = TLSClientOptions(minVersion: version, maxVersion: version, trustStorePEMFile: options.trustStorePEMFile,
                                   allowLegacyRenegotiation: true)
        guard case .success(let stream) = try session.handshake(tls, what: "renegotiation handshake") else { return }
        defer { stream.close() }
        var count = 0
        for _ in 0..<options.clientRenegotiationAttempts where !session.deadline.isReached {
            session.countRenegotiation()
            guard stream.renegotiate(deadline: .now + session.limits.answerTimeout) else { break }
            count += 1
        }
        observation.clientRenegotiations = count
    }
}
