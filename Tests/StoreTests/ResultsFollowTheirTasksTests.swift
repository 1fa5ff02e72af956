import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// A result row has no foreign key (migration 20: the two checks cost every insert); a task's
/// result still goes when the task does, whether the task itself is deleted or its measurement.
final class ResultsFollowTheirTasksTests: StoreTestCase {
    private func storeResults(addresses: [String], count: Int) throws -> Int64 {
        let measurement = try SyntheticTasks.queueReach(in: store, addresses: addresses, count: count)
        let tasks = try store.claimTasks(agentID: "a", families: [.ipv4], limit: 100, leaseSeconds: 300, perAddress: 100)
        XCTAssertEqual(tasks.count, addresses.count * count)
        for task in tasks { XCTAssertEqual(try store.recordReport(Self.reached(task), agentID: "a", maxAttempts: 3), .stored) }
        return measurement
    }

    private func results(of measurement: Int64) throws -> Int {
        try count("SELECT count(*)::integer AS count FROM results WHERE measurement_id = \(measurement)")
    }

    func testDeletingAMeasurementDeletesItsResultsAndNoOthers() throws {
        let kept = try storeResults(addresses: ["198.18.20.1"], count: 3)
        let deleted = try storeResults(addresses: ["198.18.20.2", "198.18.20.3"], count: 2)
        XCTAssertEqual(try results(of: kept), 3)
        XCTAssertEqual(try results(of: deleted), 4)
        XCTAssertEqual(try store.database.execute("DELETE FROM measurements WHERE id = \(deleted)"), 1)
        XCTAssertEqual(try results(of: deleted), 0, "the measurement's tasks took their results with them")
        XCTAssertEqual(try results(of: kept), 3)
    }

    func testDeletingTasksDeletesTheirResultsOnly() throws {
        let measurement = try storeResults(addresses: ["198.18.21.1", "198.18.21.2"], count: 2)
        XCTAssertEqual(try store.database.execute("DELETE FROM tasks WHERE measurement_id = \(measurement) AND address = '198.18.21.1'"), 2)
        XCTAssertEqual(try results(of: measurement), 2)
        XCTAssertEqual(try count("""
            SELECT count(*)::integer AS count FROM results r JOIN tasks t ON t.id = r.task_id WHERE t.address = '198.18.21.2'
            """), 2)
    }

    func testResultsCarryNoForeignKey() throws {
        XCTAssertEqual(try count("""
            SELECT count(*)::integer AS count FROM pg_constraint WHERE conrelid = 'results'::regclass AND contype = 'f'
            """), 0, "each result inserted would run a check per key again")
    }
}
