@testable import Serve
import Synchronization
import XCTest

/// The cache of judged report inputs (`LoadCache`): finished values are loaded once and kept
/// for their lifetime, running ones each time, and concurrent askers share one load.
final class LoadCacheTests: XCTestCase {
    /// Counts loads; each load returns its own number.
    final class Loads: Sendable {
        let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
        var total: Int { count.withLock { $0 } }
    }

    func testAFinishedValueIsLoadedOnceAndARunningOneEachTime() async throws {
        let cache = LoadCache<String, Int>(lifetime: .seconds(60))
        let loads = Loads()
        for _ in 0..<3 {
            let value = try await cache.value("done", finished: { true }, load: { loads.next() })
            XCTAssertEqual(value, 1)
        }
        XCTAssertEqual(loads.total, 1)
        var running: [Int] = []
        for _ in 0..<3 { running.append(try await cache.value("running", finished: { false }, load: { loads.next() })) }
        XCTAssertEqual(running, [2, 3, 4], "a value that may still change is loaded on every ask")
        let kept = await cache.count
        XCTAssertEqual(kept, 1)
    }

    func testAKeptValueExpiresAndRemoveAllForgetsIt() async throws {
        let cache = LoadCache<String, Int>(lifetime: .milliseconds(50))
        let loads = Loads()
        _ = try await cache.value("a", finished: { true }, load: { loads.next() })
        try await Task.sleep(for: .milliseconds(120))
        let afterExpiry = try await cache.value("a", finished: { true }, load: { loads.next() })
        XCTAssertEqual(afterExpiry, 2)
        await cache.removeAll()
        let afterRemoval = try await cache.value("a", finished: { true }, load: { loads.next() })
        XCTAssertEqual(afterRemoval, 3)
    }

    func testConcurrentAskersShareOneLoadAndAFailedLoadIsNotKept() async throws {
        let cache = LoadCache<String, Int>(lifetime: .seconds(60))
        let loads = Loads()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value("shared", finished: { true }, load: {
                        try await Task.sleep(for: .milliseconds(100))
                        return loads.next()
                    })
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(values, Array(repeating: 1, count: 20))
        XCTAssertEqual(loads.total, 1)

        struct Refused: Error {}
        do {
            _ = try await cache.value("failing", finished: { true }, load: { throw Refused() })
            XCTFail("the load's error was not thrown")
        } catch is Refused {}
        let retried = try await cache.value("failing", finished: { true }, load: { loads.next() })
        XCTAssertEqual(retried, 2, "a failed load is asked again")
    }

    func testOverCapacityTheValueThatExpiresFirstGoes() async throws {
        let cache = LoadCache<Int, Int>(lifetime: .seconds(60), capacity: 2)
        let loads = Loads()
        for key in 0..<3 { _ = try await cache.value(key, finished: { true }, load: { loads.next() }) }
        let kept = await cache.count
        XCTAssertEqual(kept, 2)
        let first = try await cache.value(0, finished: { true }, load: { loads.next() })
        XCTAssertEqual(first, 4, "the oldest value was evicted and loaded again")
        let third = try await cache.value(2, finished: { true }, load: { loads.next() })
        XCTAssertEqual(third, 3, "the newest value stayed")
    }
}
