import Checks
import Probes

extension CipherOrderPlan {
    /// The plan `peil` scans with (the internetnl-current rule from Checks), so that these
    /// scans make the same handshakes as the agent's.
    static let internetnlCurrent = CipherOrderPlan { CipherOrderCheck.currentPlan(accepted: $0) }
}
