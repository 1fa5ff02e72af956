import PeilModel

extension TwinRealServers {
    /// Gives the mail platforms (sorted by id) every CAA set in turn, at each of their host
    /// names. No random draws, so the generator's streams stay as they were.
    static func spreadMailCAA(_ world: inout TwinWorld) {
        let positions = world.mailPlatforms.indices.sorted { world.mailPlatforms[$0].id < world.mailPlatforms[$1].id }
        for (turn, position) in positions.enumerated() {
            world.mailPlatforms[position].caa = TwinCAA.allCases[turn % TwinCAA.allCases.count]
        }
    }
}

/// The mail subtests the twin varies beyond the bulk columns, from its intent: CAA per MX host
/// (`mail_starttls_tls_caa`) and Peil's own TLS-RPT (`mail_tlsrpt`). CAA, as Internet.nl (`checks/tasks/tls/tasks_reports.py`), it is judged
/// only when STARTTLS passed; without an MX to test it is not tested.
extension TwinJudge {
    /// The mail subtests by name (the same under every rule set): CAA, and Peil's own TLS-RPT.
    func mailSubtests(_ facts: DNSFacts) -> [String: StatusCell] {
        [SubtestID.mailSTARTTLSTLSCAA.rawValue: mailCAA(facts), PeilSubtestID.mailTLSRPT.rawValue: tlsrpt(facts)]
    }

    func mailCAA(_ facts: DNSFacts) -> StatusCell {
        let starttls = mailServerColumns(facts)["starttls"]
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        guard !hosts.isEmpty, hosts.count == facts.mx.count, starttls?.status == .passed else {
            return StatusCell(.notTested, "STARTTLS \(starttls?.status.rawValue ?? "not judged")")
        }
        return StatusCell.worst(hosts.map { mailCAA($0) }) ?? StatusCell(.error, "no MX host")
    }

    /// The TLS-RPT variant the twin put at `_smtp._tls.<domain>` (read back from the facts):
    /// not tested for a null MX.
    func tlsrpt(_ facts: DNSFacts) -> StatusCell {
        if facts.nullMX { return StatusCell(.notTested, "null MX") }
        let records = facts.tlsrpt ?? []
        guard let variant = TwinTLSRPT.allCases.first(where: { $0.records(domain: facts.domain).sorted() == records }) else {
            return StatusCell(.error, "TLS-RPT records \(records) are no twin variant")
        }
        return StatusCell(variant.status, "TLS-RPT \(variant.rawValue)")
    }

    /// The CAA set the climb from an MX host finds is one the twin put there (at a mail host or
    /// a web host above it): `issue` (with or without `iodef`) passes, anything else warns.
    func mailCAA(_ host: MailExchanger) -> StatusCell {
        guard let found = host.caa, let foundAt = found.foundAt else { return StatusCell(.warning, "no CAA from \(host.host) up") }
        guard let set = TwinCAA.allCases.first(where: { $0.records(host: foundAt).sorted() == found.records }) else {
            return StatusCell(.error, "CAA at \(foundAt) is no twin CAA set: \(found.records)")
        }
        return StatusCell(Self.caa(set), "\(host.host): CAA set \(set.rawValue) at \(foundAt)")
    }
}
