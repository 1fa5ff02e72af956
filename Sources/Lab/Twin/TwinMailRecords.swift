import PeilModel
import Foundation

/// The `internetnl-2021` reading of SPF and DMARC records, as far as the twin's expected
/// statuses need it: the lab's own judgement of the records it publishes, so that the truth
/// follows the world file. (Peil's checks are written independently in the mail issue.)
enum TwinMailRecords {
    /// The DNS-lookup budget of RFC 7208.
    static let lookupBudget = 10

    /// Why an SPF policy fails, or nil when it passes. `lookup` gives the TXT records of a
    /// name (nil: the name does not exist).
    static func spfPolicyProblem(_ record: String, lookup: (String) -> [String]?) -> String? {
        var lookups = 0
        var problem: String?
        func walk(_ record: String, depth: Int, top: Bool) {
            guard problem == nil else { return }
            guard depth < 12 else { problem = "include loop"; return }
            let terms = record.split(separator: " ").map(String.init).dropFirst()
            var all: String?
            var redirect: String?
            for term in terms {
                let lower = term.lowercased()
                let body = lower.drop { "+-~?".contains($0) }
                if body == "all" { all = String(lower.prefix(lower.count - 3)); continue }
                if body.hasPrefix("redirect=") { redirect = String(body.dropFirst(9)); continue }
                if body.hasPrefix("include:") {
                    lookups += 1
                    let target = String(body.dropFirst(8))
                    guard let included = lookup(target)?.filter(isSPF), included.count == 1 else {
                        problem = "include:\(target) does not resolve to one SPF record"
                        return
                    }
                    walk(included[0], depth: depth + 1, top: false)
                    continue
                }
                if ["a", "mx", "ptr"].contains(body) || ["a:", "mx:", "ptr:", "exists:", "a/", "mx/"].contains(where: body.hasPrefix) {
                    lookups += 1
                    continue
                }
                if body.hasPrefix("ip4:") || body.hasPrefix("ip6:") || body.contains("=") { continue }
                problem = "unknown term '\(term)'"
                return
            }
            guard top, problem == nil else { return }
            if let qualifier = all {
                if qualifier != "-" && qualifier != "~" { problem = "'\(qualifier)all' lets anyone send" }
            } else if let target = redirect {
                lookups += 1
                guard let next = lookup(target)?.filter(isSPF), next.count == 1 else {
                    problem = "redirect=\(target) does not resolve to one SPF record"
                    return
                }
                walk(next[0], depth: depth + 1, top: true)
            } else {
                problem = "no 'all' and no redirect"
            }
        }
        walk(record, depth: 0, top: true)
        if problem == nil && lookups > lookupBudget { problem = "\(lookups) DNS lookups, more than \(lookupBudget)" }
        return problem
    }

    static func isSPF(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
    }

    static func isDMARC(_ text: String) -> Bool {
        text.lowercased().replacingOccurrences(of: " ", with: "").hasPrefix("v=dmarc1")
    }

    /// The tags of a DMARC record in order, names lower case.
    static func tags(_ record: String) -> [(name: String, value: String)] {
        record.split(separator: ";").compactMap { part in
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2 else { return nil }
            return (pieces[0].lowercased(), pieces[1])
        }
    }

    static let knownDMARCTags: Set<String> = ["v", "p", "sp", "rua", "ruf", "pct", "adkim", "aspf", "fo", "rf", "ri"]

    /// The policy status of one DMARC record: failed, warning or passed, and why.
    /// `authorised` says whether `host` has accepted reports for `domain`.
    static func dmarcPolicy(_ record: String, domain: String, organisational: String,
                            authorised: (String) -> Bool) -> (status: Status, because: String) {
        let tags = tags(record)
        guard tags.count >= 2, tags[0].name == "v", tags[1].name == "p" else {
            return (.failed, "'v=DMARC1' must be first and 'p' second")
        }
        if let unknown = tags.first(where: { !knownDMARCTags.contains($0.name) }) {
            return (.failed, "unknown tag '\(unknown.name)'")
        }
        let policy = tags[1].value.lowercased()
        guard policy == "quarantine" || policy == "reject" else { return (.failed, "p=\(policy)") }
        for tag in tags where tag.name == "rua" || tag.name == "ruf" {
            for destination in tag.value.split(separator: ",") {
                guard let at = destination.lastIndex(of: "@") else { continue }
                let host = String(destination[destination.index(after: at)...]).lowercased()
                if TwinNames.organisational(host) != organisational && !authorised(host) {
                    return (.warning, "\(tag.name) to \(host) without \(domain)._report._dmarc.\(host)")
                }
            }
        }
        return (.passed, "p=\(policy)")
    }
}

/// Names the twin's rules need.
enum TwinNames {
    /// The organisational domain: the last two labels (every suffix the twin uses is a TLD).
    static func organisational(_ name: String) -> String {
        name.split(separator: ".").suffix(2).joined(separator: ".")
    }
}
