import Foundation

/// What a rescan measured again, and of which measurement.
public struct RescanOrigin: Sendable, Hashable, Codable {
    /// The measurement it rescans (itself possibly a rescan).
    public var rescanOf: Int64
    /// The domains it measured again, sorted; every other domain's observations are the old one's.
    public var rescanned: [String]

    public init(rescanOf: Int64, rescanned: [String]) {
        self.rescanOf = rescanOf
        self.rescanned = rescanned
    }
}

extension PeilStore {
    /// Creates a rescan of measurement `measurementID`: a measurement of the same sets that
    /// queues resolve tasks only for `domains`, and records what it rescans (``RescanOrigin``).
    /// - Returns: the new measurement's id.
    /// - Throws: ``StoreError/unknownMeasurement(_:)``; ``StoreError/invalidRescan(_:)`` for an
    ///   imported measurement, one still running, no domains, or a domain outside its sets.
    public func createRescan(of measurementID: Int64, domains: [String]) throws -> Int64 {
        var names: [String] = []
        for name in domains.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }) where !name.isEmpty && !names.contains(name) {
            names.append(name)
        }
        guard !names.isEmpty else { throw StoreError.invalidRescan("no domain to measure again") }
        names.sort()
        return try database.transaction { connection in
            guard let row = try connection.query("""
                SELECT imported, array_to_json(sets)::text AS sets,
                       (SELECT count(*) FROM tasks WHERE measurement_id = \(measurementID) AND state = 'queued')
                       + (SELECT count(*) FROM tasks WHERE state = 'leased' AND measurement_id = \(measurementID)) AS open
                FROM measurements WHERE id = \(measurementID) FOR SHARE
                """).rows.first else { throw StoreError.unknownMeasurement(measurementID) }
            guard try !row.decode("imported", as: Bool.self) else {
                throw StoreError.invalidRescan("measurement \(measurementID) is imported (published statuses, no observations to keep)")
            }
            let open: Int = try row.decode("open")
            guard open == 0 else {
                throw StoreError.invalidRescan("measurement \(measurementID) is still running (\(open) tasks queued or leased); rescan it when it is complete")
            }
            let sets = try JSONDecoder().decode([String].self, from: Data(try row.decode("sets", as: String.self).utf8))
            let members = Set(try connection.query("""
                SELECT DISTINCT d.name FROM set_members m JOIN sets s ON s.id = m.set_id JOIN domains d ON d.id = m.domain_id
                WHERE s.name = ANY(\(array: sets)::text[]) AND d.name = ANY(\(array: names)::text[])
                """).rows.map { try $0.decode("name", as: String.self) })
            let outside = names.filter { !members.contains($0) }
            guard outside.isEmpty else {
                throw StoreError.invalidRescan("not in the sets of measurement \(measurementID) (\(sets.joined(separator: ", "))): "
                    + outside.prefix(10).joined(separator: ", ") + (outside.count > 10 ? " and \(outside.count - 10) more" : ""))
            }
            let id: Int64 = try connection.query("""
                INSERT INTO measurements (sets, rescan_of, rescanned)
                VALUES (\(array: sets)::text[], \(measurementID), \(array: names)::text[]) RETURNING id
                """).single().decode("id")
            try queueResolveTasks(measurementID: id, sets: sets, domains: names, on: connection)
            return id
        }
    }

    /// What measurement `measurementID` rescans, nil for one that is not a rescan.
    /// - Throws: ``StoreError/unknownMeasurement(_:)``.
    public func rescanOrigin(measurementID: Int64) throws -> RescanOrigin? {
        guard let row = try database.query("""
            SELECT rescan_of, array_to_json(rescanned)::text AS rescanned FROM measurements WHERE id = \(measurementID)
            """).rows.first else { throw StoreError.unknownMeasurement(measurementID) }
        guard let of = try row.decode("rescan_of", as: Int64?.self), let text = try row.decode("rescanned", as: String?.self) else { return nil }
        return RescanOrigin(rescanOf: of, rescanned: try JSONDecoder().decode([String].self, from: Data(text.utf8)))
    }
}
