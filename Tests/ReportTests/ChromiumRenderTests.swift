import Foundation
import PeilTestSupport
import Report
import XCTest

/// The full twin's HTML report opened in headless Chromium (Debian package `chromium`): it
/// renders to a screenshot, and the rendered DOM has every section and its SVG charts.
final class ChromiumRenderTests: XCTestCase {
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    func testChromiumRendersTheTwinReport() throws {
        guard let chromium = Self.candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("no Chromium binary (\(Self.candidates.joined(separator: ", "))): apt-get install chromium (ops/setup does)")
        }
        let out = try ReportFixtures.scratch("chromium")
        try ReportFiles.write(ReportBuilder.build(try ReportFixtures.twinInput()), to: out)
        let page = "file://" + out.appendingPathComponent("index.html").path
        let screenshot = out.appendingPathComponent("screenshot.png")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + out.appendingPathComponent("profile").path]

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

    /// Runs Chromium (at most two minutes) and returns its standard output.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try TestProcess.run(executable, arguments, timeout: .seconds(120))
        XCTAssertEqual(result.status, 0, "chromium \(arguments.last ?? "") exited with \(result.status)\(result.timedOut ? " (timed out)" : "")")
        return result.standardOutput
    }
}
