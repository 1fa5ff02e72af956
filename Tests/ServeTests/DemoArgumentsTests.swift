import Foundation
import PeilTestSupport
import XCTest

/// `ops/demo`'s arguments, without running the demo: `--help` says what `--serve` does, an
/// unknown argument stops it before it does anything.
final class DemoArgumentsTests: XCTestCase {
    func testTheDemoTakesServeAndRefusesAnythingElse() throws {
        let demo = TestPaths.inRepository("ops/demo").path
        let help = try TestProcess.run("/bin/bash", [demo, "--help"])
        XCTAssertEqual(help.status, 0, help.standardError)
        XCTAssertTrue(help.standardOutput.contains("ops/demo --serve"), help.standardOutput)
        let unknown = try TestProcess.run("/bin/bash", [demo, "--serve", "--bogus"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.standardError.contains("unknown argument '--bogus'"), unknown.standardError)
    }
}
