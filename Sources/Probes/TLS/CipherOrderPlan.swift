/// The cipher lists the scanner offers, on the highest version below TLS 1.3, for the
/// internetnl-current cipher-order rule, decided from the suites that version accepted: the
/// rule lives in Checks (`CipherOrderCheck.currentPlan`); Probes only sends the lists it is
/// given and records the server's choices. The caller (the agent's set-up in `peil`, the
/// tests) wires the rule in, as with ``FollowUpQuestions``.
public struct CipherOrderPlan: Sendable {
    /// Accepted suites (in the order found) → the offered lists, each sent once.
    public let lists: @Sendable (_ accepted: [UInt16]) -> [[UInt16]]

    public init(lists: @escaping @Sendable (_ accepted: [UInt16]) -> [[UInt16]]) {
        self.lists = lists
    }
}
