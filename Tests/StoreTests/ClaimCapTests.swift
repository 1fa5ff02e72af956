import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// The per-address cap of claims: exact under concurrent claimers on separate connections
/// (as several coordinators on one database are), and free again after every way a lease ends.
final class ClaimCapTests: StoreTestCase {
    private static let cap = 2

    private func leased(on address: String) throws -> Int {
        try count("SELECT count(*)::integer AS count FROM tasks WHERE state = 'leased' AND address = \(address)")
    }

    func testCapHoldsWhileClaimersOnSeparateConnectionsRace() throws {
        let addresses = ["198.18.7.1", "198.18.7.2", "2001:2::7"]
        let perAddress = 30
        try SyntheticTasks.queueReach(in: store, addresses: addresses, count: perAddress)
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let claimers = 8
        let finished = Locked(0)
        let most = Locked(0)
        let samples = Locked(0)
        let probed = Locked<[Int64: Int]>([:])
        // Claimers spin on the queue and hold each task a while, so that whenever a slot frees
        // several of them race for it; each also looks at the counts right after its claim.
        var bodies: [@Sendable () throws -> Void] = (0..<claimers).map { index in
            {
                defer { finished.withLock { $0 += 1 } }
                let store = PeilStore(database: try Database(connectionString: connection))
                let agent = "claimer-\(index)"
                var idle = 0
                while idle < 200 {
                    let tasks = try store.claimTasks(agentID: agent, families: [.ipv4, .ipv6], limit: 2, leaseSeconds: 300,
                                                     perAddress: Self.cap)
                    idle = tasks.isEmpty ? idle + 1 : 0
                    if tasks.isEmpty { Thread.sleep(forTimeInterval: 0.0005); continue }
                    let seen = try SyntheticTasks.mostLeasedOnOneAddress(store.database)
                    most.withLock { $0 = max($0, seen) }
                    probed.withLock { for task in tasks { $0[task.taskID, default: 0] += 1 } }
                    Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.015))
                    for task in tasks {
                        XCTAssertEqual(try store.recordReport(Self.reached(task), agentID: agent, maxAttempts: 3), .stored)
                    }
                }
            }
        }
        bodies.append {
            let database = try Database(connectionString: connection)
            while finished.value < claimers {
                let seen = try SyntheticTasks.mostLeasedOnOneAddress(database)
                most.withLock { $0 = max($0, seen) }
                samples.withLock { $0 += 1 }
            }
        }
        try ConcurrentBodies.run(bodies)

        XCTAssertLessThanOrEqual(most.value, Self.cap, "a sample saw more leased tasks on one address than the cap")
        XCTAssertEqual(most.value, Self.cap, "the claimers did fill an address")
        XCTAssertGreaterThan(samples.value, 10)
        let total = addresses.count * perAddress
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM tasks WHERE state = 'done'"), total)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM results"), total)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports"), total, "each task reported once")
        let counts = probed.value
        XCTAssertEqual(counts.count, total)
        XCTAssertTrue(counts.values.allSatisfy { $0 == 1 }, "a task was leased twice")
    }

    /// Every way a lease ends frees its address's slot: claims take the address up to the cap
    /// again each time.
    func testEveryWayALeaseEndsFreesItsSlot() throws {
        let address = "198.18.9.9"
        try SyntheticTasks.queueReach(in: store, addresses: [address], count: 40)
        func fill(_ agent: String, leaseSeconds: Double = 300) throws -> [TaskAssignment] {
            let tasks = try store.claimTasks(agentID: agent, families: [.ipv4], limit: 10, leaseSeconds: leaseSeconds, perAddress: Self.cap)
            XCTAssertEqual(tasks.count, Self.cap, "the address has its cap's worth of free slots")
            XCTAssertEqual(try store.claimTasks(agentID: "other", families: [.ipv4], limit: 10, leaseSeconds: 300, perAddress: Self.cap), [],
                           "and no more")
            return tasks
        }
        func assertFree(_ path: String) throws {
            XCTAssertEqual(try leased(on: address), 0, "after \(path)")
        }

        var tasks = try fill("a")
        for task in tasks { XCTAssertEqual(try store.recordReport(Self.reached(task), agentID: "a", maxAttempts: 3), .stored) }
        try assertFree("completed reports")

        let outcomes: [(ProbeOutcome, ReportDisposition, String)] = [
            (.timeout, .requeued, "failure reports (requeued)"),
            (.contactLost, .requeued, "contact_lost reports"),
            (.notPermitted, .notTestable, "not_permitted reports (not testable)"),
        ]
        for (outcome, disposition, path) in outcomes {
            tasks = try fill("a")
            for task in tasks {
                let report = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: outcome, detail: "x")
                XCTAssertEqual(try store.recordReport(report, agentID: "a", maxAttempts: 3), disposition)
            }
            try assertFree(path)
        }

        tasks = try fill("a")
        for task in tasks { XCTAssertTrue(try store.endLeasedTask(taskID: task.taskID, attempt: task.attempt, agentID: "a", why: "x")) }
        try assertFree("refused results (ended)")

        _ = try fill("a", leaseSeconds: 0)
        XCTAssertEqual(try store.expireLeases(maxAttempts: 3), Self.cap)
        try assertFree("lease expiry")

        _ = try fill("gone")
        XCTAssertEqual(try store.releaseLeases(session: "gone"), Self.cap)
        try assertFree("the agent gone")

        _ = try fill("a")
        try store.database.execute("DELETE FROM measurements")
        try assertFree("the measurement deleted (cancelled)")
        try SyntheticTasks.queueReach(in: store, addresses: [address], count: 3)
        _ = try fill("a")
    }

    func testAFullAddressesBacklogDoesNotHoldBackOtherAddresses() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.1.1"], count: 300)
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.1.2"], count: 3)
        var claimed: [String?] = []
        for _ in 0..<2 {
            claimed += try store.claimTasks(agentID: "a", families: [.ipv4], limit: 10, leaseSeconds: 300, perAddress: Self.cap)
                .map { $0.target?.address }
        }
        XCTAssertEqual(claimed.sorted { ($0 ?? "") < ($1 ?? "") }, ["198.18.1.1", "198.18.1.1", "198.18.1.2", "198.18.1.2"],
                       "the address queued after 300 tasks of a full one is reached")
    }

    /// A claim never waits for another claim's address: it leaves that address out.
    func testAClaimSkipsAnAddressAnotherClaimHolds() throws {
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.3.1", "198.18.3.2"], count: 2)
        let other = try Database(connectionString: try XCTUnwrap(temporaryDatabase?.connectionString))
        let store = try XCTUnwrap(self.store)
        let whileHeld = try other.transaction { connection -> [TaskAssignment] in
            try connection.execute("SELECT pg_advisory_xact_lock(\(Int32(0x5045_494C))::integer, hashtext('198.18.3.1'))")
            return try store.claimTasks(agentID: "a", families: [.ipv4], limit: 10, leaseSeconds: 300)
        }
        XCTAssertEqual(whileHeld.map { $0.target?.address }, ["198.18.3.2", "198.18.3.2"])
        let after = try store.claimTasks(agentID: "a", families: [.ipv4], limit: 10, leaseSeconds: 300)
        XCTAssertEqual(after.map { $0.target?.address }, ["198.18.3.1", "198.18.3.1"], "once the other claim has ended")
    }

    /// Claims on one connection, past the calls after which PostgreSQL may keep a statement's
    /// plan for the function's later calls: each claim's families, limit and cap, whatever the
    /// calls before asked, give what a model of the queue says they give.
    func testClaimsOnOneConnectionEachKeepTheirFamiliesLimitAndCap() throws {
        let addresses = ["198.18.4.1", "198.18.4.2", "2001:2::4"]
        try SyntheticTasks.queueReach(in: store, addresses: addresses, count: 8)
        var queued = Dictionary(uniqueKeysWithValues: addresses.map { ($0, 8) })
        var held: [String: [TaskAssignment]] = [:]
        let asked: [[AddressFamily]] = [[.ipv4], [.ipv6], [.ipv4, .ipv6], []]
        for call in 0..<16 {
            let families = asked[call % asked.count], limit = [1, 3, 50][call % 3], cap = 1 + call % 3
            let open = addresses.filter { families.contains(ConnectTarget.family(of: $0)) }
                .map { max(0, min(queued[$0, default: 0], cap - held[$0, default: []].count)) }.reduce(0, +)
            let tasks = try store.claimTasks(agentID: "a", families: families, limit: limit, leaseSeconds: 300, perAddress: cap)
            XCTAssertEqual(tasks.count, min(limit, open), "call \(call): families \(families), limit \(limit), cap \(cap)")
            for task in tasks {
                let address = try XCTUnwrap(task.target?.address)
                XCTAssertTrue(families.contains(ConnectTarget.family(of: address)), "call \(call): \(address)")
                queued[address, default: 0] -= 1
                held[address, default: []].append(task)
                XCTAssertLessThanOrEqual(try leased(on: address), cap, "call \(call): \(address)")
            }
            // One lease per address ends, so the next calls find slots free again.
            for address in addresses {
                guard let first = held[address]?.first else { continue }
                XCTAssertEqual(try store.recordReport(Self.reached(first), agentID: "a", maxAttempts: 3), .stored)
                held[address]?.removeFirst()
            }
        }
        XCTAssertLessThan(queued.values.reduce(0, +), 24, "the calls claimed tasks")
    }

    /// A claim that turns no candidate away reads only its candidates' entries of the leased
    /// tasks' index (step 2, migration 16), not every lease in flight (migration 24).
    func testAClaimCountsOnlyItsCandidatesLeasesWhenNoneIsTurnedAway() throws {
        let (claimer, addresses) = try twoHundredAddressesOneLeasedEach()
        let before = try leasedEntriesRead(by: claimer)
        let tasks = try claimer.claimTasks(agentID: "b", families: [.ipv4], limit: 1, leaseSeconds: 300, perAddress: 2)
        XCTAssertEqual(tasks.map { $0.target?.address }, [addresses[0]])
        XCTAssertLessThan(try leasedEntriesRead(by: claimer) - before, 10, "the claim read the entries of other addresses too")
    }

    /// A claim whose candidate is turned away at its address's cap counts every lease in
    /// flight and claims past the full addresses; the connection's claims count first for a
    /// second after (migration 24).
    func testACandidateTurnedAwayMakesTheClaimCountEveryLease() throws {
        let (claimer, addresses) = try twoHundredAddressesOneLeasedEach()
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.20.1"], count: 1)
        var before = try leasedEntriesRead(by: claimer)
        let tasks = try claimer.claimTasks(agentID: "b", families: [.ipv4], limit: 1, leaseSeconds: 300, perAddress: 1)
        XCTAssertEqual(tasks.map { $0.target?.address }, ["198.18.20.1"], "past the 200 full addresses' backlog")
        XCTAssertGreaterThanOrEqual(try leasedEntriesRead(by: claimer) - before, 200, "every lease in flight counted")
        let counting: String? = try claimer.database.query("SELECT current_setting('peil.claim_counting', true) AS value").single()
            .decode("value")
        XCTAssertNotEqual(counting, "on", "step 3's own setting ends with the claim")
        before = try leasedEntriesRead(by: claimer)
        XCTAssertEqual(try claimer.claimTasks(agentID: "b", families: [.ipv4], limit: 1, leaseSeconds: 300, perAddress: 2)
                        .map { $0.target?.address }, [addresses[0]])
        XCTAssertGreaterThanOrEqual(try leasedEntriesRead(by: claimer) - before, 200, "the next claim counts first")
    }

    /// 200 addresses with 100 queued tasks each (a queue large enough that PostgreSQL reads the
    /// leases through their index, as in a measurement) and one task of each leased, by a
    /// claimer on a connection of its own.
    private func twoHundredAddressesOneLeasedEach() throws -> (PeilStore, [String]) {
        let addresses = (0..<200).map { "198.18.\(10 + $0 / 100).\($0 % 100 + 1)" }
        try SyntheticTasks.queueReach(in: store, addresses: addresses, count: 100)
        try store.database.execute("ANALYZE tasks")
        let claimer = PeilStore(database: try Database(connectionString: try XCTUnwrap(temporaryDatabase?.connectionString)))
        XCTAssertEqual(try claimer.claimTasks(agentID: "a", families: [.ipv4], limit: 200, leaseSeconds: 300, perAddress: 1).count, 200,
                       "one task of each address leased")
        return (claimer, addresses)
    }

    /// Entries of `tasks_leased_address` read so far (the claimer's counts are sent when it next
    /// goes idle, at once when forced).
    private func leasedEntriesRead(by claimer: PeilStore) throws -> Int {
        try claimer.database.execute("SELECT pg_stat_force_next_flush()")
        return try count("SELECT idx_tup_read::integer AS count FROM pg_stat_user_indexes WHERE indexrelname = 'tasks_leased_address'")
    }

    func testOldestMeasurementFirstAcrossFamilies() throws {
        let older = try SyntheticTasks.queueReach(in: store, addresses: ["2001:2::1"], count: 2)
        let newer = try SyntheticTasks.queueReach(in: store, addresses: ["198.18.2.1"], count: 2)
        let tasks = try store.claimTasks(agentID: "a", families: [.ipv4, .ipv6], limit: 3, leaseSeconds: 300, perAddress: 4)
        XCTAssertEqual(tasks.map(\.measurementID), [older, older, newer])
        XCTAssertEqual(try store.claimTasks(agentID: "b", families: [.ipv6], limit: 3, leaseSeconds: 300), [])
    }
}

/// Runs bodies on threads of their own, all at once, and rethrows the first error.
enum ConcurrentBodies {
    static func run(_ bodies: [@Sendable () throws -> Void]) throws {
        let group = DispatchGroup()
        let firstError = Locked<String?>(nil)
        for body in bodies {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do { try body() } catch { firstError.withLock { if $0 == nil { $0 = "\(error)" } } }
            }
        }
        group.wait()
        if let error = firstError.value { throw ConcurrentBodyFailed(description: error) }
    }
}

/// A body of ``ConcurrentBodies/run(_:)`` threw.
struct ConcurrentBodyFailed: Error, CustomStringConvertible {
    var description: String
}
