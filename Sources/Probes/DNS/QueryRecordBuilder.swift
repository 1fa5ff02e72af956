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

    /// The zone whose keys a bogus answer's reason says did not come, and what to ask it for
    /// (48, DNSKEY, or 43, DS); nil for any other reason. libunbound 1.17 words a key it did not
    /// get and a key that is not there alike (`validator.c`: "no DNSKEY rrset … for trust anchor
    /// Z" when priming, "No DNSKEY record … for key Z", "SERVFAIL no DS … for DS Z"), so the
    /// caller asks the zone itself (ARCHITECTURE.md, "A silent nameserver"). A reason that quotes
    /// an earlier failure names its zone last; the last failure named counts.
    static func keysNotFetched(_ outcome: UnboundOutcome) -> (zone: String, type: UInt16)? {
        guard case .answered(let answer) = outcome, answer.bogus, let reason = answer.whyBogus else { return nil }
        let wordings: [(String, String, UInt16)] = [("no DNSKEY rrset", "for trust anchor ", 48), ("No DNSKEY record", "for key ", 48), ("SERVFAIL no DS", "for DS ", 43)]
        var last: (at: String.Index, zone: String, type: UInt16)?
        for (failure, lead, type) in wordings {
            guard let failed = reason.range(of: failure, options: .backwards),
                  let named = reason.range(of: lead, range: failed.upperBound..<reason.endIndex) else { continue }
            let zone = reason[named.upperBound...].prefix { $0 != " " }
            guard !zone.isEmpty, last.map({ failed.lowerBound > $0.at }) ?? true else { continue }
            last = (failed.lowerBound, String(zone), type)
        }
        return last.map { ($0.zone, $0.type) }
    }

    /// Whether the keys asked of the non-validating context came: an answer that says what the
    /// zone holds (NOERROR, even without them, or NXDOMAIN), not a failure or a timeout.
    static func keysCame(_ outcome: UnboundOutcome) -> Bool {
        if case .answered(let answer) = outcome { return answer.rcode == 0 || answer.rcode == 3 }
        return false
    }

    /// Whether the keys asked of the non-validating context came with records: the zone
    /// publishes them, so a validator that says they are missing failed to fetch them.
    static func keysArePublished(_ outcome: UnboundOutcome) -> Bool {
        guard case .answered(let answer) = outcome, answer.rcode == 0, answer.packet.count >= 12 else { return false }
        return answer.packet[6] != 0 || answer.packet[7] != 0
    }

    /// A bogus record whose zone's keys did not come even when asked for themselves: not proof
    /// of a broken chain, so `error`, with the validator's reason kept.
    static func keysDidNotCome(_ record: DNSQueryRecord, zone: String, type: UInt16) -> DNSQueryRecord {
        chainNotChecked(record, "the \(keyName(type)) of \(zone) did not come within the nameserver wait")
    }

    /// A fresh validator's record, noting why it was asked (after its own reason, as
    /// ``AnswerCaps`` notes a cut).
    static func validatedAfresh(_ record: DNSQueryRecord, zone: String) -> DNSQueryRecord {
        record.noting("validated afresh: the first validator held an earlier failure to fetch the keys of \(zone)")
    }

    /// A bogus record for want of keys that the zone does publish, which no fresh validator was
    /// free to check: the chain was not checked, so `error`, with the validator's reason kept.
    static func keysNotCheckedAfresh(_ record: DNSQueryRecord, zone: String, type: UInt16) -> DNSQueryRecord {
        chainNotChecked(record, "the \(keyName(type)) of \(zone) came when asked, but the validator still held an earlier failure to fetch it")
    }

    /// A bogus record turned `error` (SERVFAIL, no records): `why` the chain of trust was not
    /// checked, then the validator's own reason.
    private static func chainNotChecked(_ record: DNSQueryRecord, _ why: String) -> DNSQueryRecord {
        DNSQueryRecord(name: record.name, type: record.type, rcode: DNSResponseCode.mnemonic(2), dnssec: .error,
                       reason: "\(why), so the chain of trust was not checked (validator: \(record.reason ?? "bogus"))", records: [])
    }

    /// "DS" for type 43, else "DNSKEY".
    private static func keyName(_ type: UInt16) -> String { type == 43 ? "DS" : "DNSKEY" }

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
