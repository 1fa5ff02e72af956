/// Peil's own subtests: checks Internet.nl does not make, kept apart from ``SubtestID`` (its
/// batch API's vocabulary) so that they never reach the batch-shaped document. `peil results
/// --format jsonl` carries them as `peilSubtests`, the report in the per-domain subtests
/// section (`docs/SUBTESTS.md`, "Peil's own subtests").
public enum PeilSubtestID: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    /// SMTP TLS Reporting (RFC 8460): a `v=TLSRPTv1` policy at `_smtp._tls.<domain>`.
    case mailTLSRPT = "mail_tlsrpt"

    /// The test it belongs to.
    public var test: BulkTest {
        switch self {
        case .mailTLSRPT: .mail
        }
    }

    /// The short English label.
    public var label: String {
        switch self {
        case .mailTLSRPT: "TLS reporting (TLS-RPT, RFC 8460)"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
