import PeilModel

/// Which hellos a scan may leave out because their outcome cannot change any verdict: the
/// verdict rules decide (Checks' `TLSScanRules`, wired in by the caller as `peil` does with
/// `TLSScanPlan.internetnl`; docs/SCALE.md, "Scan plan"). ``everything`` leaves nothing out.
///
/// With a plan, a scan
/// - enumerates on each version only the *decisive* suites (a version's first hello still
///   offers all): on the highest version below TLS 1.3 one hello offering the decisive ones
///   tells whether any is accepted, and if so, or if ``preferenceMatters`` says the preference
///   handshakes count, that version is enumerated in full as before (so the preference
///   handshakes offer what they always offered); a lower version offers only decisive suites
///   no version found yet;
/// - skips the preference walk and its reverse when ``preferenceMatters`` says no choice can
///   change a verdict;
/// - offers alone only the decisive groups.
public struct TLSScanPlan: Sendable {
    /// Whether a suite accepted can change a verdict by itself.
    public let isDecisiveSuite: @Sendable (UInt16) -> Bool
    /// Whether a named group accepted can change a verdict by itself.
    public let isDecisiveGroup: @Sendable (UInt16) -> Bool
    /// Whether the preference handshakes on a version can change a verdict, given the suites
    /// found accepted per version (only non-decisive ones may be missing).
    public let preferenceMatters: @Sendable (_ accepted: [TLSVersion: [UInt16]], _ version: TLSVersion) -> Bool
    /// Whether a version below the highest may leave out the suites found on another version
    /// (the suites subtest judges the union, not each version).
    public let suitesOncePerScan: Bool

    public init(isDecisiveSuite: @escaping @Sendable (UInt16) -> Bool, isDecisiveGroup: @escaping @Sendable (UInt16) -> Bool,
                preferenceMatters: @escaping @Sendable ([TLSVersion: [UInt16]], TLSVersion) -> Bool, suitesOncePerScan: Bool) {
        self.isDecisiveSuite = isDecisiveSuite
        self.isDecisiveGroup = isDecisiveGroup
        self.preferenceMatters = preferenceMatters
        self.suitesOncePerScan = suitesOncePerScan
    }

    /// Every hello of the full scan: every suite and group decisive, the preference always counted.
    public static let everything = TLSScanPlan(isDecisiveSuite: { _ in true }, isDecisiveGroup: { _ in true },
                                               preferenceMatters: { _, _ in true }, suitesOncePerScan: false)
}
