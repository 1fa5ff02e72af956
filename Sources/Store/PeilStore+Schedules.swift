import Foundation
import PeilModel

/// A recurring measurement the coordinator starts by itself (`peil schedule`).
public struct Schedule: Sendable, Hashable, Codable {
    /// How often it measures.
    public enum Cadence: Sendable, Hashable, Codable {
        /// All its domains at `nextRun`, then every `months` months (same day of the month,
        /// or the month's last day when it is shorter).
        case fixed(months: Int)
        /// Each domain every `days` days: one slice of its domains a day.
        case rolling(days: Int)
    }

    public var name: String
    public var sets: [String]
    public var cadence: Cadence
    public var nextRun: Date
    /// Rolling: the slice the next run measures (0 ..< days).
    public var nextSlice: Int

    public init(name: String, sets: [String], cadence: Cadence, nextRun: Date, nextSlice: Int = 0) {
        self.name = name
        self.sets = sets
        self.cadence = cadence
        self.nextRun = nextRun
        self.nextSlice = nextSlice
    }
}

/// A measurement a schedule started.
public struct ScheduledRun: Sendable, Hashable {
    public var schedule: String
    public var measurementID: Int64
    /// Rolling: the slices it holds (more than one when runs were missed), of `sliceCount`.
    public var slices: [Int]
    public var sliceCount: Int?
    public var domains: Int
}

extension PeilStore {
    /// The bounds `addSchedule` accepts (the table's checks say the same).
    public static let scheduleMonths = 1...120
    public static let scheduleDays = 1...3660

