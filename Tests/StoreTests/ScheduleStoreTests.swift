import Foundation
import PeilModel
import Store
import XCTest

/// Schedules in the store: a fixed one measures on its dates and skips what it missed; a
/// rolling one measures every domain once per period, a slice a day, no day with a peak.
final class ScheduleStoreTests: StoreTestCase {
    func at(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }

    func domains(of measurementID: Int64) throws -> Set<String> {
        Set(try store.database.query("SELECT domain FROM tasks WHERE measurement_id = \(measurementID)").rows.map { try $0.decode("domain") })
    }

    func importSet(_ name: String, count: Int) throws -> [String] {
        let names = (0..<count).map { String(format: "d%03d.nl", $0) }
        _ = try store.importSet(name: name, entries: try SeedList.parse(names.joined(separator: "\n"), fileName: name))
        return names
    }

    func testAFixedScheduleMeasuresOnItsDatesAndSkipsWhatItMissed() throws {
        let names = try importSet("primary", count: 12)
        try store.addSchedule(Schedule(name: "twice-a-year", sets: ["primary"], cadence: .fixed(months: 6), nextRun: try at("2027-03-01T06:00:00Z")))
        XCTAssertEqual(try store.runDueSchedules(now: try at("2027-03-01T05:59:59Z")), [], "not yet")
        let first = try store.runDueSchedules(now: try at("2027-03-01T06:00:00Z"))
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(try domains(of: try XCTUnwrap(first.first).measurementID), Set(names))
        XCTAssertEqual(first.first?.domains, 12)
        XCTAssertEqual(try store.schedules().first?.nextRun, try at("2027-09-01T06:00:00Z"))
        XCTAssertEqual(try store.runDueSchedules(now: try at("2027-03-02T00:00:00Z")), [], "once per date")
        // The coordinator was away for two dates: one measurement, and on to the next date after now.
        let late = try store.runDueSchedules(now: try at("2028-06-01T00:00:00Z"))
        XCTAssertEqual(late.count, 1)
        XCTAssertEqual(try store.schedules().first?.nextRun, try at("2028-09-01T06:00:00Z"))
        let linked = try count("SELECT count(*) AS count FROM measurements WHERE schedule_id IS NOT NULL")
        XCTAssertEqual(linked, 2)
    }

    func testTheThirtyFirstBecomesTheLastDayOfAShortMonth() throws {
        _ = try importSet("s", count: 1)
        try store.addSchedule(Schedule(name: "monthly", sets: ["s"], cadence: .fixed(months: 1), nextRun: try at("2027-01-31T00:00:00Z")))
        _ = try store.runDueSchedules(now: try at("2027-01-31T00:00:00Z"))
        XCTAssertEqual(try store.schedules().first?.nextRun, try at("2027-02-28T00:00:00Z"))
    }

    func testARollingScheduleMeasuresEveryDomainOncePerPeriodWithoutAPeakDay() throws {
        let names = try importSet("broad", count: 600)
        let period = 10
        let start = try at("2027-01-01T02:00:00Z")
        try store.addSchedule(Schedule(name: "rolling", sets: ["broad"], cadence: .rolling(days: period), nextRun: start))
        var seen: [String: Int] = [:]
        var perDay: [Int] = []
        for day in 0..<period {
            let runs = try store.runDueSchedules(now: start.addingTimeInterval(Double(day) * 86_400 + 60))
            XCTAssertEqual(runs.count, 1, "day \(day)")
            let run = try XCTUnwrap(runs.first)
            XCTAssertEqual(run.slices, [day])
            XCTAssertEqual(run.sliceCount, period)
            let measured = try domains(of: run.measurementID)
            perDay.append(measured.count)
            for name in measured { seen[name, default: 0] += 1 }
            // The store's own slice function says the same.
            XCTAssertTrue(try store.slices(of: Array(measured), count: period).values.allSatisfy { $0 == day })
        }
        print("rolling schedule, \(names.count) domains over \(period) days: \(perDay) a day")
        XCTAssertEqual(Set(seen.keys), Set(names), "every domain in the period")
        XCTAssertTrue(seen.values.allSatisfy { $0 == 1 }, "and each once")
        // 60 expected a day; the hash keeps every day within half of that.
        XCTAssertTrue(perDay.allSatisfy { (30...90).contains($0) }, "\(perDay)")
        // The next period starts again with the first day's domains.
        let again = try store.runDueSchedules(now: start.addingTimeInterval(Double(period) * 86_400 + 60))
        let firstDay = try store.slices(of: names, count: period).filter { $0.value == 0 }.keys
        XCTAssertEqual(try domains(of: try XCTUnwrap(again.first).measurementID), Set(firstDay))
    }

    func testMissedDaysOfARollingScheduleAreMeasuredTogether() throws {
        _ = try importSet("broad", count: 200)
        let start = try at("2027-01-01T02:00:00Z")
        try store.addSchedule(Schedule(name: "rolling", sets: ["broad"], cadence: .rolling(days: 7), nextRun: start))
        let runs = try store.runDueSchedules(now: start.addingTimeInterval(2 * 86_400 + 60))
        XCTAssertEqual(runs.map(\.slices), [[0, 1, 2]], "three days missed: one measurement of their three slices")
        let schedule = try XCTUnwrap(try store.schedules().first)
        XCTAssertEqual(schedule.nextSlice, 3)
        XCTAssertEqual(schedule.nextRun, start.addingTimeInterval(3 * 86_400))
        let expected = try store.slices(of: (0..<200).map { String(format: "d%03d.nl", $0) }, count: 7).filter { $0.value < 3 }.keys
        XCTAssertEqual(try domains(of: runs[0].measurementID), Set(expected))
    }

    func testBadSchedulesAreRefusedWithTheReason() throws {
        _ = try importSet("s", count: 3)
        let next = try at("2027-01-01T00:00:00Z")
        XCTAssertThrowsError(try store.addSchedule(Schedule(name: "x", sets: ["nope"], cadence: .fixed(months: 6), nextRun: next))) {
            XCTAssertEqual($0 as? StoreError, .unknownSet("nope"))
        }
        XCTAssertThrowsError(try store.addSchedule(Schedule(name: "x", sets: ["s"], cadence: .fixed(months: 0), nextRun: next)))
        XCTAssertThrowsError(try store.addSchedule(Schedule(name: "x", sets: ["s"], cadence: .rolling(days: 0), nextRun: next)))
        XCTAssertThrowsError(try store.addSchedule(Schedule(name: " ", sets: ["s"], cadence: .rolling(days: 3), nextRun: next)))
        try store.addSchedule(Schedule(name: "x", sets: ["s"], cadence: .rolling(days: 3), nextRun: next))
        XCTAssertThrowsError(try store.addSchedule(Schedule(name: "x", sets: ["s"], cadence: .rolling(days: 3), nextRun: next))) {
            XCTAssertEqual("\($0)", "schedule: a schedule named x exists")
        }
        XCTAssertTrue(try store.removeSchedule(named: "x"))
        XCTAssertFalse(try store.removeSchedule(named: "x"))
    }
}
