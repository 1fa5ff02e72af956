import Foundation
import PeilTestSupport
import Report
import XCTest

/// HTML reports opened in headless Chromium (``Chromium``: offline, file:// only, in a network
/// namespace of its own when root): the full
/// twin's report renders with every section and its charts, and a report made of hostile
/// values (``HostileReport``) gets no element, attribute or handler it does not make itself
/// (checked in the live DOM by ``DOMCheck``'s helper).
final class ChromiumRenderTests: XCTestCase {
    func testChromiumRendersTheTwinReport() throws {
        guard let chromium = Chromium.binary else {
            throw XCTSkip("no Chromium binary (\(Chromium.candidates.joined(separator: ", "))): apt-get install chromium (ops/setup does)")
        }
        let out = try ReportFixtures.scratch("chromium")
        try ReportFiles.write(ReportBuilder.build(try ReportFixtures.twinInput()), to: out)
        let page = "file://" + out.appendingPathComponent("index.html").path
        let screenshot = out.appendingPathComponent("screenshot.png")
        let common = Chromium.flags(profile: out.appendingPathComponent("profile"))

        _ = try Self.run(chromium, common + ["--screenshot=" + screenshot.path, "--window-size=1280,4000", page])
        let size = (try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? NSNumber)?.intValue ?? 0
        print("screenshot: \(screenshot.path) (\(size) bytes)")
        XCTAssertGreaterThan(size, 50_000, "a 1280×4000 screenshot of charts and tables is not blank")
        let png = try Data(contentsOf: screenshot)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")

        let dom = try Self.run(chromium, common + ["--dump-dom", page])
        for section in HTMLReport.sections { XCTAssertTrue(dom.contains("<section id=\"\(section)\">"), "rendered DOM lacks \(section)") }
        XCTAssertGreaterThanOrEqual(dom.components(separatedBy: "<svg ").count - 1, 10, "rendered DOM has the SVG charts")
        XCTAssertTrue(dom.contains("<rect"), "the charts have bars")
    }

    /// Elements and attributes the report makes itself (HTML, and the SVG of its charts).
    static let ownElements: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "b", "br", "nav", "a", "section",
        "div", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "small", "span", "code", "footer",
        "svg", "rect", "text", "line",
    ]
    static let ownAttributes: Set<String> = [
        "lang", "charset", "http-equiv", "content", "name", "id", "class", "href", "title",
        "xmlns", "role", "width", "height", "viewBox", "font-family", "font-size", "x", "y", "x1", "y1", "x2", "y2",
        "fill", "stroke", "text-anchor", "dominant-baseline", "transform",
    ]

    /// What `dom-check.py` reports of the rendered page.
    struct RenderedPage: Decodable {
        var tags: [String: Int]
        var attributes: [String: Int]
        var hrefs: [String]
        var titles: [String]
        var text: String
        var headerBorder: String?
        var policy: String?
        var console: [String]
    }

    func testAHostileReportGetsNoElementOrHandlerInChromium() throws {
        try TestRequirements.require(.program(Chromium.candidates[0]), .program(Chromium.driver), .program(Chromium.python))
        let out = try ReportFixtures.scratch("chromium-hostile")
        try ReportFiles.write(HostileReport.report(), to: out)
        let page = "file://" + out.appendingPathComponent("index.html").path
        let helper = try DOMCheck.write(into: out)
        let command = Chromium.isolated(Chromium.python, [helper, Chromium.candidates[0], Chromium.driver, page]
                                            + Chromium.flags(profile: out.appendingPathComponent("profile")))
        let result = try TestProcess.run(command.program, command.arguments, timeout: .seconds(120))
        if result.status == 77 { throw XCTSkip("needs python3-selenium: \(result.standardError)") }
        XCTAssertEqual(result.status, 0, "dom-check.py: \(result.standardError)\(result.timedOut ? " (timed out)" : "")")
        let rendered = try JSONDecoder().decode(RenderedPage.self, from: Data(result.standardOutput.utf8))

        for tag in ["script", "img", "iframe", "textarea"] { XCTAssertNil(rendered.tags[tag], "the page has a <\(tag)>") }
        XCTAssertEqual(Set(rendered.tags.keys).subtracting(Self.ownElements), [], "elements the report does not make")
        XCTAssertEqual(rendered.attributes.keys.filter { $0.lowercased().hasPrefix("on") }, [], "event handler attributes")
        XCTAssertEqual(Set(rendered.attributes.keys).subtracting(Self.ownAttributes), [], "attributes the report does not make")
        XCTAssertEqual(rendered.hrefs.filter { !$0.hasPrefix("#") }, [], "links out of the page")
        XCTAssertGreaterThanOrEqual(rendered.tags["svg"] ?? 0, 5, "the charts are drawn")

        // Each hostile value is text (or a tooltip), as the parser reads it: CR LF and CR are LF.
        let shown = rendered.text + "\n" + rendered.titles.joined(separator: "\n")
        for value in HostileReport.values {
            let parsed = value.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            XCTAssertTrue(shown.contains(parsed), "not shown as text: \(value.debugDescription)")
        }
        XCTAssertTrue(rendered.titles.contains(HostileReport.combiningQuote), "the organisation's tooltip holds the whole value")

        XCTAssertEqual(rendered.policy, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
        XCTAssertEqual(rendered.headerBorder, "3px", "the inline style sheet applies under the policy")
        XCTAssertEqual(rendered.console.filter { $0.contains("Content Security Policy") || $0.contains("Refused") }, [],
                       "the page needs nothing its policy refuses")
    }

    /// Runs Chromium (at most two minutes, ``Chromium/isolated(_:_:)``) and returns its standard output.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let command = Chromium.isolated(executable, arguments)
        let result = try TestProcess.run(command.program, command.arguments, timeout: .seconds(120))
        XCTAssertEqual(result.status, 0, "chromium \(arguments.last ?? "") exited with \(result.status)\(result.timedOut ? " (timed out)" : "")")
        return result.standardOutput
    }
}
