import Telemetry
import Testing

/// The share of a window spent on timed work (the ingest bench's `claim busy`).
@Suite struct BusyShareTests {
    let start = ContinuousClock.now
    var window: ClosedRange<ContinuousClock.Instant> { start...(start + .seconds(10)) }

    func piece(endingAt seconds: Double, lasting duration: Double) -> BusyShare.Interval {
        BusyShare.Interval(ended: start + .milliseconds(Int64(seconds * 1000)), duration: .milliseconds(Int64(duration * 1000)))
    }

    @Test func piecesInsideTheWindowCountWhole() {
        let pieces = [piece(endingAt: 2, lasting: 1), piece(endingAt: 5, lasting: 2.5)]
        #expect(abs(BusyShare.share(of: pieces, within: window) - 0.35) < 1e-9)
    }

    @Test func piecesAcrossTheWindowsEdgesCountOnlyTheirPartInside() {
        // 1 s before the start and 1 s inside; 2 s inside and 3 s after the end.
        let pieces = [piece(endingAt: 1, lasting: 2), piece(endingAt: 13, lasting: 5)]
        #expect(abs(BusyShare.share(of: pieces, within: window) - 0.3) < 1e-9)
    }

    @Test func piecesOutsideTheWindowDoNotCount() {
        let pieces = [piece(endingAt: -1, lasting: 3), piece(endingAt: 14, lasting: 3.5), piece(endingAt: 0, lasting: 1)]
        #expect(BusyShare.share(of: pieces, within: window) == 0)
    }

    @Test func aPieceLongerThanTheWindowFillsIt() {
        #expect(BusyShare.share(of: [piece(endingAt: 12, lasting: 20)], within: window) == 1)
    }

    @Test func anEmptyWindowAndANegativeDurationGiveNothing() {
        #expect(BusyShare.share(of: [piece(endingAt: 0, lasting: 1)], within: start...start) == 0)
        #expect(BusyShare.share(of: [piece(endingAt: 5, lasting: -2)], within: window) == 0)
    }
}
