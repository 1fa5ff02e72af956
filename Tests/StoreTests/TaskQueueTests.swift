import Foundation
import PeilModel
import Store
import XCTest

final class TaskQueueTests: StoreTestCase {
    private func measure(_ domains: String...) throws -> Int64 {
        let set = "set-\(domains.joined(separator: "-"))"
        _ = try store.importSet(name: set, entries: try SeedList.parse(domains.joined(separator: "\n")))
        return try store.createMeasurement(sets: [set])
    }

    private func state(of task: TaskAssignment) throws -> String {
        try store.database.query("SELECT state FROM tasks WHERE id = \(task.taskID)").single().decode("state")
    }

    func testClaimLeaseExpireRequeueAndNotTestable() throws {
        let id = try measure("a.nl", "b.nl", "c.nl")
        let first = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 2, leaseSeconds: 300)
        XCTAssertEqual(first.map(\.domain), ["a.nl", "b.nl"])
        XCTAssertEqual(first.map(\.attempt), [1, 1])
        XCTAssertEqual(first.map(\.webHost), ["www.a.nl", "www.b.nl"])
        XCTAssertTrue(first.allSatisfy { $0.measurementID == id && $0.kind == .resolve && $0.family == .ipv4 })
        let (a, b) = (first[0], first[1])
        // Resolve tasks need an IPv4-capable vantage (TaskKind.requiredFamily).
        XCTAssertEqual(try store.claimTasks(agentID: "agent-6", families: [.ipv6], limit: 10, leaseSeconds: 300), [])
        let c = try XCTUnwrap(try store.claimTasks(agentID: "agent-2", families: [.ipv6, .ipv4], limit: 10, leaseSeconds: 300).first)
        XCTAssertEqual(c.domain, "c.nl")
        XCTAssertEqual(try store.claimTasks(agentID: "agent-2", families: [.ipv4, .ipv6], limit: 10, leaseSeconds: 300), [])
        XCTAssertEqual(try store.progress(measurementID: id).leased, 3)

        // A failure on an attempt below the cap requeues the task.
        XCTAssertEqual(try store.recordReport(failed(a), agentID: "agent-1", maxAttempts: 2), .requeued)
        XCTAssertEqual(try state(of: a), "queued")
        XCTAssertEqual(try store.expireLeases(maxAttempts: 2), 0, "no lease has expired yet")
        // The agent holding c is gone: its lease ends and c is queued again, without using an
        // attempt (the vantage's trouble, not the target's).
        XCTAssertEqual(try store.releaseLeases(session: "agent-2"), 1)
        XCTAssertEqual(try state(of: c), "queued")

