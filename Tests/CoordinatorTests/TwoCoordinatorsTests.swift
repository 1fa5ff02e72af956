import Agent
import Coordinator
import Foundation
import Logging
import PeilModel
import PeilTestSupport
import Probes
import Store
import Wire
import XCTest

/// Two coordinators on one database, in this process, each with agents of its own over `ipc://`:
/// the per-address cap holds across them (a sampler never sees more leased tasks on one
/// address than the cap) and every task is done exactly once.
final class TwoCoordinatorsTests: DatabaseTestCase {
    private static let cap = 2

    /// Completes every reach task after a few milliseconds and counts how often each task came.
    private struct CountingProber: TaskProber {
        let probed: Locked<[Int64: Int]>

        func run(_ task: TaskAssignment, finalAttempt: Int, deadline: ProbeDeadline) async -> TaskReport {
            probed.withLock { $0[task.taskID, default: 0] += 1 }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 2...12)))
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                              connect: ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 80, state: .open)])))
        }
    }

    func testTwoCoordinatorsKeepTheCapAndDoEveryTaskOnce() async throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        // A hot address (shared hosting) and a few quiet ones, both families.
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.40.1"], count: 60)
        try SyntheticTasks.queueReach(in: store, addresses: ["198.18.40.2", "198.18.40.3", "2001:2::40"], count: 12)
        let total = 60 + 3 * 12

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-two-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let agentKeys = try (1...4).map { _ in try CurveKeyPair.generate() }
        let allowed = Dictionary(uniqueKeysWithValues: agentKeys.enumerated().map { ($1.publicKey, "agent-\($0 + 1)") })
        var logger = Logger(label: "two-coordinators")
        logger.logLevel = .warning

        var services: [any Sendable & AsyncRunnable] = []
        var coordinators: [(endpoint: String, key: CurveKeyPair)] = []
        for index in 1...2 {
            let key = try CurveKeyPair.generate()
            let endpoint = "ipc://\(directory.path)/coordinator-\(index).sock"
            var configuration = CoordinatorConfiguration(endpoints: [endpoint], keyPair: key, allowedAgents: allowed)
            configuration.tasksPerAddress = Self.cap
            configuration.leaseSeconds = 300
            configuration.sweepInterval = .milliseconds(20)
            configuration.planConnectTasks = false
            let database = PeilStore(database: try Database(connectionString: connection))
            services.append(CoordinatorService(configuration: configuration, database: database, logger: logger))
            coordinators.append((endpoint, key))
        }
        let probed = Locked<[Int64: Int]>([:])
        // Two slots each: the four agents together fit the eight slots the cap leaves (two on
        // each of four addresses), so every agent gets work although an agent that frees a slot
        // asks for it again at once.
        for (index, key) in agentKeys.enumerated() {
            let coordinator = coordinators[index % 2]
            var configuration = AgentConfiguration(coordinator: coordinator.endpoint, coordinatorPublicKey: coordinator.key.publicKey,
                                                   keyPair: key, name: "agent-\(index + 1)", families: [.ipv4, .ipv6], concurrency: 2)
            configuration.drainLimit = .seconds(2)
            services.append(AgentService(configuration: configuration, prober: CountingProber(probed: probed), logger: logger))
        }

        let samplerStopped = Locked(false)
        let most = Locked(0)
        let samples = Locked(0)
        let sampler = Thread {
            guard let database = try? Database(connectionString: connection) else { return }
            while !samplerStopped.value {
                guard let seen = try? SyntheticTasks.mostLeasedOnOneAddress(database) else { continue }
                most.withLock { $0 = max($0, seen) }
                samples.withLock { $0 += 1 }
            }
        }
        sampler.start()
        defer { samplerStopped.withLock { $0 = true } }

        let monitor = PeilStore(database: try Database(connectionString: connection))
        // Coordinators holding the sweeper lock ("PEILSWEP", SweeperLock) on this database, as seen while they run.
        let (finished, sweepers) = try await withThrowingTaskGroup(of: Void.self) { group -> (Bool, Set<Int>) in
            var sweepers: Set<Int> = []
            for service in services { group.addTask { try await service.run() } }
            let deadline = ContinuousClock.now + .seconds(90)
            var finished = false
            while ContinuousClock.now < deadline {
                let open = try monitor.database.query(
                    "SELECT count(*)::integer AS open FROM tasks WHERE state IN ('queued', 'leased')").single().decode("open", as: Int.self)
                sweepers.insert(try monitor.database.query("""
                    SELECT count(*)::integer AS holders FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND classid = 1346718028 AND objid = 1398228304 AND objsubid = 1
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """).single().decode("holders"))
                if open == 0 { finished = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            group.cancelAll()
            try await group.waitForAll()
            return (finished, sweepers)
        }
        samplerStopped.withLock { $0 = true }

        XCTAssertTrue(finished, "every task ended within 90 s")
        XCTAssertEqual(sweepers.subtracting([0]), [1], "one coordinator sweeps expired leases, never both")
        XCTAssertGreaterThan(samples.value, 10)
        XCTAssertLessThanOrEqual(most.value, Self.cap,
                                 "a sample saw more leased tasks on one address than the cap")
        func count(_ query: SQLQuery) throws -> Int { try monitor.database.query(query).single().decode("count") }
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM tasks WHERE state = 'done'"), total)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM results"), total)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports"), total, "one report per task")
        XCTAssertEqual(try count("SELECT count(DISTINCT agent_id)::integer AS count FROM results"), 4,
                       "agents of both coordinators did tasks")
        let counts = probed.value
        XCTAssertEqual(counts.count, total)
        XCTAssertEqual(counts.values.filter { $0 != 1 }.count, 0, "a task was probed more than once")
    }
}

/// What the services of this test have in common.
protocol AsyncRunnable { func run() async throws }
extension CoordinatorService: AsyncRunnable {}
extension AgentService: AsyncRunnable {}
