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
/// (`mail_starttls_tls_caa`). As Internet.nl (`checks/tasks/tls/tasks_reports.py`), it is judged
/// only when STARTTLS passed; without an MX to test it is not tested.
extension TwinJudge {
    /// The mail subtests by batch name (the same under every rule set).
    func mailSubtests(_ facts: DNSFacts) -> [String: StatusCell] {
        let starttls = mailServerColumns(facts)["starttls"]
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        guard !hosts.isEmpty, hosts.count == facts.mx.count, starttls?.status == .passed else {
            return [SubtestID.mailSTARTTLSTLSCAA.rawValue: StatusCell(.notTested, "STARTTLS \(starttls?.status.rawValue ?? "not judged")")]
        }
        let cells = hosts.map { mailCAA($0) }
        return [SubtestID.mailSTARTTLSTLSCAA.rawValue: StatusCell.worst(cells) ?? StatusCell(.error, "no MX host")]
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
