import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// `peil_claim_tasks` runs with its own planner settings, whatever the connection's: generic
/// plans, planned once per connection (migration 16), never JIT and never a bitmap scan
/// (migration 17: on an aged `tasks` table every claim paid about 42 ms of LLVM compilation for
/// 6 ms of work, and a bitmap scan read every dead entry of a partial index on every claim;
/// docs/SCALE.md, "Session 27").
final class ClaimFunctionSettingsTests: StoreTestCase {
    private func settings() throws -> [String] {
        let text: String = try store.database.query("""
            SELECT array_to_string(proconfig, ',') AS settings FROM pg_proc WHERE proname = 'peil_claim_tasks'
            """).single().decode("settings")
        return text.split(separator: ",").map(String.init).sorted()
    }

    func testTheClaimPlansGenericallyWithoutJITOrBitmaps() throws {
        XCTAssertEqual(try settings(), ["enable_bitmapscan=off", "jit=off", "plan_cache_mode=force_generic_plan"])
    }

    /// A connection that asks for JIT on every statement and for bitmap scans still claims as
    /// before, and has its own settings back after the claim.
    func testAClaimOnAConnectionForcingJITLeasesInQueueOrderAndLeavesTheSessionAlone() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.3.1", "198.18.3.2", "198.18.3.3"], count: 4)
        try store.database.execute("SET jit = on")
        try store.database.execute("SET jit_above_cost = 0")
        try store.database.execute("SET enable_bitmapscan = on")
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 5, leaseSeconds: 60, perAddress: 2)
        XCTAssertEqual(tasks.count, 5)
        XCTAssertEqual(tasks.map(\.taskID), tasks.map(\.taskID).sorted(), "leased in queue order")
        var perAddress: [String: Int] = [:]
        for task in tasks { perAddress[task.target?.address ?? "", default: 0] += 1 }
        XCTAssertTrue(perAddress.values.allSatisfy { $0 <= 2 }, "\(perAddress)")
        let session: String = try store.database.query(
            "SELECT current_setting('jit') || ' ' || current_setting('enable_bitmapscan') AS session").single().decode("session")
        XCTAssertEqual(session, "on on", "the function's settings leaked into the session")
    }

    /// A claim's transaction commits without waiting for its WAL flush (`synchronous_commit` off
    /// for that transaction alone: docs/SCALE.md, "Session 28"), and the connection's setting is
    /// its own again afterwards. Seen from inside a transaction the test opens around the
    /// claim's statement (``PeilStore/claimTasks`` runs it as a transaction of its own).
    func testAClaimCommitsWithoutWaitingForTheFlushAndLeavesTheSessionAlone() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.3.1"], count: 2)
        let setting: SQLQuery = "SELECT current_setting('synchronous_commit') AS setting"
        XCTAssertEqual(try store.database.query(setting).single().decode("setting", as: String.self), "on")
        let (claimed, duringTheClaim) = try store.database.transaction { connection -> (Int, String) in
            let rows = try connection.query(PeilStore.claimStatement(agentID: "agent-1", session: nil, families: [.ipv4], limit: 2,
                                                                     leaseSeconds: 60, perAddress: 2)).rows
            return (rows.count, try connection.query(setting).single().decode("setting"))
        }
        XCTAssertEqual(claimed, 2)
        XCTAssertEqual(duringTheClaim, "off", "the claim's transaction waits for the WAL flush")
        XCTAssertEqual(try store.database.query(setting).single().decode("setting", as: String.self), "on",
                       "the claim's setting outlived its transaction")
        let tasks = try store.claimTasks(agentID: "agent-2", families: [.ipv4], limit: 2, leaseSeconds: 60, perAddress: 4)
        XCTAssertEqual(tasks.count, 0, "both tasks were leased by the first claim")
        XCTAssertEqual(try store.database.query(setting).single().decode("setting", as: String.self), "on")
    }
}
