import ArgumentParser
import Checks
import DANE
import Foundation
import PeilModel

/// `peil lint tlsa RECORD…`: the TLSA records of one service name, as the DANE checks read them.
struct LintTLSACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsa",
        abstract: "Judge TLSA records ('usage selector type hex'): syntax, digest length, which count, the rollover scheme.",
        discussion: "Matching against a server's certificate chain is not done here: that needs the chain the server presents."
    )

    @Argument(help: "The TLSA record data, e.g. '3 1 1 0a1b…' (repeat for a set).")
    var records: [String]

    @Option(help: "The service: mail (_25._tcp, usages 2 and 3 count) or web (_443._tcp).")
    var service: String = "mail"

    @OptionGroup var output: LintOutputOptions

    func validate() throws {
        guard DANEService(rawValue: service) != nil else { throw ValidationError("--service is mail or web") }
    }

    func run() async throws {
        let kind = DANEService(rawValue: service) ?? .mail
        var findings: [Finding] = []
        for text in records {
            do {
                let record = try TLSARecord(parsing: text)
                if let problem = Self.problem(record) {
                    findings.append(Finding("tlsa-unusable", subject: record.description, detail: problem))
                } else if kind == .mail, record.usage < TLSARecord.daneTA {
                    findings.append(Finding("tlsa-usage-not-for-mail", subject: record.description,
                                            detail: "usage \(record.usage) (PKIX) does not count for SMTP (RFC 7672): use 3 (DANE-EE) or 2 (DANE-TA)"))
                }
            } catch {
                findings.append(Finding("tlsa-unparsable", subject: text, detail: "\(error)"))
            }
        }
        let counted = DANECheck.countedRecords(records, service: kind)
        let usable = counted.records.filter { Self.problem($0) == nil }
        let status: Status
        let summary: String
        var subtest = "dane_exists"
        if usable.isEmpty {
            status = kind == .mail ? .failed : .info
            summary = findings.first.map { "no usable TLSA record: \($0.detail ?? $0.code)" } ?? "no TLSA record"
        } else if !findings.isEmpty {
            status = .warning
            summary = "\(usable.count) usable record(s), but: \(findings[0].detail ?? findings[0].code)"
        } else if kind == .mail, !counted.rollover {
            status = .info
            subtest = "dane_rollover"
            findings.append(Finding("tlsa-no-rollover", detail: "publish two usage-3 records (current and next key), or usage 3 and 2, to survive a key change"))
            summary = "usable; no rollover scheme (a second usage-3 record, or usage 3 plus 2)"
        } else {
            status = .passed
            summary = "\(usable.count) usable record(s)\(kind == .mail ? " with a rollover scheme" : "")"
        }
        try LintReport(kind: "TLSA", record: records.joined(separator: " | "), domain: nil, ruleSet: output.rules.rawValue,
                       subtest: subtest, status: status, verdict: status.rawValue, summary: summary,
                       findings: findings, notChecked: ["matching against the certificate chain the server presents, and DNSSEC of the TLSA name"])
            .emit(json: output.json)
    }

    /// Why OpenSSL would not use this record, if it would not.
    static func problem(_ record: TLSARecord) -> String? {
        guard record.usage <= 3 else { return "usage \(record.usage) is not 0–3" }
        guard record.selector <= 1 else { return "selector \(record.selector) is not 0 (certificate) or 1 (public key)" }
        switch record.matchingType {
        case 0: return record.data.isEmpty ? "matching type 0 needs the full certificate or key" : nil
        case 1: return record.data.count == 32 ? nil : "matching type 1 (SHA-256) needs 32 bytes, got \(record.data.count)"
        case 2: return record.data.count == 64 ? nil : "matching type 2 (SHA-512) needs 64 bytes, got \(record.data.count)"
        default: return "matching type \(record.matchingType) is not 0, 1 or 2"
        }
    }
}
