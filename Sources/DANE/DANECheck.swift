import Checks
import PeilModel

/// Where DANE is checked: the TLSA name and which records count.
public enum DANEService: String, Codable, Sendable, Hashable, CaseIterable {
    /// `_443._tcp.<web host>`; every usage counts.
    case web
    /// `_25._tcp.<mx host>`; PKIX usages 0 and 1 are ignored (RFC 7672 §3.1.3).
    case mail

    /// The TCP port of the TLSA name.
    public var port: Int { self == .web ? 443 : 25 }

    /// The TLSA owner name for a host.
    public func tlsaName(host: String) -> String { "_\(port)._tcp.\(host)" }
}

/// What was seen at a TLSA name (from `DNSFacts.webTLSA` / `MailExchanger.tlsa` and the query
/// records behind them).
public struct DANEObservation: Codable, Sendable, Hashable {
    /// TLSA rdata in presentation form (`usage selector type hex`).
    public var tlsa: [String]
    /// DNSSEC status of the TLSA answer (of the NXDOMAIN/NODATA proof when there is none).
    public var dnssec: DNSSECStatus
    /// Internet.nl's faulty-signer probe: an A query at the TLSA name gave an NXDOMAIN whose
    /// denial is bogus although the TLSA answer was secure.
    public var bogusNXDOMAINAtName: Bool

    public init(tlsa: [String], dnssec: DNSSECStatus, bogusNXDOMAINAtName: Bool = false) {
        self.tlsa = tlsa
        self.dnssec = dnssec
        self.bogusNXDOMAINAtName = bogusNXDOMAINAtName
    }
}

/// Internet.nl's `DaneStatus`.
public enum DANEStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Secure TLSA records matched the chain.
    case validated
    /// Secure TLSA records, none usable or none matched (2021 also: TLSA answer bogus).
    case failed
    /// No (secure) TLSA records that count.
    case none
    /// The TLSA name's answer (or its denial) is bogus.
    case noneBogus = "none_bogus"
}

/// The DANE subtests of one host.
public struct DANEResult: Codable, Sendable, Hashable {
    /// Nil when secure records exist but there was no chain to match them against.
    public var status: DANEStatus?
    /// The records that count (mail: usages 2 and 3 only), as Internet.nl lists them.
    public var records: [TLSARecord]
    /// A rollover scheme is in place: ≥ 2 DANE-EE records, or DANE-EE plus DANE-TA.
    public var rollover: Bool
    /// `dane_exists`, `dane_valid` and (mail only) `dane_rollover`, in that order.
    public var subtests: [SubtestResult]
}

/// The DANE verdicts (`dane_exists`, `dane_valid`, `dane_rollover`) as Internet.nl decides them
/// (`checks/tasks/tls/scans.py` `dane()`, `tasks_reports.py`, `categories.py`, `scoring.py`).
public enum DANECheck {
    /// The records that count for `service`, the text forms that could not be parsed, and
    /// whether they form a rollover scheme.
    public static func countedRecords(_ tlsa: [String], service: DANEService)
        -> (records: [TLSARecord], unparsable: [String], rollover: Bool) {
        var records: [TLSARecord] = []
        var unparsable: [String] = []
        for text in tlsa {
            guard let record = try? TLSARecord(parsing: text) else {
                unparsable.append(text)
                continue
            }
            if service == .mail, record.usage < TLSARecord.daneTA { continue }
            records.append(record)
        }
        let ee = records.filter { $0.usage == TLSARecord.daneEE }.count
        let ta = records.filter { $0.usage == TLSARecord.daneTA }.count
        return (records, unparsable, ee > 1 || (ee > 0 && ta > 0))
    }

    /// Matches the counted records against `chain` and evaluates. Web PKIX usages need
    /// `trustAnchors` (Internet.nl uses its CA bundle); names are not checked (`ldns-dane -n`).
    public static func evaluate(service: DANEService, host: String, observation: DANEObservation,
                                chain: [[UInt8]], trustAnchors: [[UInt8]] = [],
                                ruleSet: RuleSet = .internetnlCurrent) -> DANEResult {
        let counted = countedRecords(observation.tlsa, service: service)
        var verification: DANEVerification?
        if !counted.records.isEmpty, !chain.isEmpty {
            verification = try? DANEVerifier.verify(
                records: counted.records, chain: chain,
                options: DANEVerificationOptions(baseDomain: host, trustAnchors: trustAnchors))
        }
        return evaluate(service: service, observation: observation, verification: verification, ruleSet: ruleSet)
    }

