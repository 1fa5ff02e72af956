import PeilModel
import Report
import XCTest

/// The adoption formula on hand-made tallies.
final class TallyTests: XCTestCase {
    func testFormulaLeavesOtherWordsOut() {
        let tally = Tally([.passed, .warning, .info, .failed, .notTested, .error, .noMX, .failed] as [Status])
        XCTAssertEqual(tally.adopted, 3)
        XCTAssertEqual(tally.judged, 5)
        XCTAssertEqual(tally.adoption ?? 0, 60, accuracy: 1e-9)
        XCTAssertNil(Tally([Status.notTested]).adoption)
    }

    func testPointsFormatting() {
        XCTAssertEqual(Points.percent(83.349), "83.3%")
        XCTAssertEqual(Points.signed(-0.04), "0.0 pp")
        XCTAssertEqual(Points.signed(1.25), "+1.3 pp")
        XCTAssertEqual(Points.signed(-2.0), "−2.0 pp")
        XCTAssertEqual(Points.percent(nil), "–")
    }
}
