import Foundation
import PeilTestSupport
import Store
import XCTest

/// `peil schedule` as an operator uses it, and the coordinator starting a due schedule's
/// measurement by itself (no `peil measure`).
final class ScheduleCommandTests: DatabaseTestCase {
    func testTheCoordinatorStartsADueScheduleByItself() throws {
        try TestRequirements.require(.peilBinary)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-schedule-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = databaseArguments
        let list = directory.appendingPathComponent("gov.txt")
        try (0..<40).map { "d\($0).nl" }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PeilProcess.run(["import", "--set", "gov", list.path] + database, directory: directory).status, 0)

        // Bad input is refused with the reason.
        let neither = try PeilProcess.run(["schedule", "add", "x", "--sets", "gov"] + database, directory: directory)
        XCTAssertNotEqual(neither.status, 0)
        XCTAssertTrue(neither.output.contains("--every-months"), neither.output)
        let unknown = try PeilProcess.run(["schedule", "add", "x", "--sets", "nope", "--every-months", "6"] + database, directory: directory)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.output.contains("no set named 'nope'"), unknown.output)
        let badTime = try PeilProcess.run(["schedule", "add", "x", "--sets", "gov", "--every-months", "6", "--first", "March"] + database,
                                          directory: directory)
        XCTAssertNotEqual(badTime.status, 0)
        XCTAssertTrue(badTime.output.contains("not an ISO 8601 time"), badTime.output)

        // Due since yesterday, rolling over 4 days: today's run holds yesterday's slice and today's.
        let yesterday = Date().addingTimeInterval(-86_400 - 600).formatted(.iso8601)
        let add = try PeilProcess.run(["schedule", "add", "daily", "--sets", "gov", "--rolling-days", "4", "--first", yesterday] + database,
                                      directory: directory)
        XCTAssertEqual(add.status, 0, add.output)
        let listed = try PeilProcess.run(["schedule", "list"] + database, directory: directory)
        XCTAssertTrue(listed.output.contains("daily\tgov\trolling over 4 days, next slice 0"), listed.output)

        XCTAssertEqual(try PeilProcess.run(["keys", "coordinator", "--out", directory.path], directory: directory).status, 0)
        try Data().write(to: directory.appendingPathComponent("agents.allow"))
        let coordinator = try PeilProcess(name: "coordinator", arguments: [
            "coordinator", "--bind", "ipc://\(directory.path)/c.sock", "--key", directory.appendingPathComponent("coordinator.key").path,
            "--allow", directory.appendingPathComponent("agents.allow").path, "--resolve-only",
        ] + database, directory: directory)
        defer { coordinator.stop() }
        let started = try eventually(timeout: 30) {
            try count("SELECT count(*) AS count FROM measurements WHERE schedule_id IS NOT NULL") > 0
        }
        XCTAssertTrue(started, "no scheduled measurement:\n\(coordinator.log)")
        let row = try store.database.query("SELECT id, slices::text AS slices, slice_count FROM measurements WHERE schedule_id IS NOT NULL").single()
        let id: Int64 = try row.decode("id")
        XCTAssertEqual(try row.decode("slices", as: String.self), "{0,1}")
        XCTAssertEqual(try row.decode("slice_count", as: Int.self), 4)
        let expected = try store.slices(of: (0..<40).map { "d\($0).nl" }, count: 4).filter { $0.value < 2 }.count
        XCTAssertEqual(try count("SELECT count(*) AS count FROM tasks WHERE measurement_id = \(id)"), expected)
        _ = eventually(timeout: 5) { coordinator.log.contains("scheduled measurement \(id) started") }
        XCTAssertTrue(coordinator.log.contains("scheduled measurement \(id) started: \(expected) domains (slices 0,1 of 4)"), coordinator.log)
        // Nothing more is due today.
        let again = try PeilProcess.run(["schedule", "run"] + database, directory: directory)
        XCTAssertEqual(again.output.trimmingCharacters(in: .whitespacesAndNewlines), "nothing due", again.output)
        XCTAssertEqual(try PeilProcess.run(["schedule", "remove", "daily"] + database, directory: directory).status, 0)
        XCTAssertEqual(try count("SELECT count(*) AS count FROM measurements WHERE id = \(id)"), 1, "its measurements stay")
    }

    func count(_ query: SQLQuery) throws -> Int {
        try store.database.query(query).single().decode("count")
    }
}
