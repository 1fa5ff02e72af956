import Checks
import Probes

extension CipherOrderPlan {
    /// The plan `peil` scans with (the internetnl-current rule from Checks), so that these
    /// scans make the same handshakes as the agent's.
    static let internetnlCurrent = CipherOrderPlan { CipherOrderCheck.currentPlan(accepted: $0) }
}

extension TLSScanPlan {
    /// The plan `peil` scans with (`TLSScanRules` from Checks).
    static let internetnl = TLSScanPlan(isDecisiveSuite: { TLSScanRules.isDecisive(suite: $0) },
                                        isDecisiveGroup: { TLSScanRules.isDecisive(group: $0) },
                                        preferenceMatters: { TLSScanRules.preferenceMatters(accepted: $0, on: $1) },
                                        suitesOncePerScan: true)
}
