import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// Leases are held by agent sessions, not agent names: two sessions of one agent (a reconnect
/// to another coordinator, a second process with the same key) never release each other's
/// leases or report on them; a session the agent process resumes takes its leases over.
final class SessionLeaseTests: StoreTestCase {
    private func sessionsOfLeases() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try store.database.query("SELECT lease_session FROM tasks WHERE state = 'leased'").rows {
            counts[try row.decode("lease_session", as: String.self), default: 0] += 1
        }
        return counts
    }

    func testReleasingOneSessionLeavesTheAgentsOtherSessionsLeases() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.9.1", "198.18.9.2"], count: 4)
        // The agent's session on coordinator A, then its new session on coordinator B.
        let onA = try store.claimTasks(agentID: "a", session: "session-A", families: [.ipv4], limit: 3, leaseSeconds: 300)
        let onB = try store.claimTasks(agentID: "a", session: "session-B", families: [.ipv4], limit: 3, leaseSeconds: 300)
        XCTAssertEqual(onA.count, 3)
        XCTAssertEqual(onB.count, 3)
        // A notices the old session is silent and releases it.
        XCTAssertEqual(try store.releaseLeases(session: "session-A"), 3)
        XCTAssertEqual(try sessionsOfLeases(), ["session-B": 3], "the new session's leases stay")
        for task in onB {
            XCTAssertEqual(try store.recordReport(Self.reached(task), agentID: "a", session: "session-B",
                                                  maxAttempts: 3), .stored)
        }
    }

    func testAResultFromTheOldSessionOnATaskReLeasedToTheNewSessionIsRefused() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.9.3"], count: 2)
        let old = try store.claimTasks(agentID: "a", session: "old", families: [.ipv4], limit: 2, leaseSeconds: 300)
        XCTAssertEqual(old.count, 2)
        XCTAssertEqual(try store.releaseLeases(session: "old"), 2)
        let new = try store.claimTasks(agentID: "a", session: "new", families: [.ipv4], limit: 2, leaseSeconds: 300)
        XCTAssertEqual(Set(new.map(\.taskID)), Set(old.map(\.taskID)))
        // The old session names the new lease's attempt: same agent name, not its lease.
        let first = new[0], second = new[1]
        XCTAssertEqual(try store.recordReport(Self.reached(first), agentID: "a", session: "old", maxAttempts: 3),
                       .refusedNotLeased)
        let batch = try store.recordReports([ReportToRecord(report: Self.reached(second), agentID: "a", session: "old")],
                                            maxAttempts: 3)
        XCTAssertEqual(try batch.map { try $0.get() }, [.refusedNotLeased], "refused in a batch too")
        XCTAssertFalse(try store.endLeasedTask(taskID: first.taskID, attempt: first.attempt, agentID: "a", session: "old", why: "x"))
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports"), 0, "nothing of them stored")
        // The new session's own results are taken.
        for task in new {
            XCTAssertEqual(try store.recordReport(Self.reached(task), agentID: "a", session: "new", maxAttempts: 3),
                           .stored)
        }
    }

    func testAResumedSessionTakesOverItsLeasesAndOnlyTheAgentsOwn() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.9.4"], count: 3)
        let before = try store.claimTasks(agentID: "a", session: "first", families: [.ipv4], limit: 2, leaseSeconds: 300)
        _ = try store.claimTasks(agentID: "b", session: "other", families: [.ipv4], limit: 1, leaseSeconds: 300)
        XCTAssertEqual(try store.resumeLeases(agentID: "b", previous: "first", session: "stolen"), 0, "another agent's name takes nothing")
        XCTAssertEqual(try store.resumeLeases(agentID: "a", previous: "first", session: "second"), 2)
        XCTAssertEqual(try sessionsOfLeases(), ["second": 2, "other": 1])
        // Its results from before (resent after the coordinator restarted) are taken in the new session.
        let task = before[0]
        XCTAssertEqual(try store.recordReport(Self.reached(task), agentID: "a", session: "second", maxAttempts: 3),
                       .stored)
        XCTAssertEqual(try store.releaseLeases(session: "first"), 0, "the old session holds nothing any more")
    }
}