    /// Adds a schedule; its sets must exist.
    /// - Throws: ``StoreError/unknownSet(_:)``, ``StoreError/invalidSchedule(_:)`` for a bad
    ///   name, period or a name already taken.
    public func addSchedule(_ schedule: Schedule) throws {
        let name = schedule.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw StoreError.invalidSchedule("a schedule needs a name of 1 to 200 characters") }
        guard !schedule.sets.isEmpty else { throw StoreError.noSets }
        let (kind, months, days): (String, Int?, Int?) = switch schedule.cadence {
        case .fixed(let months): ("fixed", months, nil)
        case .rolling(let days): ("rolling", nil, days)
        }
        if let months, !Self.scheduleMonths.contains(months) { throw StoreError.invalidSchedule("every 1 to 120 months, not \(months)") }
        if let days, !Self.scheduleDays.contains(days) { throw StoreError.invalidSchedule("a period of 1 to 3660 days, not \(days)") }
        try database.transaction { connection in
            let known: [String] = try connection.query("SELECT name FROM sets WHERE name = ANY(\(array: schedule.sets)::text[])").rows
                .map { try $0.decode("name") }
            if let missing = schedule.sets.first(where: { !known.contains($0) }) { throw StoreError.unknownSet(missing) }
            let taken = try connection.query("SELECT count(*) AS n FROM schedules WHERE name = \(name)").single().decode("n", as: Int.self)
            guard taken == 0 else { throw StoreError.invalidSchedule("a schedule named \(name) exists") }
            try connection.execute("""
                INSERT INTO schedules (name, sets, kind, every_months, period_days, next_run_at)
                VALUES (\(name), \(array: schedule.sets)::text[], \(kind), \(months)::integer, \(days)::integer,
                        \(Self.timestamp(schedule.nextRun))::timestamptz)
                """)
        }
    }

    /// Every schedule, by name.
    public func schedules() throws -> [Schedule] {
        try database.query("""
            SELECT name, array_to_json(sets)::text AS sets, kind, every_months, period_days, next_slice,
                   to_char(next_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS next_run
            FROM schedules ORDER BY name
            """).rows.map { row in
            let kind: String = try row.decode("kind")
            let cadence: Schedule.Cadence = kind == "fixed" ? .fixed(months: try row.decode("every_months")) : .rolling(days: try row.decode("period_days"))
            let nextRun = try Self.date(try row.decode("next_run"))
            return Schedule(name: try row.decode("name"), sets: try Self.textArray(try row.decode("sets")), cadence: cadence, nextRun: nextRun,
                            nextSlice: try row.decode("next_slice"))
        }
    }

    /// Removes a schedule (its measurements stay). - Returns: whether there was one.
    @discardableResult
    public func removeSchedule(named name: String) throws -> Bool {
        try database.execute("DELETE FROM schedules WHERE name = \(name)") == 1
    }

    /// Starts the measurements of every schedule due at `now`, one per schedule, and moves each
    /// on to its next run. A fixed schedule that missed runs (no coordinator ran) measures once
    /// and moves past `now`; a rolling one measures every slice it missed in one measurement, at
    /// most a whole period's. Several coordinators may call this at once: each schedule is
    /// locked while it is run (`FOR UPDATE SKIP LOCKED`), so a run happens once.
    public func runDueSchedules(now: Date = Date()) throws -> [ScheduledRun] {
        var runs: [ScheduledRun] = []
        let at = Self.timestamp(now)
        for _ in 0..<1_000 {
            let step: DueStep = try database.transaction { connection in
                let due = try connection.query("""
                    SELECT id, name, array_to_json(sets)::text AS sets, kind, every_months, period_days, next_slice,
                           to_char(next_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS next_run
                    FROM schedules WHERE next_run_at <= \(at)::timestamptz
                    ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """).rows.first
                guard let due else { return .nothingDue }
                let id: Int64 = try due.decode("id")
                let name: String = try due.decode("name")
                let sets = try Self.textArray(try due.decode("sets"))
                var next = try Self.date(try due.decode("next_run"))
                if try due.decode("kind") == "fixed" {
                    let months: Int = try due.decode("every_months")
                    while next <= now { next = Self.adding(months: months, to: next) }
                    let measurement = try createMeasurementIfAny(sets: sets, on: connection, schedule: id, slices: nil)
                    try connection.execute("UPDATE schedules SET next_run_at = \(Self.timestamp(next))::timestamptz WHERE id = \(id)")
                    return measurement.map { .started(ScheduledRun(schedule: name, measurementID: $0.id, slices: [], sliceCount: nil, domains: $0.domains)) }
                        ?? .movedOn
                }
                let days: Int = try due.decode("period_days")
                var slice: Int = try due.decode("next_slice")
                var slices: [Int] = []
                while next <= now, slices.count < days {
                    slices.append(slice)
                    slice = (slice + 1) % days
                    next = next.addingTimeInterval(86_400)
                }
                while next <= now { next = next.addingTimeInterval(86_400) }  // more than a period missed
                let measurement = try createMeasurementIfAny(sets: sets, on: connection, schedule: id, slices: (slices, days))
                try connection.execute("""
                    UPDATE schedules SET next_run_at = \(Self.timestamp(next))::timestamptz, next_slice = \(slice) WHERE id = \(id)
                    """)
                return measurement.map { .started(ScheduledRun(schedule: name, measurementID: $0.id, slices: slices, sliceCount: days, domains: $0.domains)) }
                    ?? .movedOn
            }
            switch step {
            case .nothingDue: return runs
            case .started(let run): runs.append(run)
            case .movedOn: continue
            }
        }
        return runs
    }

    /// What one look at the due schedules did.
    private enum DueStep {
        case nothingDue
        case started(ScheduledRun)
        /// Its sets are gone or its slices hold no domain: moved on to its next run, nothing measured.
        case movedOn
    }

    /// The slice (0 ..< `count`) each of `domains` falls in, as ``runDueSchedules(now:)`` cuts a
    /// rolling schedule: the first 32 bits of the MD5 of the name, modulo `count`.
    public func slices(of domains: [String], count: Int) throws -> [String: Int] {
        var slices: [String: Int] = [:]
        for row in try database.query("""
            SELECT name, ('x' || substr(md5(name), 1, 8))::bit(32)::bigint % \(count)::integer AS slice
            FROM unnest(\(array: domains)::text[]) AS name
            """).rows {
            slices[try row.decode("name")] = try row.decode("slice")
        }
        return slices
    }

    /// Creates a measurement of `sets` (only the domains in `slices` of their count, if given)
    /// inside the caller's transaction; nil when there is nothing to measure (the sets are gone
    /// or hold no domain of those slices). Database failures throw (the run is not moved on).
    private func createMeasurementIfAny(sets: [String], on connection: DatabaseConnection, schedule: Int64,
                                        slices: (indexes: [Int], count: Int)?) throws -> (id: Int64, domains: Int)? {
        let known = try connection.query("SELECT count(*) AS n FROM sets WHERE name = ANY(\(array: sets)::text[])").single().decode("n", as: Int.self)
        guard known > 0 else { return nil }
        let id: Int64 = try connection.query("""
            INSERT INTO measurements (sets, schedule_id, slices, slice_count)
            VALUES (\(array: sets)::text[], \(schedule), \(slices.map { "{" + $0.indexes.map(String.init).joined(separator: ",") + "}" })::integer[],
                    \(slices?.count)::integer)
            RETURNING id
            """).single().decode("id")
        let domains = try queueResolveTasks(measurementID: id, sets: sets, slices: slices, on: connection)
        guard domains > 0 else {
            try connection.execute("DELETE FROM measurements WHERE id = \(id)")
            return nil
        }
        return (id, domains)
    }

    static func textArray(_ json: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    static func date(_ text: String) throws -> Date {
        guard let date = try? Date(text, strategy: .iso8601) else { throw StoreError.invalidSchedule("cannot read the time \(text)") }
        return date
    }

    /// `date` plus `months` calendar months in UTC (the 31st becomes the month's last day).
    static func adding(months: Int, to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .month, value: months, to: date) ?? date.addingTimeInterval(Double(months) * 30 * 86_400)
    }
}
