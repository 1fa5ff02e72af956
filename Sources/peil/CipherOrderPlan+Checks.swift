import Checks
import Probes

extension CipherOrderPlan {
    /// The internetnl-current cipher-order rule's lists (`CipherOrderCheck.currentPlan`), the
    /// plan every scan in `peil` runs with: its verdicts need the server's choices on them.
    static let internetnlCurrent = CipherOrderPlan { CipherOrderCheck.currentPlan(accepted: $0) }
}
