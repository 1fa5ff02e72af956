import Foundation
import PeilTestSupport
import Store
import Telemetry
import XCTest

/// Reading CPU time from `/proc/PID/stat` (the benches' split of a run's cores).
final class ProcessCPUTests: XCTestCase {
    func testAStatLineGivesItsParentAndUserPlusSystemTicks() throws {
        let line = "26419 (postgres) S 26418 26419 26419 0 -1 4194368 2605 0 0 0 14 67 0 0 20 0 1 0 5964 221392896 3045"
        let stat = try XCTUnwrap(ProcessCPU.Stat(line: line))
        XCTAssertEqual(stat.pid, 26419)
        XCTAssertEqual(stat.command, "postgres")
        XCTAssertEqual(stat.parentPID, 26418)
        XCTAssertEqual(stat.ticks, 14 + 67)
        XCTAssertEqual(stat.childrenTicks, 0)
        let reaping = try XCTUnwrap(ProcessCPU.Stat(line: "26418 (postgres) S 1 26418 26418 0 -1 4194304 18474 3680638 0 172 6 49 115662 13425 20 0 1 0"))
        XCTAssertEqual(reaping.ticks, 6 + 49)
        XCTAssertEqual(reaping.childrenTicks, 115_662 + 13_425)
    }

    /// A program may name itself anything: spaces and parentheses in the name do not shift
    /// the fields after it.
    func testANameWithSpacesAndParenthesesDoesNotShiftTheFields() throws {
        let line = "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 300 20 4 5 20 0 1 0 1 1 1"
        let stat = try XCTUnwrap(ProcessCPU.Stat(line: line))
        XCTAssertEqual(stat.command, "a) b (c")
        XCTAssertEqual(stat.parentPID, 1)
        XCTAssertEqual(stat.ticks, 320)
        XCTAssertEqual(stat.childrenTicks, 9)
    }

    /// A thread's CPU time is its own: while another thread spins, one that waits gains
    /// next to nothing, and the process gains at least what the spinning thread used.
    func testAThreadsCPUTimeCountsOnlyThatThread() {
        let spun = 0.1
        let done = DispatchSemaphore(value: 0)
        let waiterBefore = ProcessCPU.threadSeconds()
        let processBefore = ProcessCPU.ownSeconds()
        let spinner = Thread {
            let start = ProcessCPU.threadSeconds()
            var x: UInt64 = 1
            while ProcessCPU.threadSeconds() - start < spun { x = x &* 6_364_136_223_846_793_005 &+ 1 }
            if x == 0 { print("unreachable") }
            done.signal()
        }
        spinner.start()
        done.wait()
        let waiterUsed = ProcessCPU.threadSeconds() - waiterBefore
        let processUsed = ProcessCPU.ownSeconds() - processBefore
        XCTAssertLessThan(waiterUsed, spun / 2, "the waiting thread is not charged for the spinning one")
        XCTAssertGreaterThanOrEqual(processUsed, spun * 0.9, "the process is charged for both (getrusage counts in whole ticks at worst)")
    }

    func testWhatIsNotAStatLineIsRefused() {
        for line in ["", "12", "x (a) S 1 2 3", "12 (a) S 1 2 3 4 5", "12 (a S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
                     "12 (a) S 1 2 3 4 5 6 7 8 9 10 -3 4 5 6", "12 (a) S one 2 3 4 5 6 7 8 9 10 11 12 13 14",
                     "12 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13", "12 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 x 14"] {
            XCTAssertNil(ProcessCPU.Stat(line: line), line)
        }
    }

    /// The live reading: this process is found with its own parent, and its time grows with work.
    func testThisProcessIsReadAndItsTimeGrowsWithWork() throws {
        let own = try XCTUnwrap(ProcessCPU.stat(of: getpid()))
        XCTAssertEqual(own.parentPID, getppid())
        XCTAssertTrue(ProcessCPU.all().contains { $0.pid == getpid() })
        let before = ProcessCPU.ownSeconds()
        var sum: UInt64 = 0
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(300) { for value in 0..<10_000 { sum &+= UInt64(value) &* sum | 1 } }
        XCTAssertGreaterThan(sum, 0)
        XCTAssertGreaterThan(ProcessCPU.ownSeconds() - before, 0.1)
    }

    /// A pid that is not a PostgreSQL backend (this test's own process) gives no server time.
    func testAProcessThatIsNotAPostgresBackendGivesNoServerTime() {
        XCTAssertNil(ProcessCPU.postgresSeconds(backend: getpid()))
        XCTAssertNil(ProcessCPU.postgresSeconds(backend: Int32.max))
    }

    /// A backend of a local server: the server's time is found, grows with a query's work, and
    /// leaves out the processes it is told to.
    func testALocalServersTimeGrowsWithAQueryAndLeavesOutWhatItIsTold() throws {
        try TestRequirements.require(.postgreSQL)
        let database = try Database(connectionString: TemporaryDatabase.serverConnectionString)
        let backend = Int32(try database.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int.self))
        guard let before = ProcessCPU.postgresSeconds(backend: backend) else {
            throw XCTSkip("the PostgreSQL server of \(Database.environmentVariable) is not on this machine")
        }
        let withoutBefore = try XCTUnwrap(ProcessCPU.postgresSeconds(backend: backend, excluding: [backend]))
        _ = try database.query("SELECT count(*) AS n FROM generate_series(1, 20000000)")
        let after = try XCTUnwrap(ProcessCPU.postgresSeconds(backend: backend))
        let withoutAfter = try XCTUnwrap(ProcessCPU.postgresSeconds(backend: backend, excluding: [backend]))
        XCTAssertGreaterThan(after - before, 0.2, "the query's work is the server's")
        XCTAssertLessThan(withoutAfter - withoutBefore, (after - before) / 2, "the backend that did it was left out")
        // A connection that ends takes its time to the postmaster's reaped time, not away.
        var beforeEnd = 0.0
        do {
            let busy = try Database(connectionString: TemporaryDatabase.serverConnectionString)
            _ = try busy.query("SELECT count(*) AS n FROM generate_series(1, 20000000)")
            beforeEnd = try XCTUnwrap(ProcessCPU.postgresSeconds(backend: backend, excluding: [backend]))
        }
        Thread.sleep(forTimeInterval: 0.5)
        let afterEnd = try XCTUnwrap(ProcessCPU.postgresSeconds(backend: backend, excluding: [backend]))
        XCTAssertGreaterThanOrEqual(afterEnd, beforeEnd - 0.05, "the ended backend's time is still counted")
    }
}