    /// The verdicts from an observation and the outcome of matching its counted records
    /// (`verification` nil: no chain to match, or the chain could not be read).
    public static func evaluate(service: DANEService, observation: DANEObservation,
                                verification: DANEVerification?,
                                ruleSet: RuleSet = .internetnlCurrent) -> DANEResult {
        let counted = countedRecords(observation.tlsa, service: service)
        var findings = counted.unparsable.map { Finding("tlsa-unparsable", subject: $0) }
        let status: DANEStatus?
        if observation.dnssec == .bogus {
            // v1.3.0 went on to "failed" with bogus data; today bogus is bogus.
            status = !observation.tlsa.isEmpty && ruleSet == .internetnl2021 ? .failed : .noneBogus
        } else if observation.tlsa.isEmpty || observation.dnssec != .secure {
            if observation.dnssec == .error { findings.append(Finding("tlsa-lookup-error")) }
            if observation.dnssec == .insecure, !observation.tlsa.isEmpty { findings.append(Finding("tlsa-not-secure")) }
            status = DANEStatus.none
        } else if observation.bogusNXDOMAINAtName {
            findings.append(Finding("tlsa-name-nxdomain-bogus"))
            status = .noneBogus
        } else if counted.records.isEmpty {
            if service == .mail { findings.append(Finding("tlsa-only-pkix-usages")) }
            status = counted.unparsable.isEmpty ? DANEStatus.none : .failed
        } else if let verification {
            findings += verificationFindings(verification)
            status = verification.isValid ? .validated : .failed
        } else {
            status = nil
        }
        return result(service: service, status: status, records: counted.records,
                      rollover: counted.rollover, findings: findings)
    }

    private static func verificationFindings(_ v: DANEVerification) -> [Finding] {
        var out = v.unusableRecords.map { Finding("tlsa-unusable", subject: $0.description) }
        if v.noUsableRecords { out.append(Finding("no-usable-tlsa")) }
        if let matched = v.matchedRecord, let depth = v.matchDepth {
            out.append(Finding("tlsa-matched", subject: matched.description, detail: "depth \(depth)"))
        }
        if v.verifyError != 0 {
            out.append(Finding("verify-error", subject: String(v.verifyError), detail: v.verifyErrorText))
        }
        return out
    }

    /// Builds the subtests; `status` nil means records exist but could not be matched.
    private static func result(service: DANEService, status: DANEStatus?, records: [TLSARecord],
                               rollover: Bool, findings: [Finding]) -> DANEResult {
        // Web: exists info, valid optional (notice), no rollover subtest (disabled upstream).
        // Mail: each is informational until tested, then exists/valid mandatory, rollover info.
        let web = service == .web
        let tested: Requirement = web ? .informational : .mandatory
        let untested: Requirement = web ? .optional : .informational
        var subtests: [SubtestResult] = []
        let recordFindings = records.map { Finding("tlsa-record", subject: $0.description) }
        switch status {
        case .none?, .noneBogus?:
            let code = status == .noneBogus ? "dane-bogus" : "dane-none"
            subtests.append(SubtestResult(name: "dane_exists", status: .failed, requirement: tested,
                                          findings: [Finding(code)] + findings))
            subtests.append(SubtestResult(name: "dane_valid", status: .notTested, requirement: untested))
            if !web { subtests.append(SubtestResult(name: "dane_rollover", status: .notTested, requirement: .informational)) }
            return DANEResult(status: status, records: [], rollover: false, subtests: subtests)
        case .validated?, .failed?, nil:
            subtests.append(SubtestResult(name: "dane_exists", status: .passed, requirement: tested,
                                          findings: recordFindings))
            let validStatus: Status = switch status {
            case .validated?: .passed
            case .failed?: .failed
            default: .notTested
            }
            subtests.append(SubtestResult(name: "dane_valid", status: validStatus,
                                          requirement: web ? .optional : (status == nil ? .informational : .mandatory),
                                          findings: findings))
            if !web {
                subtests.append(SubtestResult(name: "dane_rollover", status: rollover ? .passed : .failed,
                                              requirement: .informational,
                                              findings: rollover ? [] : [Finding("no-rollover-scheme")]))
            }
            return DANEResult(status: status, records: records, rollover: rollover, subtests: subtests)
        }
    }
}
