import Checks
import Probes

extension CipherOrderPlan {
    /// The internetnl-current cipher-order rule's lists (`CipherOrderCheck.currentPlan`), the
    /// plan every scan in `peil` runs with: its verdicts need the server's choices on them.
    static let internetnlCurrent = CipherOrderPlan { CipherOrderCheck.currentPlan(accepted: $0) }
}

extension TLSScanPlan {
    /// The scan plan of the rule sets Peil judges by (`TLSScanRules`): what an agent, `peil
    /// probe` and `peil scan` leave out unless told to make every handshake.
    static let internetnl = TLSScanPlan(isDecisiveSuite: { TLSScanRules.isDecisive(suite: $0) },
                                        isDecisiveGroup: { TLSScanRules.isDecisive(group: $0) },
                                        preferenceMatters: { TLSScanRules.preferenceMatters(accepted: $0, on: $1) },
                                        suitesOncePerScan: true)
}
