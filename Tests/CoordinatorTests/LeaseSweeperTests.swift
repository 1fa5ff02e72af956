@testable import Coordinator
import Foundation
import Logging
import PeilTestSupport
import Store
import XCTest

/// One sweeper among the coordinators on a database: only the holder of the sweeper lock ends
/// expired leases, and when it stops (its lock's connection closes) another takes over.
final class LeaseSweeperTests: DatabaseTestCase {
    /// Queues `count` tasks and leases them with a lease that ended a minute ago.
    private func expiredLeases(_ count: Int) throws {
        let measurement = try SyntheticTasks.queueReach(in: store, addresses: ["198.18.8.1"], count: count)
        try store.database.execute("""
            UPDATE tasks SET state = 'leased', attempt = attempt + 1, leased_by = 'gone', lease_session = 'gone',
                             lease_expires_at = now() - interval '1 minute'
            WHERE measurement_id = \(measurement)
            """)
    }

    private func leased() throws -> Int {
        try store.database.query("SELECT count(*)::integer AS n FROM tasks WHERE state = 'leased'").single().decode("n")
    }

    func testOnlyOneCoordinatorSweepsAndAnotherTakesOverWhenItStops() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let logger = Logger(label: "lease-sweeper-tests")
        // Two coordinators' stores, each its own connection, as two coordinator processes have.
        var first: LeaseSweeper? = LeaseSweeper(store: PeilStore(database: try Database(connectionString: connection)), logger: logger)
        let second = LeaseSweeper(store: PeilStore(database: try Database(connectionString: connection)), logger: logger)

        try expiredLeases(3)
        XCTAssertEqual(first?.sweep(maxAttempts: 3), 3, "the first to ask becomes the sweeper")
        try expiredLeases(2)
        for _ in 0..<3 { XCTAssertNil(second.sweep(maxAttempts: 3), "the other coordinator does not sweep") }
        XCTAssertEqual(try leased(), 2, "its sweeps left the expired leases alone")
        XCTAssertFalse(second.isSweeper)
        XCTAssertEqual(first?.sweep(maxAttempts: 3), 2)
        XCTAssertEqual(first?.isSweeper, true)

        // The sweeper stops: its lock's connection closes, and the other takes over at a next sweep.
        first = nil
        try expiredLeases(4)
        var swept: Int?
        let deadline = Date().addingTimeInterval(10)
        while swept == nil, Date() < deadline {
            swept = second.sweep(maxAttempts: 3)
            if swept == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertEqual(swept, 4)
        XCTAssertTrue(second.isSweeper)
        XCTAssertEqual(try leased(), 0)
    }
}
