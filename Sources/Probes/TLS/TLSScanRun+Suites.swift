import PeilModel

extension TLSScanRun {
    /// One hello per version, each offering every suite valid for it (TLS ≤ 1.2 hellos also
    /// offer DEFLATE, so they double as the compression probe). TLS 1.2 goes first: it decides
    /// whether the port speaks TLS at all.
    func probeVersions() throws(TLSScanStop) {
        let order: [TLSVersion] = [.tls12, .tls13, .tls11, .tls10, .ssl3]
        for (index, version) in order.enumerated() {
            let hello = TLSScanCatalog.hello(version, TLSScanCatalog.suites(for: version), serverName: serverName,
                                             compression: version == .tls13 ? [0] : [1, 0])
            let exchange = try session.hello(hello, firstContact: index == 0)
            if options.serverScans != nil { versionAnswers.append(TLSServerFingerprint.answer(version, exchange)) }
            if case .accepted(let serverHello) = exchange.outcome, serverHello.negotiatedVersion == version {
                versionHellos[version] = exchange
            }
        }
    }

    /// The accepted suites of every version that completed a hello, highest first, under the
    /// options' ``TLSScanPlan``: with ``TLSScanPlan/everything`` each version is enumerated in
    /// full. Otherwise the highest version below TLS 1.3 (the preference handshakes' version)
    /// is enumerated in full only when a hello offering its decisive suites is accepted or
    /// the plan says the preference counts; the others only for their decisive suites (lower
    /// versions: those no version found yet, when the plan says suites count once per scan).
    /// What a version may accept but was not asked about is in ``hidden``.
    func enumerateSuites() throws(TLSScanStop) {
        let plan = options.scanPlan
        let walkVersion = versionHellos.keys.filter { $0 < .tls13 }.max()
        for version in versionHellos.keys.sorted(by: >) {
            guard let first = versionHellos[version] else { continue }
            let catalog = TLSScanCatalog.suites(for: version)
            let known = plan.suitesOncePerScan && version < .tls13 && version != walkVersion ? Set(accepted.values.joined()) : []
            let candidates = catalog.filter { plan.isDecisiveSuite($0) && !known.contains($0) }
            if candidates.count == catalog.count {
                accepted[version] = try enumerateSuites(version, candidates: catalog, first: first)
            } else if version == walkVersion {
                accepted[version] = try enumerateWalkVersion(version, decisive: candidates, first: first)
            } else {
                let found = try enumerateSuites(version, candidates: candidates, first: first)
                accepted[version] = found
                hidden[version] = Set(catalog).subtracting(candidates).subtracting(found)
            }
        }
        if let version = walkVersion, hidden[version] != nil, plan.preferenceMatters(accepted, version), let first = versionHellos[version] {
            accepted[version] = try enumerateSuites(version, candidates: TLSScanCatalog.suites(for: version), first: first)
            hidden[version] = nil
        }
    }

    /// The preference version: its first hello's suite, and one hello offering the decisive
    /// suites; when that suite is decisive, or the hello is accepted (or not clearly refused),
    /// the version is enumerated in full.
    private func enumerateWalkVersion(_ version: TLSVersion, decisive: [UInt16], first: HelloExchange) throws(TLSScanStop) -> [UInt16] {
        let catalog = TLSScanCatalog.suites(for: version)
        guard case .accepted(let hello) = first.outcome, hello.negotiatedVersion == version, catalog.contains(hello.cipherSuite),
              !decisive.contains(hello.cipherSuite) else {
            return try enumerateSuites(version, candidates: catalog, first: first)
        }
        let probe = decisive.filter { $0 != hello.cipherSuite }
        if !probe.isEmpty {
            let answer = try session.hello(TLSScanCatalog.hello(version, probe, serverName: serverName))
            guard answer.outcome.isRefusal else { return try enumerateSuites(version, candidates: catalog, first: first) }
        }
        noteKeyExchange(first.flight, suite: hello.cipherSuite, version: version)
        hidden[version] = Set(catalog).subtracting(decisive).subtracting([hello.cipherSuite])
        return [hello.cipherSuite]
    }

