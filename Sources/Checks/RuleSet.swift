/// A named, versioned set of verdict criteria.
///
/// Peil stores raw observations and derives verdicts under a rule set, so a stored measurement
/// can be re-evaluated under another one without probing again.
public enum RuleSet: String, CaseIterable, Codable, Sendable, Hashable {
    /// Internet.nl as it is today (release 1.11, NCSC TLS guidelines 2025-05).
    case internetnlCurrent = "internetnl-current"
    /// Internet.nl as released on 17 March 2021 (v1.3.0, NCSC TLS guidelines 2.1).
    case internetnl2021 = "internetnl-2021"
}
