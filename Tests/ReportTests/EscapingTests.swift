import Foundation
import PeilModel
@testable import Report
import XCTest

/// The three escaping functions on values meant to break the report, and the rendered files of
/// a report built from such values (``HostileReport``).
final class EscapingTests: XCTestCase {
    typealias H = HostileReport

    // MARK: HTML

    func testHTMLEscapesAQuoteThatCarriesACombiningMark() {
        XCTAssertEqual(HTML.escape(H.combiningQuote), "&quot;\u{301} onmouseover=alert(1) x=&quot;")
        XCTAssertEqual(HTML.escape(H.combiningApostrophe), "&#39;\u{301} onfocus=alert(2) autofocus x=&#39;")
        XCTAssertEqual(HTML.escape("<\u{301}b>\u{301}&\u{301}"), "&lt;\u{301}b&gt;\u{301}&amp;\u{301}")
    }

    func testHTMLEscapesMarkup() {
        XCTAssertEqual(HTML.escape(H.scriptClose), "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;")
        XCTAssertEqual(HTML.escape(H.image), "&lt;img src=x onerror=alert(4)&gt;")
        XCTAssertEqual(HTML.escape(H.references), "&amp;amp; &amp;#60;b&amp;#62; &amp;lt;i&amp;gt;")
        XCTAssertEqual(HTML.escape("plain é ü 日本"), "plain é ü 日本")
    }

    /// No value ends an attribute or opens an element: the page holds none of the hostile
    /// markup, and no quote of a value survives (a quote before a combining mark did).
    func testTheHostileReportPageHoldsNoHostileMarkup() {
        let page = HTMLReport.render(H.report())
        for markup in ["<script", "<img", "<iframe", "</textarea", "</title></style>", "<svg onload"] {
            XCTAssertFalse(page.contains(markup), "the page contains \(markup)")
        }
        let scalars = Array(page.unicodeScalars)
        let quoteThenMark = zip(scalars, scalars.dropFirst()).contains { ($0 == "\"" || $0 == "'") && $1 == "\u{301}" }
        XCTAssertFalse(quoteThenMark, "a quote followed by a combining mark reached the page unescaped")
        XCTAssertTrue(page.contains("&quot;\u{301} onmouseover=alert(1)"))
    }

