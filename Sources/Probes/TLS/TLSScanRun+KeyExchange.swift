import PeilModel

extension TLSScanRun {
    /// The ECDHE groups the server accepts, one offered at a time: under TLS 1.3 the
    /// ServerHello's key_share group; under the highest version below 1.3 with ECDHE suites
    /// the ServerKeyExchange's named curve. Only the groups the scan plan calls decisive are
    /// offered alone; when it leaves some out, the TLS 1.3 first hello's key_share group (a
    /// ServerHello, not a retry request) is noted, as the TLS ≤ 1.2 hellos' curves always are.
    func probeGroups() throws(TLSScanStop) {
        let plan = options.scanPlan
        if accepted[.tls13]?.isEmpty == false {
            let suites = offerable(.tls13)
            let groups = TLSScanCatalog.ecdheGroupsTLS13.filter { KeyShareFactory.curves[$0] != nil }
            if groups.contains(where: { !plan.isDecisiveGroup($0) }), case .accepted(let first)? = versionHellos[.tls13]?.outcome,
               first.negotiatedVersion == .tls13, !first.isHelloRetryRequest, let group = first.keyShareGroup {
                note(.ecdhe(group: group))
            }
            for group in groups where plan.isDecisiveGroup(group) {
                let hello = TLSScanCatalog.hello(.tls13, suites, serverName: serverName, groups: [group], keyShares: [group])
                let exchange = try session.hello(hello)
                if case .accepted(let serverHello) = exchange.outcome, serverHello.negotiatedVersion == .tls13,
                   serverHello.keyShareGroup == group {
                    note(.ecdhe(group: group))
                }
            }
        }
        let legacy = accepted.filter { $0.key < .tls13 && $0.value.contains(where: TLSScanCatalog.isECDHE) }
        guard let version = legacy.keys.max() else { return }
        let suites = offerable(version).filter(TLSScanCatalog.isECDHE)
        for group in TLSScanCatalog.ecdheGroupsTLS12 where plan.isDecisiveGroup(group) {
            let exchange = try session.hello(TLSScanCatalog.hello(version, suites, serverName: serverName, groups: [group]))
            guard case .accepted(let serverHello) = exchange.outcome, serverHello.negotiatedVersion == version,
                  let body = exchange.flight.serverKeyExchange,
                  let parsed = ServerKeyExchange.parse(body, suite: serverHello.cipherSuite, version: version),
                  case .namedCurve = parsed.parameters else { continue }
            note(parsed.keyExchange)
        }
    }

    /// TLS 1.2 hellos with the accepted ECDHE/DHE suites whose `signature_algorithms` offer
    /// only SHA-1, only SHA-224, only SHA-2 schemes: which scheme signs the ServerKeyExchange?
    /// Nil without TLS 1.2; `.unknown` when TLS 1.2 has no ephemeral suite (nothing is signed).
    func probeSignatureHashes() throws(TLSScanStop) {
        guard let suites = accepted[.tls12] else { return }
        guard suites.contains(where: TLSScanCatalog.isForwardSecret) else {
            (observation.sha1SignatureProbe, observation.sha224SignatureProbe, observation.sha2OnlyTLS12Probe) = (.unknown, .unknown, .unknown)
            return
        }
        // Every ephemeral suite TLS 1.2 accepts, with those the plan did not ask about.
        let ephemeral = offerable(.tls12).filter(TLSScanCatalog.isForwardSecret)
        observation.sha1SignatureProbe = try signatureProbe(ephemeral, TLSScanCatalog.sha1Schemes)
        observation.sha224SignatureProbe = try signatureProbe(ephemeral, TLSScanCatalog.sha224Schemes)
        observation.sha2OnlyTLS12Probe = try signatureProbe(ephemeral, TLSScanCatalog.sha2Schemes)
    }

    private func signatureProbe(_ suites: [UInt16], _ schemes: [UInt16]) throws(TLSScanStop) -> TLSSignatureProbe {
        let exchange = try session.hello(TLSScanCatalog.hello(.tls12, suites, serverName: serverName, signatureAlgorithms: schemes))
        guard case .accepted(let serverHello) = exchange.outcome, serverHello.negotiatedVersion == .tls12 else { return .handshakeFailed }
        let scheme = exchange.flight.serverKeyExchange
            .flatMap { ServerKeyExchange.parse($0, suite: serverHello.cipherSuite, version: .tls12) }?.signatureScheme
        return scheme.map(schemes.contains) == true ? .signedWithOffered : .signedOtherwise
    }
}
