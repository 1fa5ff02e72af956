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
            if case .accepted(let serverHello) = exchange.outcome, serverHello.negotiatedVersion == version {
                versionHellos[version] = exchange
            }
        }
    }

    /// The suites a version accepts: offer every remaining candidate, keep the chosen one,
    /// drop it, repeat until the server refuses (at most once per candidate). The version
    /// hello is the first round. Key-exchange parameters of every accepted suite are noted.
    func enumerateSuites(_ version: TLSVersion) throws(TLSScanStop) {
        guard var current = versionHellos[version] else { return }
        var remaining = TLSScanCatalog.suites(for: version)
        var found: [UInt16] = []
        for _ in 0...remaining.count {
            guard case .accepted(let hello) = current.outcome, hello.negotiatedVersion == version,
                  let index = remaining.firstIndex(of: hello.cipherSuite) else { break }
            found.append(hello.cipherSuite)
            remaining.remove(at: index)
            noteKeyExchange(current.flight, suite: hello.cipherSuite, version: version)
            guard !remaining.isEmpty else { break }
            current = try session.hello(TLSScanCatalog.hello(version, remaining, serverName: serverName))
        }
        accepted[version] = found
    }

    /// The ServerKeyExchange parameters of a flight, if any.
    func noteKeyExchange(_ flight: ServerFlight, suite: UInt16, version: TLSVersion) {
        guard let body = flight.serverKeyExchange,
              let keyExchange = ServerKeyExchange.parse(body, suite: suite, version: version) else { return }
        note(keyExchange.keyExchange)
    }

    /// The preference handshakes on the highest version below TLS 1.3, for both rule sets:
    /// the 2021 walk (offer every accepted suite, drop the chosen one, repeat while two or
    /// more remain), the same list reversed (does the server enforce its order?), and the
    /// current rule's lists (the options' ``CipherOrderPlan``), each list sent once.
    func recordCipherChoices() throws(TLSScanStop) {
        guard let version = highestBelow13, let suites = accepted[version], suites.count > 1 else { return }
        var remaining = suites
        for _ in 0..<suites.count where remaining.count > 1 {
            guard let chosen = try choose(version, remaining), let index = remaining.firstIndex(of: chosen) else { break }
            remaining.remove(at: index)
        }
        try choose(version, suites.reversed())
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
