import PeilModel

/// Which handshakes of a TLS scan can change a verdict, under every rule set Peil judges by
/// (the scan plan: docs/SCALE.md, "Scan plan"). The scanner leaves out the others; Probes does
/// not know these rules, `peil` passes them in (`TLSScanPlan.internetnl`).
///
/// A suite or group is *decisive* when its acceptance alone can change a verdict:
/// - a suite below `sufficient` under some rule set is a finding of `tls_ciphers` (and can make
///   it fail or warn); one that is not `good` under internetnl-2021 makes the 2021
///   cipher-order test applicable; one at or below `phaseOut` under internetnl-current is
///   what a current cipher-order violation needs. A suite that is none of these (`sufficient`
///   or better under internetnl-current and `good` under internetnl-2021: ECDHE with
///   AES-GCM, AES-CCM or ChaCha20, the TLS 1.3 suites but CCM_8) never appears in a finding,
///   never makes a verdict worse than passed, and never makes the cipher-order test apply.
/// - a group below `sufficient` under some rule set is a finding of `fs_params`; any other
///   group accepted or not leaves `fs_params` as it is (its worst level and its findings are
///   those of the items below `sufficient`).
public enum TLSScanRules {
    /// Whether a suite accepted can change a verdict by itself (unknown code points are).
    public static func isDecisive(suite code: UInt16) -> Bool {
        guard let suite = CipherSuite(code: code) else { return true }
        return TLSClassification.level(suite, .internetnlCurrent) < .sufficient || TLSClassification.level(suite, .internetnl2021) < .good
    }

    /// Whether a named group accepted can change `fs_params` by itself.
    public static func isDecisive(group: UInt16) -> Bool {
        RuleSet.allCases.contains { TLSClassification.ecGroupLevel(group, $0) < .sufficient }
    }

    /// Whether the preference handshakes on `version` (the 2021 walk and its reverse) can change
    /// `tls_cipher_order` under some rule set, given the suites found accepted per version, of
    /// which only non-decisive ones may be missing.
    ///
    /// internetnl-2021: not applicable (passed, whatever the server chooses) when every accepted
    /// suite is `good`; a missing suite is `good`, so the known ones decide. internetnl-current:
    /// not applicable when only TLS 1.3 is accepted or every suite is `good`; otherwise a
    /// violation is a choice at or below `phaseOut` while a `sufficient` one was offered, and
    /// the offered suites are `version`'s accepted ones: with none at or below `phaseOut` on
    /// `version` (a missing one is `sufficient` or better) no choice can be a violation.
    public static func preferenceMatters(accepted: [TLSVersion: [UInt16]], on version: TLSVersion) -> Bool {
        func level(_ code: UInt16, _ ruleSet: RuleSet) -> SecurityLevel {
            CipherSuite(code: code).map { TLSClassification.level($0, ruleSet) } ?? .insufficient
        }
        let all = accepted.values.flatMap { $0 }
        let matters2021 = all.contains { level($0, .internetnl2021) != .good }
        let onlyTLS13 = accepted.keys.allSatisfy { $0 == .tls13 }
        let notApplicableCurrent = onlyTLS13 || all.allSatisfy { level($0, .internetnlCurrent) == .good }
        let mattersCurrent = !notApplicableCurrent && (accepted[version] ?? []).contains { level($0, .internetnlCurrent) <= .phaseOut }
        return matters2021 || mattersCurrent
    }
}
