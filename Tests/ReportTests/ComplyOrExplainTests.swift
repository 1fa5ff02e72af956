import Foundation
import PeilTestSupport
import XCTest

/// Comply or explain from the command line: the March 2021 results with their formal reactions,
/// explanations (one expired, one on a passed cell, one on the web test's ipv6_nameserver only),
/// and the report's explained counts and both adoption figures, computed here from the CSV.
final class ComplyOrExplainTests: DatabaseTestCase {
    /// `mail.csv` (or `web.csv`, `www.` taken off) as the test reads it: per domain its formal reaction and its status words by column.
    struct MailRow {
        var domain: String
        var formalReaction: Bool
        var statuses: [String: String]
    }

    static func mailRows(_ file: String = "mail.csv") throws -> [MailRow] {
        let text = try String(contentsOf: ReportFixtures.primaryFolder.appendingPathComponent(file), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        return lines.dropFirst().map { fields in
            MailRow(domain: fields[0].hasPrefix("www.") ? String(fields[0].dropFirst(4)) : fields[0], formalReaction: fields[2] == "yes",
                    statuses: Dictionary(uniqueKeysWithValues: zip(header.dropFirst(3), fields.dropFirst(3))))
        }
    }

    func testExplanationsAndFormalReactionsInTheReport() throws {
        let imported = try ReportCommandTests.peil(["import-results", "--measurement", "march-2021", "--date", "2021-03-31",
                                                    ReportFixtures.primaryFolder.path] + databaseArguments)
        XCTAssertEqual(imported.status, 0, imported.output)
        let rows = try Self.mailRows()
        let failedDANE = rows.filter { $0.statuses["dane"] == "failed" }.map(\.domain).sorted()
        let passedDANE = try XCTUnwrap(rows.first { $0.statuses["dane"] == "passed" }?.domain)
        XCTAssertGreaterThan(failedDANE.count, 3)
        let (open, dated, expired) = (failedDANE[0], failedDANE[1], failedDANE[2])

        func explain(_ arguments: [String]) throws -> String {
            let result = try ReportCommandTests.peil(["explain"] + arguments + databaseArguments)
            XCTAssertEqual(result.status, 0, result.output)
            return result.output
        }
        XCTAssertTrue(try explain([open, "mail.dane", "--text", "DANE comes with the new mail platform", "--by", "CISO"]).contains("by CISO on "))
        _ = try explain([dated, "dane", "--text", "migrating", "--until", "2021-06-30"])
        _ = try explain([expired, "mail.dane", "--text", "was due before the measurement", "--until", "2021-03-30"])
        _ = try explain([passedDANE, "mail.dane", "--text", "explains nothing: the cell passed"])
        // web and mail both have ipv6_nameserver: an explanation of one is not one of the other.
        let webFailed = Set(try Self.mailRows("web.csv").filter { $0.statuses["ipv6_nameserver"] == "failed" }.map(\.domain))
        let bothFailed = try XCTUnwrap(rows.first { $0.statuses["ipv6_nameserver"] == "failed" && webFailed.contains($0.domain) }?.domain)
        _ = try explain([bothFailed, "mail.ipv6_nameserver", "--text", "the registrar's nameservers have no IPv6"])
        let removable = try explain([open, "mail.dmarc", "--text", "withdrawn later"])
        let removableID = try XCTUnwrap(removable.split(separator: " ").dropFirst().first.map(String.init))
        XCTAssertTrue(try explain(["--remove", removableID]).hasPrefix("withdrawn: \(removableID) "))

        // Refusals name what is wrong; nothing is stored.
        for (arguments, message) in [
            (["nergens.example", "mail.dane", "--text", "x"], "domain 'nergens.example' is in no set"),
            ([open, "ipv6_nameserver", "--text", "x"], "is in both tests: say web.ipv6_nameserver or mail.ipv6_nameserver"),
            ([open, "mail.hsts", "--text", "x"], "unknown column 'mail.hsts'"),
            ([open, "mail.dane", "--text", "x", "--until", "2021-02-30"], "--until is a day YYYY-MM-DD, not '2021-02-30'"),
            ([open, "mail.dane"], "give the explanation with --text"),
            (["--remove", "999999"], "there is no explanation 999999"),
        ] {
            let refused = try ReportCommandTests.peil(["explain"] + arguments + databaseArguments)
            XCTAssertNotEqual(refused.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(refused.output.contains(message), refused.output)
        }
        let list = try explain(["--list"]).split(separator: "\n")
        XCTAssertEqual(list.count, 5, list.joined(separator: "\n"))
        XCTAssertTrue(list.contains { $0.contains("mail.dane  \(dated)  by ") && $0.hasSuffix("(until 2021-06-30): migrating") }, list.joined(separator: "\n"))

        let out = try ReportFixtures.scratch("explain")
        let report = try ReportCommandTests.peil(["report", "--measurement", "march-2021", "--out", out.path] + databaseArguments)
        XCTAssertEqual(report.status, 0, report.output)

        // Expected figures from mail.csv: adoption counts every failure; without explained ones,
        // the two that count (no end; until after the measurement) leave the denominator.
        let dane = rows.map { $0.statuses["dane"] ?? "" }
        let adopted = dane.filter { ["passed", "warning", "info"].contains($0) }.count
        let judged = adopted + dane.filter { $0 == "failed" }.count
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let adoption = try XCTUnwrap(json["adoption"] as? [[String: Any]])
        func current(_ column: String) throws -> [String: Any] {
            let row = try XCTUnwrap(adoption.first { $0["set"] as? String == "primary" && $0["column"] as? String == column }, column)
            return try XCTUnwrap(row["current"] as? [String: Any])
        }
        let daneTally = try current("mail.dane")
        XCTAssertEqual(daneTally["explained_failed"] as? Int, 2)
        XCTAssertEqual(daneTally["judged"] as? Int, judged)
        XCTAssertEqual(try XCTUnwrap(daneTally["adoption"] as? Double), 100 * Double(adopted) / Double(judged), accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(daneTally["adoption_without_explained"] as? Double), 100 * Double(adopted) / Double(judged - 2), accuracy: 1e-4)
        XCTAssertEqual(try current("mail.ipv6_nameserver")["explained_failed"] as? Int, 1)
        XCTAssertEqual(try current("web.ipv6_nameserver")["explained_failed"] as? Int, 0, "the mail column's explanation is not the web column's")
        XCTAssertEqual(try current("mail.dmarc")["explained_failed"] as? Int, 0, "the withdrawn explanation no longer counts")

        // Per domain: explained failures are failed*, the expired one and the passed cell are as published.
        let domains = try String(contentsOf: out.appendingPathComponent("domains.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let header = domains[0].split(separator: ",").map(String.init)
        let daneIndex = try XCTUnwrap(header.firstIndex(of: "mail.dane")), reactionIndex = try XCTUnwrap(header.firstIndex(of: "formal_reaction"))
        func cells(_ domain: String) throws -> [String] {
            let line = try XCTUnwrap(domains.first { $0.hasPrefix(domain + ",") }, domain)
            return try ReportFixtures.csvFields(line)
        }
        XCTAssertEqual(try cells(open)[daneIndex], "failed*")
        XCTAssertEqual(try cells(dated)[daneIndex], "failed*")
        XCTAssertEqual(try cells(expired)[daneIndex], "failed")
        XCTAssertEqual(try cells(passedDANE)[daneIndex], "passed")
        // Formal reactions as published: every mail row with `yes`, and no other domain.
        let reacted = Set(rows.filter(\.formalReaction).map(\.domain))
        XCTAssertEqual(reacted.count, 16)
        let marked = try Set(domains.dropFirst().filter { try ReportFixtures.csvFields($0)[reactionIndex] == "mail" }
            .map { try ReportFixtures.csvFields($0)[0] })
        XCTAssertEqual(marked, reacted)
        XCTAssertTrue(try domains.dropFirst().allSatisfy { ["", "mail"].contains(try ReportFixtures.csvFields($0)[reactionIndex]) })

        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<summary>failed*</summary>").count - 1, 3, "two DANE cells and one mail IPv6 nameserver cell")
        XCTAssertTrue(html.contains("Explained by CISO on "), "the explanation is in the cell")
        XCTAssertEqual(html.components(separatedBy: "title=\"formal reaction filed\"").count - 1, 16)
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        let percent = { (value: Double) in String(format: "%.1f%%", (value * 10).rounded() / 10) }
        XCTAssertTrue(summary.contains("| DANE | \(percent(100 * Double(adopted) / Double(judged))) (\(adopted)/\(judged)); 2 explained*: "
            + "\(percent(100 * Double(adopted) / Double(judged - 2))) without |"), summary)
        XCTAssertTrue(summary.contains("16 domains filed a formal reaction"), summary)
    }
}