    /// The suites a version accepts among `candidates`: the first hello (which offered every
    /// suite of the version) gives one, then offer every remaining candidate, keep the chosen
    /// one, drop it, repeat until the server refuses (at most once per candidate). Key-exchange
    /// parameters of every accepted suite are noted.
    func enumerateSuites(_ version: TLSVersion, candidates: [UInt16], first: HelloExchange) throws(TLSScanStop) -> [UInt16] {
        var current = first
        var offered = TLSScanCatalog.suites(for: version)
        var remaining = candidates
        var found: [UInt16] = []
        for _ in 0...(candidates.count + 1) {
            guard case .accepted(let hello) = current.outcome, hello.negotiatedVersion == version,
                  offered.contains(hello.cipherSuite), !found.contains(hello.cipherSuite) else { break }
            found.append(hello.cipherSuite)
            remaining.removeAll { $0 == hello.cipherSuite }
            noteKeyExchange(current.flight, suite: hello.cipherSuite, version: version)
            guard !remaining.isEmpty else { break }
            offered = remaining
            current = try session.hello(TLSScanCatalog.hello(version, remaining, serverName: serverName))
        }
        return found
    }

    /// What a server accepting `version`'s found suites may also accept: those and the suites
    /// not asked about (``hidden``), in the catalogue's order; the found ones alone when the
    /// version was enumerated in full. A server picks among the offered suites it accepts,
    /// so offering the unasked ones too is offering exactly what it accepts.
    func offerable(_ version: TLSVersion) -> [UInt16] {
        let found = accepted[version] ?? []
        guard let hidden = hidden[version], !hidden.isEmpty else { return found }
        return found + TLSScanCatalog.suites(for: version).filter { hidden.contains($0) && !found.contains($0) }
    }

    /// The ServerKeyExchange parameters of a flight, if any.
    func noteKeyExchange(_ flight: ServerFlight, suite: UInt16, version: TLSVersion) {
        guard let body = flight.serverKeyExchange,
              let keyExchange = ServerKeyExchange.parse(body, suite: suite, version: version) else { return }
        note(keyExchange.keyExchange)
    }

    /// The preference handshakes on the highest version below TLS 1.3, for both rule sets:
    /// the 2021 walk (offer every accepted suite, drop the chosen one, repeat while two or
    /// more remain) and the same list reversed (does the server enforce its order?), unless
    /// the scan plan says no choice can change a verdict; and the current rule's lists (the
    /// options' ``CipherOrderPlan``), each list sent once.
    func recordCipherChoices() throws(TLSScanStop) {
        guard let version = highestBelow13, let suites = accepted[version], suites.count > 1 else { return }
        if options.scanPlan.preferenceMatters(accepted, version) {
            var remaining = suites
            for _ in 0..<suites.count where remaining.count > 1 {
                guard let chosen = try choose(version, remaining), let index = remaining.firstIndex(of: chosen) else { break }
                remaining.remove(at: index)
            }
            try choose(version, suites.reversed())
        }
        for list in options.cipherOrderPlan.lists(suites) { try choose(version, list) }
    }

    /// One preference handshake, recorded; the chosen suite (nil: refused, or another version).
    @discardableResult
    func choose(_ version: TLSVersion, _ offered: [UInt16]) throws(TLSScanStop) -> UInt16? {
        if let earlier = observation.cipherChoices.first(where: { $0.version == version && $0.offered == offered }) {
            return earlier.chosen
        }
        let exchange = try session.hello(TLSScanCatalog.hello(version, offered, serverName: serverName))
        var chosen: UInt16?
        if case .accepted(let hello) = exchange.outcome, hello.negotiatedVersion == version { chosen = hello.cipherSuite }
        observation.cipherChoices.append(TLSCipherChoice(version: version, offered: offered, chosen: chosen))
        return chosen
    }
}