        // Second attempts, with leases that end at once.
        let retries = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 10, leaseSeconds: 0)
        XCTAssertEqual(retries.map(\.domain), ["a.nl", "c.nl"])
        XCTAssertEqual(retries.map(\.attempt), [2, 2])
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertEqual(try store.expireLeases(maxAttempts: 2), 2)
        XCTAssertEqual(try state(of: a), "not_testable", "attempts used up")
        XCTAssertEqual(try state(of: c), "queued", "its first lease was released, not used: one attempt of two counted")
        let third = try XCTUnwrap(try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 10, leaseSeconds: 0).first)
        XCTAssertEqual(third.attempt, 3)
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertEqual(try store.expireLeases(maxAttempts: 2), 1)
        XCTAssertEqual(try state(of: c), "not_testable")

        // A late failure report for an attempt that is no longer current is refused and changes nothing.
        XCTAssertEqual(try store.recordReport(failed(c), agentID: "agent-2", maxAttempts: 2), .refusedNotLeased)
        XCTAssertEqual(try state(of: c), "not_testable")

        XCTAssertEqual(try store.recordReport(completed(b), agentID: "agent-1", maxAttempts: 2), .stored)
        var progress = try store.progress(measurementID: id)
        XCTAssertEqual([progress.queued, progress.leased, progress.done, progress.notTestable], [0, 0, 1, 2])
        XCTAssertTrue(try store.measurementComplete(id))
        XCTAssertEqual(progress.agents.map(\.agentID), ["agent-1"])
        XCTAssertEqual(progress.agents.first?.tasksDone, 1)

        // A result that arrives after its lease ended is refused: only a lease's holder reports on it.
        XCTAssertEqual(try store.recordReport(completed(retries[0]), agentID: "agent-1", maxAttempts: 2), .refusedNotLeased)
        progress = try store.progress(measurementID: id)
        XCTAssertEqual([progress.done, progress.notTestable], [1, 2])
        XCTAssertEqual(Set(try store.resolutionResults(measurementID: id).keys), ["b.nl"])
    }

    func testFailureOnTheLastAttemptEndsNotTestable() throws {
        let id = try measure("a.nl")
        var task = try XCTUnwrap(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        XCTAssertEqual(try store.recordReport(failed(task), agentID: "x", maxAttempts: 2), .requeued)
        task = try XCTUnwrap(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        XCTAssertEqual(task.attempt, 2)
        XCTAssertEqual(try store.recordReport(failed(task), agentID: "x", maxAttempts: 2), .notTestable)
        XCTAssertEqual(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60), [])
        XCTAssertEqual(try store.progress(measurementID: id).notTestable, 1)
        XCTAssertTrue(try store.measurementComplete(id))
        XCTAssertEqual(try count("SELECT count(*) FROM reports"), 2, "every report is kept raw")
    }

    func testAFenceRefusalEndsTheTaskAtOnce() throws {
        let id = try measure("a.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        let refused = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .notPermitted,
                                 detail: "not probed: 10.1.2.3 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8)")
        XCTAssertEqual(try store.recordReport(refused, agentID: "x", maxAttempts: 3), .notTestable, "first of three attempts, and final")
        XCTAssertEqual(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60), [])
        XCTAssertTrue(try store.measurementComplete(id))
        let lastError: String = try store.database.query("SELECT last_error FROM tasks WHERE id = \(task.taskID)").single().decode("last_error")
        XCTAssertTrue(lastError.hasPrefix("not_permitted: not probed: 10.1.2.3"), lastError)
    }

    /// An agent that lost contact (its own network) says nothing about the target: the task is
    /// asked again without using an attempt, so three of them do not end it; lease expiry and
    /// failures count the attempts used, `attempt - contact_lost`; the free retries are bounded.
    func testContactLostUsesNoAttemptButIsBounded() throws {
        let id = try measure("a.nl")
        func claim() throws -> TaskAssignment { try XCTUnwrap(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60).first) }
        func lost(_ task: TaskAssignment) -> TaskReport {
            TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .contactLost, detail: "no word from the coordinator")
        }
        for attempt in 1...3 {
            let task = try claim()
            XCTAssertEqual(task.attempt, attempt)
            XCTAssertEqual(try store.recordReport(lost(task), agentID: "x", maxAttempts: 2), .requeued, "attempt \(attempt) lost contact: free")
        }
        var task = try claim()
        XCTAssertEqual(task.attempt, 4)
        XCTAssertEqual(task.freeAttempts, 3, "the agent is told which attempt counts (its final one asks no more)")
        XCTAssertEqual(task.countedAttempt, 1)
        XCTAssertEqual(try store.recordReport(failed(task), agentID: "x", maxAttempts: 2), .requeued, "the first attempt that counts")
        task = try claim()
        XCTAssertEqual(try store.recordReport(failed(task), agentID: "x", maxAttempts: 2), .notTestable, "the second: attempts used up")
        XCTAssertTrue(try store.measurementComplete(id))
        XCTAssertEqual(try count("SELECT count(*) FROM reports WHERE outcome = 'contact_lost'"), 3, "kept raw")

        // Lease expiry counts the attempts used, not the leases.
        let other = try measure("b.nl")
        task = try claim()
        XCTAssertEqual(try store.recordReport(lost(task), agentID: "x", maxAttempts: 1), .requeued)
        _ = try XCTUnwrap(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 0).first)
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertEqual(try store.expireLeases(maxAttempts: 2), 1)
        XCTAssertEqual(try store.progress(measurementID: other).queued, 1, "attempt 2 was the first that counts")

        // Bounded: the eleventh free retry ends the task.
        let third = try measure("c.nl")
        while try store.progress(measurementID: other).queued > 0 {
            let pending = try claim()
            _ = try store.recordReport(completed(pending), agentID: "x", maxAttempts: 2)
        }
        var dispositions: [ReportDisposition] = []
        while try !store.measurementComplete(third), dispositions.count < 20 {
            dispositions.append(try store.recordReport(lost(try claim()), agentID: "x", maxAttempts: 2))
        }
        XCTAssertEqual(dispositions, Array(repeating: .requeued, count: PeilStore.maxContactLost) + [.notTestable])

        // An agent that dies with the lease (a target that crashes every agent) is bounded the same way.
        let fourth = try measure("d.nl")
        var releases = 0
        while try !store.measurementComplete(fourth), releases < 20 {
            _ = try claim()
            releases += try store.releaseLeases(session: "x")
        }
        XCTAssertEqual(releases, PeilStore.maxContactLost + 1)
        XCTAssertEqual(try store.progress(measurementID: fourth).notTestable, 1)
    }

    func testFamiliesAndOldestMeasurementFirst() throws {
        let older = try measure("a.nl", "b.nl")
        let newer = try measure("c.nl")
        try store.database.execute("UPDATE tasks SET family = 'ipv6' WHERE domain = \("a.nl")")

        let v4 = try store.claimTasks(agentID: "v4", families: [.ipv4], limit: 1, leaseSeconds: 60)
        XCTAssertEqual(v4.map(\.domain), ["b.nl"], "the IPv6 task is not for an IPv4-only agent")
        XCTAssertEqual(v4.first?.measurementID, older)
        let next = try store.claimTasks(agentID: "v4", families: [.ipv4], limit: 5, leaseSeconds: 60)
        XCTAssertEqual(next.map(\.domain), ["c.nl"])
        XCTAssertEqual(next.first?.measurementID, newer)
        let v6 = try store.claimTasks(agentID: "v6", families: [.ipv6], limit: 5, leaseSeconds: 60)
        XCTAssertEqual(v6.map(\.domain), ["a.nl"])
        XCTAssertEqual(v6.first?.family, .ipv6)
        XCTAssertEqual(try store.claimTasks(agentID: "v4", families: [.ipv4], limit: 0, leaseSeconds: 60), [])
    }

    func testDuplicateReportIsStoredOnce() throws {
        let id = try measure("a.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        let report = completed(task)
        XCTAssertEqual(try store.recordReport(report, agentID: "agent-1", maxAttempts: 3), .stored)
        XCTAssertEqual(try store.recordReport(report, agentID: "agent-1", maxAttempts: 3), .duplicate)
        XCTAssertEqual(try count("SELECT count(*) FROM reports"), 1)
        XCTAssertEqual(try count("SELECT count(*) FROM results"), 1)
        XCTAssertEqual(try store.resolutionResults(measurementID: id), ["a.nl": report.resolution!])
        XCTAssertEqual(try store.recordReport(TaskReport(taskID: 999_999, attempt: 1, outcome: .completed),
                                              agentID: "agent-1", maxAttempts: 3), .unknownTask)
    }

    func testTaskStateCountsGroupByMeasurementKindAndState() throws {
        let first = try measure("a.nl", "b.nl", "c.nl")
        let second = try measure("d.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        XCTAssertEqual(try store.recordReport(completed(task), agentID: "agent-1", maxAttempts: 3), .stored)
        _ = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 60)
        XCTAssertEqual(try store.taskStateCounts(), [
            TaskStateCount(measurementID: first, kind: "resolve", state: "done", count: 1),
            TaskStateCount(measurementID: first, kind: "resolve", state: "leased", count: 1),
            TaskStateCount(measurementID: first, kind: "resolve", state: "queued", count: 1),
            TaskStateCount(measurementID: second, kind: "resolve", state: "queued", count: 1),
        ])
    }

    func testTwoAttemptsReportingGiveExactlyOneResult() throws {
        let id = try measure("a.nl")
        // agent-1's lease runs out while it is still working; agent-2 takes the task over.
        let slow = try XCTUnwrap(try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 0).first)
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertEqual(try store.expireLeases(maxAttempts: 3), 1)
        let fast = try XCTUnwrap(try store.claimTasks(agentID: "agent-2", families: [.ipv4, .ipv6], limit: 1, leaseSeconds: 60).first)
        XCTAssertEqual(fast.attempt, 2)

        XCTAssertEqual(try store.recordReport(completed(fast, note: "second"), agentID: "agent-2", maxAttempts: 3), .stored)
        XCTAssertEqual(try store.recordReport(completed(slow, note: "first"), agentID: "agent-1", maxAttempts: 3), .refusedNotLeased,
                       "agent-1's lease ended: its late report is refused")

        XCTAssertEqual(try count("SELECT count(*) FROM reports"), 1, "only the lease holder's report is kept")
        XCTAssertEqual(try count("SELECT count(*) FROM results"), 1, "one final result")
        let result = try store.database.query("SELECT attempt, agent_id FROM results").single()
        XCTAssertEqual(try result.decode("attempt", as: Int.self), 2)
        XCTAssertEqual(try result.decode("agent_id", as: String.self), "agent-2")
        XCTAssertEqual(try store.resolutionResults(measurementID: id)["a.nl"]?.facts.txt.contains("second"), true)
        let progress = try store.progress(measurementID: id)
        XCTAssertEqual(progress.done, 1)
        XCTAssertEqual(progress.agents.map(\.agentID), ["agent-2"])
    }

    func testCompletedReportWithoutObservationCountsAsFailure() throws {
        _ = try measure("a.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "x", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        let empty = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed)
        XCTAssertEqual(try store.recordReport(empty, agentID: "x", maxAttempts: 3), .requeued)
        XCTAssertEqual(try count("SELECT count(*) FROM results"), 0)
    }
}