    func testThePageCarriesItsContentSecurityPolicyFirst() {
        let page = HTMLReport.render(H.report())
        let head = page.components(separatedBy: "</head>")[0]
        XCTAssertTrue(head.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
            + "content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; base-uri &#39;none&#39;; form-action &#39;none&#39;\">"), head)
    }

    // MARK: CSV

    func testCSVQuotesLineBreaksOfEveryKind() {
        XCTAssertEqual(CSV.field("a\r\nb"), "\"a\r\nb\"", "CR LF (one Character in Swift)")
        XCTAssertEqual(CSV.field("a\rb"), "\"a\rb\"", "a lone CR")
        XCTAssertEqual(CSV.field("a\nb"), "\"a\nb\"")
        XCTAssertEqual(CSV.field("a b"), "a b")
    }

    func testCSVQuotesQuotesAndCommasThatCarryACombiningMark() {
        XCTAssertEqual(CSV.field(H.combiningQuote), "\"\"\"\u{301} onmouseover=alert(1) x=\"\"\"")
        XCTAssertEqual(CSV.field(H.combiningComma), "\"x,\u{301}y\"")
        XCTAssertEqual(CSV.row(["a", "b,c", "d\"e"]), "a,\"b,c\",\"d\"\"e\"")
    }

    /// Every CSV file of the hostile report reads back, RFC 4180, with the header's number of
    /// fields on every row and the hostile values intact.
    func testTheHostileReportCSVFilesReadBack() throws {
        let report = H.report()
        let files = ["adoption.csv": CSVReport.adoption(report), "layers.csv": CSVReport.layers(report),
                     "domains.csv": CSVReport.domains(report), "suppliers.csv": CSVReport.suppliers(report)]
        for (name, text) in files {
            let rows = try Self.readCSV(text)
            XCTAssertGreaterThan(rows.count, 1, name)
            for (index, row) in rows.enumerated() { XCTAssertEqual(row.count, rows[0].count, "\(name) row \(index + 1): \(row)") }
        }
        let domains = try Self.readCSV(files["domains.csv"]!)
        let organisation = try XCTUnwrap(domains[0].firstIndex(of: "organisation")), sets = try XCTUnwrap(domains[0].firstIndex(of: "sets"))
        XCTAssertEqual(Set(domains.dropFirst().map { $0[organisation] }), Set(H.values))
        XCTAssertTrue(domains.dropFirst().allSatisfy { $0[sets] == H.combiningQuote + " " + H.lineBreaks })
        XCTAssertEqual(domains.count, H.values.count + 2, "a header and one row per domain")
    }

    /// A strict RFC 4180 reader over UTF-8 bytes (records end at LF; CR only inside quotes).
    static func readCSV(_ text: String) throws -> [[String]] {
        struct Malformed: Error { var offset: Int }
        let bytes = Array(text.utf8)
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = []
        var index = 0, quoted = false
        func endField() { row.append(String(decoding: field, as: UTF8.self)); field = [] }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") { field.append(byte); index += 1 } else { quoted = false }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    guard field.isEmpty else { throw Malformed(offset: index) }
                    quoted = true
                case UInt8(ascii: ","): endField()
                case UInt8(ascii: "\n"): endField(); rows.append(row); row = []
                case UInt8(ascii: "\r"): throw Malformed(offset: index)
                default: field.append(byte)
                }
            }
            index += 1
        }
        guard !quoted, row.isEmpty, field.isEmpty else { throw Malformed(offset: index) }
        return rows
    }

    // MARK: Markdown

    func testMarkdownKeepsAValueInItsCell() {
        XCTAssertEqual(Markdown.text("a|b"), "a\\|b")
        XCTAssertEqual(Markdown.text("a\r\nb\rc\nd"), "a  b c d")
        XCTAssertEqual(Markdown.text("a\\|b"), "a\\\\\\|b", "a backslash before a pipe cannot unescape it")
        XCTAssertEqual(Markdown.text(H.image), "\\<img src=x onerror=alert(4)\\>")
        XCTAssertEqual(Markdown.text("[x](javascript:y) `c` *e* _u_"), "\\[x\\](javascript:y) \\`c\\` \\*e\\* \\_u\\_")
    }

    /// Every table of the hostile summary keeps its header's number of cells on every row
    /// (cells split as GitHub's tables do: at a `|` that no backslash escapes), and no raw `<`
    /// reaches the file.
    func testTheHostileSummaryTablesKeepTheirShape() {
        let report = H.report()
        let summary = MarkdownReport.summary(report)
        let tables = [summary.components(separatedBy: "\n"), MarkdownReport.adoptionTable(report),
                      MarkdownReport.measurementsTable(report, set: H.combiningQuote)]
        for lines in tables {
            var width: Int?
            for line in lines {
                guard line.hasPrefix("|") else { width = nil; continue }
                let cells = Self.markdownCells(line)
                if let width { XCTAssertEqual(cells, width, line) } else { width = cells }
            }
        }
        XCTAssertFalse(Self.hasUnescaped(UInt8(ascii: "<"), in: summary), summary)
        XCTAssertTrue(summary.contains("a\\|b  c d e,f"), "the set name with its breaks as spaces")
    }

    /// The cells of a table row: `|`s not escaped by a backslash, less the outer two.
    static func markdownCells(_ line: String) -> Int {
        var pipes = 0, escaped = false
        for byte in line.utf8 {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "|") { pipes += 1 }
        }
        return pipes - 1
    }

    static func hasUnescaped(_ character: UInt8, in text: String) -> Bool {
        var escaped = false
        for byte in text.utf8 {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == character { return true }
        }
        return false
    }

    // MARK: JSON

    /// `report.json` gives the hostile values back as they were.
    func testTheHostileReportJSONReadsBack() throws {
        let report = H.report()
        let out = try ReportFixtures.scratch("hostile-json")
        try ReportFiles.write(report, to: out)
        let decoded = try JSONDecoder().decode(Report.self, from: Data(contentsOf: out.appendingPathComponent("report.json")))
        XCTAssertEqual(decoded.domains, report.domains)
        XCTAssertEqual(decoded.sets.map(\.name), [H.combiningQuote, H.lineBreaks])
        XCTAssertEqual(decoded.measurement.name, H.scriptClose)
    }
}
