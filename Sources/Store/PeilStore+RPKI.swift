import Foundation
import PeilModel

extension PeilStore {
    /// Keeps `snapshot` as the routing measurement `measurementID` is judged on, replacing an
    /// earlier one; `source` names the files it came from. Returns whether one was replaced.
    /// - Throws: ``StoreError/unknownMeasurement(_:)``.
    @discardableResult
    public func setRPKISnapshot(_ snapshot: RPKISnapshot, measurementID: Int64, source: String) throws -> Bool {
        let payload = try SQLJSON(snapshot)
        return try database.transaction { connection in
            guard try !connection.query("SELECT 1 FROM measurements WHERE id = \(measurementID) FOR UPDATE").rows.isEmpty else {
                throw StoreError.unknownMeasurement(measurementID)
            }
            let replaced = try connection.execute("DELETE FROM measurement_rpki WHERE measurement_id = \(measurementID)") > 0
            try connection.execute("""
                INSERT INTO measurement_rpki (measurement_id, snapshot, roas, routes, source)
                VALUES (\(measurementID), \(payload)::jsonb, \(snapshot.roas.count), \(snapshot.routes.count), \(source))
                """)
            return replaced
        }
    }

    /// The routing snapshot of a measurement, or nil when none was given.
    public func rpkiSnapshot(measurementID: Int64) throws -> RPKISnapshot? {
        guard let row = try database.query("""
            SELECT snapshot::text AS snapshot FROM measurement_rpki WHERE measurement_id = \(measurementID)
            """).rows.first else { return nil }
        return try JSONDecoder().decode(RPKISnapshot.self, from: Data(try row.decode("snapshot", as: String.self).utf8))
    }
}
