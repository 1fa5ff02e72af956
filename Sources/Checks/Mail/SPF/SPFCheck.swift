import PeilModel
/// The SPF existence subtest (`spf`) and the non-sending-domain reading of a record.
public enum SPFCheck {
    /// The TXT records Internet.nl takes for SPF: starting with `v=spf1`, any case.
    public static func records(_ txt: [String]) -> [String] {
        txt.filter { $0.lowercased().hasPrefix("v=spf1") }
    }

    /// Exactly one SPF record passes; none or several fail; a failed lookup is an error.
    public static func existence(_ answer: MailDNSAnswer) -> SubtestResult {
        let found = records(answer.records)
        let status: Status
        let finding: Finding
        switch answer {
        case .failure(let why):
            status = .error
            finding = Finding("spf-lookup-failed", detail: "the TXT lookup failed: \(why)")
        default:
            status = found.count == 1 ? .passed : .failed
            finding = found.count == 1 ? Finding("spf-found", subject: found[0], detail: "one SPF record")
                : found.isEmpty ? Finding("spf-missing", detail: "no TXT record starts with 'v=spf1'")
                : Finding("spf-multiple", subject: found.joined(separator: " | "),
                          detail: "\(found.count) SPF records: receivers return permerror; publish exactly one")
        }
        return SubtestResult(name: "spf", status: status, requirement: .mandatory, findings: [finding])
    }

    /// Whether a record says the domain sends no mail, as Internet.nl reads it
    /// (`SPF_NON_SENDING_POLICY`): `v=spf1`, spaces, `-all` (optionally followed by `;`), with
    /// at most an `exp=` term before or after it. Case-sensitive, like Internet.nl.
    public static func isNonSending(_ record: String) -> Bool {
        guard record.hasPrefix("v=spf1 ") else { return false }
        let words = record.dropFirst(6).split(separator: " ", omittingEmptySubsequences: true)
        guard !record.hasSuffix(" "), let all = words.firstIndex(where: { $0 == "-all" || $0 == "-all;" }) else { return false }
        let before = words[..<all]
        let after = words[(all + 1)...]
        func isExp(_ word: Substring) -> Bool { word.hasPrefix("exp=") && word.count > 4 }
        return before.count <= 1 && before.allSatisfy(isExp) && after.count <= 1 && after.allSatisfy(isExp)
    }
}
