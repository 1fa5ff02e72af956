import Foundation

extension PeilStore {
    /// Every measurement, newest first (``MeasurementInfo``, as `measurementInfo` reads one).
    public func measurements() throws -> [MeasurementInfo] {
        try database.query("""
            SELECT id, name, extract(epoch FROM created_at)::float8 AS created_at, imported,
                   to_char(measured_on, 'YYYY-MM-DD') AS measured_on, rule_set, source_set, array_to_json(sets)::text AS sets
            FROM measurements ORDER BY id DESC
            """).rows.map { row in
            MeasurementInfo(
                id: try row.decode("id"), name: try row.decode("name", as: String?.self), createdAt: try row.date("created_at"),
                imported: try row.decode("imported"), measuredOn: try row.decode("measured_on", as: String?.self),
                ruleSet: try row.decode("rule_set", as: String?.self), sourceSet: try row.decode("source_set", as: String?.self),
                sets: try JSONDecoder().decode([String].self, from: Data(try row.decode("sets", as: String.self).utf8)))
        }
    }

    /// Cancels a measurement: every task still queued or leased ends `not_testable` with
    /// `reason` as its last error, so the measurement is complete and its verdicts say why those
    /// domains were not measured. A lease's late result is then refused as for any lease that
    /// ended (``ReportDisposition/refusedNotLeased``).
    /// - Returns: how many tasks were cancelled (0 for a measurement already complete).
    /// - Throws: ``StoreError/unknownMeasurement(_:)``.
    @discardableResult
    public func cancelMeasurement(_ id: Int64, reason: String) throws -> Int {
        try database.transaction { connection in
            guard try !connection.query("SELECT 1 FROM measurements WHERE id = \(id) FOR UPDATE").rows.isEmpty else {
                throw StoreError.unknownMeasurement(id)
            }
            // The open tasks found by the two indexes that hold them (migration 25); the state
            // is checked again on each row as the update finds it.
            return try connection.execute("""
                UPDATE tasks SET state = 'not_testable', leased_by = NULL, lease_expires_at = NULL,
                                 last_error = \(reason), finished_at = now()
                WHERE id IN (SELECT o.id FROM tasks o WHERE o.measurement_id = \(id) AND o.state = 'queued'
                             UNION ALL
                             SELECT o.id FROM tasks o WHERE o.state = 'leased' AND o.measurement_id = \(id))
                  AND state IN ('queued', 'leased')
                """)
        }
    }
}
