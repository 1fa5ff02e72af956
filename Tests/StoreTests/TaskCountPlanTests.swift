import Foundation
import PeilModel
import XCTest

@testable import Store

/// The task gauges' count reads indexes alone (migrations 23 and 25): the queued and untestable
/// tasks from their index by measurement, kind and state, the leased ones from the leases'
/// index, the done ones as their results; index-only scans, no pass over a table's rows.
final class TaskCountPlanTests: StoreTestCase {
    private func nodes(_ plan: [String: Any]) -> [[String: Any]] {
        [plan] + ((plan["Plans"] as? [[String: Any]]) ?? []).flatMap(nodes)
    }

    func testTheCountReadsIndexesAloneAndCountsEveryState() throws {
        _ = try store.importSet(name: "count", entries: try plainEntries("count1.nl", "count2.nl", "count3.nl"))
        let measurement = try store.createMeasurement(sets: ["count"])
        // 30,000 tasks of three kinds and four states, so that the planner weighs real tables;
        // each done task has its result, as the store writes them.
        try store.database.execute("""
            INSERT INTO tasks (measurement_id, kind, domain, web_host, family, address, endpoint_key, state, lease_expires_at, attempt)
            SELECT \(measurement), (ARRAY['web', 'mail', 'reach'])[1 + g % 3], 'd' || g || '.nl', 'd' || g || '.nl', 'ipv4', '198.18.0.' || (g % 200), 'key ' || g,
                   s.state, CASE WHEN s.state = 'leased' THEN now() + interval '1 hour' END, CASE WHEN s.state = 'queued' THEN 0 ELSE 1 END
            FROM generate_series(1, 30000) AS g,
                 LATERAL (SELECT (ARRAY['queued', 'leased', 'done', 'not_testable'])[1 + (g / 3) % 4] AS state) AS s
            """)
        try store.database.execute("""
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            SELECT id, measurement_id, kind, domain, 1, 'agent-1', '{}' FROM tasks WHERE state = 'done'
            """)
        try store.database.execute("VACUUM ANALYZE tasks, results")

        let explained: String = try store.database.query(SQLQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + PeilStore.taskStateCountsQuery.sql,
                                                                   binds: PeilStore.taskStateCountsQuery.binds)).single().decode("QUERY PLAN")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(explained.utf8)) as? [[String: Any]])
        let all = nodes(try XCTUnwrap(document.first?["Plan"] as? [String: Any]))
        // The probe for measurements with queued tasks (alias `o`) stops at its first row; with
        // one measurement whose every row matches, the planner rightly takes the table's first.
        let scans = all.filter { ["tasks", "results"].contains($0["Relation Name"] as? String) && $0["Alias"] as? String != "o" }
        XCTAssertFalse(scans.isEmpty, explained)
        for scan in scans {
            XCTAssertEqual(scan["Node Type"] as? String, "Index Only Scan", "\(scan)")
            XCTAssertTrue(["tasks_queued_or_not_testable", "tasks_leased_address", "results_measurement_kind", "tasks_queued_family"]
                .contains(scan["Index Name"] as? String ?? ""), "\(scan)")
        }
        XCTAssertTrue(scans.contains { $0["Index Name"] as? String == "results_measurement_kind" }, explained)
        XCTAssertTrue(scans.contains { $0["Index Name"] as? String == "tasks_leased_address" }, explained)

        let counted = try store.taskStateCounts()
        let expected = try store.database.query("""
            SELECT measurement_id, kind, state, count(*)::bigint AS count FROM tasks GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
            """).rows.map { TaskStateCount(measurementID: try $0.decode("measurement_id"), kind: try $0.decode("kind"),
                                           state: try $0.decode("state"), count: try $0.decode("count")) }
        XCTAssertEqual(counted, expected)
        XCTAssertEqual(Set(counted.map(\.state)), ["queued", "leased", "done", "not_testable"])
        XCTAssertEqual(counted.map(\.count).reduce(0, +), 30_003)
    }
}
