import Foundation
import PeilModel
import XCTest

@testable import Store

/// The task gauges' count reads the index on measurement, state and kind alone (migration 23):
/// an index-only scan in the index's order, grouped as it goes, with no hash table and no pass
/// over the table's rows.
final class TaskCountPlanTests: StoreTestCase {
    private func nodes(_ plan: [String: Any]) -> [[String: Any]] {
        [plan] + ((plan["Plans"] as? [[String: Any]]) ?? []).flatMap(nodes)
    }

    func testTheCountIsAnIndexOnlyScanGroupedInOrder() throws {
        _ = try store.importSet(name: "count", entries: try plainEntries("count1.nl", "count2.nl", "count3.nl"))
        let measurement = try store.createMeasurement(sets: ["count"])
        // 30,000 tasks of three kinds and three states, so that the planner weighs a real table.
        try store.database.execute("""
            INSERT INTO tasks (measurement_id, kind, domain, web_host, family, address, endpoint_key, state, lease_expires_at, attempt)
            SELECT \(measurement), (ARRAY['web', 'mail', 'reach'])[1 + g % 3], 'd' || g || '.nl', 'd' || g || '.nl', 'ipv4', '198.18.0.' || (g % 200), 'key ' || g,
                   s.state, CASE WHEN s.state = 'leased' THEN now() + interval '1 hour' END, CASE WHEN s.state = 'queued' THEN 0 ELSE 1 END
            FROM generate_series(1, 30000) AS g,
                 LATERAL (SELECT (ARRAY['queued', 'leased', 'done'])[1 + (g / 3) % 3] AS state) AS s
            """)
        try store.database.execute("VACUUM ANALYZE tasks")

        let explained: String = try store.database.query(SQLQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + PeilStore.taskStateCountsQuery.sql,
                                                                   binds: PeilStore.taskStateCountsQuery.binds)).single().decode("QUERY PLAN")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(explained.utf8)) as? [[String: Any]])
        let all = nodes(try XCTUnwrap(document.first?["Plan"] as? [String: Any]))
        let outer = all.filter { $0["Alias"] as? String == "tasks" }
        XCTAssertEqual(outer.map { $0["Node Type"] as? String }, ["Index Only Scan"], "\(outer)")
        XCTAssertEqual(outer.first?["Index Name"] as? String, "tasks_measurement_state_kind")
        XCTAssertFalse(all.contains { $0["Node Type"] as? String == "Aggregate" && $0["Strategy"] as? String == "Hashed" }, explained)

        let counted = try store.taskStateCounts()
        let expected = try store.database.query("""
            SELECT measurement_id, kind, state, count(*)::bigint AS count FROM tasks GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
            """).rows.map { TaskStateCount(measurementID: try $0.decode("measurement_id"), kind: try $0.decode("kind"),
                                           state: try $0.decode("state"), count: try $0.decode("count")) }
        XCTAssertEqual(counted, expected)
        XCTAssertEqual(counted.map(\.count).reduce(0, +), 30_003)
    }
}
