import PeilModel

/// Questions a resolution asks after its fixed set, decided from the answers so far: the
/// mail-authentication rules (in Checks) name the TXT records their verdicts need next (the
/// DMARC organisational-domain record, report authorisations, the SPF include/redirect tree,
/// the DKIM wildcard probe). Probes only asks; it knows no mail rules.
///
/// Called with the domain and every answer so far; returns TXT names to ask. Names already
/// asked are skipped, and the rounds stop when nothing new is named or a bound is reached.
public struct FollowUpQuestions: Sendable {
    /// Rounds at most (an SPF tree within the 10-lookup budget needs at most 11 rounds).
    public static let maxRounds = 14
    /// Follow-up questions per resolution at most, however the records are built.
    public static let maxQuestions = 40

    public let txtNames: @Sendable (_ domain: String, _ answers: [DNSQueryRecord]) async -> [String]

    public init(txtNames: @escaping @Sendable (_ domain: String, _ answers: [DNSQueryRecord]) async -> [String]) {
        self.txtNames = txtNames
    }
}
