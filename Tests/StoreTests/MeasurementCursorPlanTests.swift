import Foundation
import PeilModel
import XCTest

@testable import Store

/// The cursor sorts a measurement's task rows, not its observations: each observation is read
/// above the sort, as its batch is fetched, so the first FETCH does not grow with the
/// measurement's stored bytes.
final class MeasurementCursorPlanTests: StoreTestCase {
    /// Every node of a plan (EXPLAIN's JSON), depth first.
    private func nodes(_ plan: [String: Any]) -> [[String: Any]] {
        [plan] + ((plan["Plans"] as? [[String: Any]]) ?? []).flatMap(nodes)
    }

    func testTheSortHoldsNoObservation() throws {
        _ = try store.importSet(name: "plan", entries: try plainEntries("plan1.nl", "plan2.nl", "plan3.nl"))
        let measurement = try store.createMeasurement(sets: ["plan"])
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 3, leaseSeconds: 300)
        for task in tasks where task.kind == .resolve {
            _ = try store.recordReport(TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                                  resolution: observation(for: task.domain)), agentID: "agent-1", maxAttempts: 2)
        }
        let query = MeasurementCursor.domainsQuery(measurementID: measurement)
        let explained: String = try store.database.query(SQLQuery(unsafeSQL: "EXPLAIN (VERBOSE, FORMAT JSON) " + query.sql, binds: query.binds))
            .single().decode("QUERY PLAN")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(explained.utf8)) as? [[String: Any]])
        let plan = try XCTUnwrap(document.first?["Plan"] as? [String: Any])
        let sorts = nodes(plan).filter { $0["Node Type"] as? String == "Sort" }
        XCTAssertEqual(sorts.count, 1, "one sort, by name")
        for sort in sorts {
            let output = (sort["Output"] as? [String]) ?? []
            XCTAssertTrue(output.contains { $0.contains("domain") }, "the sort has the names: \(output)")
            XCTAssertFalse(output.contains { $0.contains("observation") || $0.contains("SubPlan") }, "the sort carries observations: \(output)")
        }

        // And the cursor reads every domain, in name order, with its observation.
        let cursor = try MeasurementCursor(store: store, measurementID: measurement, batchSize: 2)
        var read: [StoredDomain] = []
        while let batch = try cursor.next() { read += batch }
        XCTAssertEqual(read.map(\.name), ["plan1.nl", "plan2.nl", "plan3.nl"])
        XCTAssertEqual(read.map { $0.resolution?.facts.domain }, ["plan1.nl", "plan2.nl", "plan3.nl"])
    }
}
