import Foundation
import PeilModel
import Store
import XCTest

/// Migrations 14 and 15: stored observations are `json` text, compressed with lz4 where the
/// server has it.
final class ObservationCompressionTests: StoreTestCase {
    /// Whether this PostgreSQL was built with lz4 (a column may ask for it).
    private func serverHasLZ4() -> Bool {
        (try? store.database.execute("CREATE TEMP TABLE lz4_probe (value text COMPRESSION lz4)")) != nil
    }

    func testObservationsAreCompressedWithLZ4() throws {
        let expected = serverHasLZ4() ? "lz4" : "pglz"
        let columns = try store.database.query("""
            SELECT attrelid::regclass::text AS "table", attcompression::text AS method FROM pg_attribute
            WHERE attname = 'observation' AND attrelid IN ('results'::regclass, 'observations'::regclass) ORDER BY 1
            """).rows.map { "\(try $0.decode("table") as String) \(try $0.decode("method") as String)" }
        XCTAssertEqual(columns, expected == "lz4" ? ["observations l", "results l"] : ["observations ", "results "])

        _ = try store.importSet(name: "big", entries: try plainEntries("big1.nl"))
        let measurement = try store.createMeasurement(sets: ["big"])
        let task = try XCTUnwrap(try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 300).first)
        // Over TOAST's threshold (about 2 KB a row), so it is compressed on the way in.
        let large = observation(for: task.domain, note: String(repeating: "v=spf1 include:_spf.big1.nl ", count: 300))
        XCTAssertEqual(try store.recordReport(TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed, resolution: large),
                                              agentID: "agent-1", maxAttempts: 2), .stored)
        let stored = try store.database.query("""
            SELECT pg_column_compression(observation) AS method, observation::text AS text
            FROM results WHERE measurement_id = \(measurement)
            """).single()
        XCTAssertEqual(try stored.decode("method") as String, expected)
        let text: String = try stored.decode("text")
        XCTAssertGreaterThan(text.utf8.count, 8_000)
        // It reads back as it was sent.
        XCTAssertEqual(try JSONDecoder().decode(ResolutionObservation.self, from: Data(text.utf8)), large)
    }

    /// Migration 15: the columns are `json`, which keeps a document's text as it came (jsonb
    /// would reorder its keys and drop its spaces), and refuses text that is not JSON.
    func testObservationsAreStoredAsTheirText() throws {
        let types = try store.database.query("""
            SELECT attrelid::regclass::text AS "table", format_type(atttypid, atttypmod) AS type FROM pg_attribute
            WHERE attname = 'observation' AND attrelid IN ('results'::regclass, 'observations'::regclass, 'reports'::regclass) ORDER BY 1
            """).rows.map { "\(try $0.decode("table") as String) \(try $0.decode("type") as String)" }
        XCTAssertEqual(types, ["observations json", "reports json", "results json"])

        _ = try store.importSet(name: "text", entries: try plainEntries("text1.nl"))
        let measurement = try store.createMeasurement(sets: ["text"])
        let task = try XCTUnwrap(try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 300).first)
        let sent = #"{"zeta": 1,  "alpha" : [true, null]}"#
        try store.database.execute("""
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            VALUES (\(task.taskID), \(measurement), 'resolve', \(task.domain), 1, 'agent-1', \(sent)::json)
            """)
        let stored: String = try store.database.query("SELECT observation::text AS text FROM results WHERE task_id = \(task.taskID)").single().decode("text")
        XCTAssertEqual(stored, sent)
        XCTAssertThrowsError(try store.database.execute("UPDATE results SET observation = \("{\"a\":}")::json WHERE task_id = \(task.taskID)"))
    }
}
