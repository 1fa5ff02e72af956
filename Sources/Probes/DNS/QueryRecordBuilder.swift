import PeilModel

/// Turns libunbound outcomes into a ``PeilModel/DNSQueryRecord``. Pure.
///
/// Status: `secure` when the answer validated; `bogus` when validation failed; `insecure`
/// for an unvalidated NOERROR/NXDOMAIN; `error` for anything else (SERVFAIL, REFUSED, timeout,
/// local failure). A bogus answer is a SERVFAIL to a validating client, but Peil also asks a
/// non-validating context (the CD-bit view) and reports that answer's rcode and records, with
/// the status staying `bogus` and the reason being libunbound's `why_bogus`.
enum QueryRecordBuilder {
    /// Whether the validated outcome calls for asking again without validation.
    static func needsUnvalidatedAnswer(_ outcome: UnboundOutcome) -> Bool {
        if case .answered(let answer) = outcome { return answer.bogus }
        return false
    }

    static func record(name: String, type: DNSRecordType, validated: UnboundOutcome,
                       unvalidated: UnboundOutcome? = nil, timeout: Duration) -> DNSQueryRecord {
        func failure(_ rcode: String, _ reason: String) -> DNSQueryRecord {
            DNSQueryRecord(name: name, type: type.mnemonic, rcode: rcode, dnssec: .error, reason: reason, records: [])
        }
        let answer: UnboundAnswer
        switch validated {
        case .timedOut: return failure(DNSResponseCode.timeout, "no answer within \(timeout)")
        case .failed(let message): return failure(DNSResponseCode.error, message)
        case .answered(let validatedAnswer): answer = validatedAnswer
        }
        if answer.bogus {
            let reason = answer.whyBogus ?? "validation failed"
            // Prefer the non-validating view; fall back to whatever the validating answer held.
            var view = answer
            if case .answered(let unchecked)? = unvalidated { view = unchecked }
            let parsed = try? DNSAnswerParser.parse(view.packet, type: type)
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: DNSResponseCode.mnemonic(view.rcode),
                                  dnssec: .bogus, reason: reason, records: parsed?.records ?? [])
        }
        let rcode = DNSResponseCode.mnemonic(answer.rcode)
        let status: DNSSECStatus = answer.secure ? .secure : (answer.rcode == 0 || answer.rcode == 3) ? .insecure : .error
        guard status != .error else {
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: rcode, dnssec: .error, reason: answer.whyBogus, records: [])
        }
        do {
            let parsed = try DNSAnswerParser.parse(answer.packet, type: type)
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: rcode, dnssec: status, records: parsed.records)
        } catch {
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: rcode, dnssec: .error, reason: error.description, records: [])
        }
    }
}
