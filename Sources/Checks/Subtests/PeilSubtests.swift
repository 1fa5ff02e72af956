import PeilModel

/// Peil's own subtests of one domain (``PeilSubtestID``), from the same evidence as the
/// Internet.nl subtests; never part of the batch-shaped document (`docs/SUBTESTS.md`).
public enum PeilSubtests {
    public static func evaluate(_ evidence: DomainEvidence) -> [PeilSubtestID: StatusCell] {
        [.mailTLSRPT: tlsrpt(evidence)]
    }

    /// TLS-RPT at `_smtp._tls.<domain>` (``TLSRPTCheck``): not tested for a domain that receives
    /// no mail (null MX) and for an observation stored before the record was asked; `error`
    /// when its lookup failed.
    static func tlsrpt(_ evidence: DomainEvidence) -> StatusCell {
        let facts = evidence.facts
        let name = "_smtp._tls.\(facts.domain)"
        if facts.nullMX { return StatusCell(.notTested, "null MX: receives no mail") }
        guard let records = facts.tlsrpt else { return StatusCell(.notTested, "\(name) not observed (resolved before Peil asked it)") }
        if records.isEmpty, evidence.lookupFailed(name, "TXT") { return StatusCell(.error, "the TXT lookup of \(name) failed") }
        return SubtestCells.cell(TLSRPTCheck.evaluate(records), server: name)
    }
}
