import Coordinator
import Foundation
import Logging
import PeilModel
import Store
import Telemetry
import Wire

/// The work of `peil bench ingest` for one set of canned observations (see ``IngestBenchCommand``).
struct IngestBench {
    /// One row of the table.
    struct Figures: Codable {
        /// `twin` (each kind's median stored observation, kinds mixed as the source measured
        /// them) or `tiny` (reach tasks with an empty observation: the per-message cost).
        var observations: String
        /// Bytes of each kind's observation on the wire, and the share of the tasks per kind.
        var bytesPerKind: [String: Int]
        var sharePerKind: [String: Double]
        var agents: Int
        var concurrency: Int
        var creditBatch: Int
        /// At most this many tasks a claim (the coordinator's batch size).
        var tasksPerClaim: Int
        /// Tasks per TASKS message the agents received over the whole run (each message is a
        /// claim that leased something).
        var meanTasksPerClaim: Double
        /// Tasks queued in all, and the depth the queue was kept at.
        var queued: Int
        var queueDepth: Int
        var warmUpSeconds: Double
        var windowSeconds: Double
        /// ACKs the agents received inside the window (each after its result's COMMIT).
        var acked: Int
        var resultsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        /// Claim queries that ended inside the window (`peil_claim_duration_seconds`, the
        /// coordinator's own timing of each), and their p50, p99 and longest in milliseconds.
        var claims: Int
        var claimP50Milliseconds: Double
        var claimP99Milliseconds: Double
        var claimMaxMilliseconds: Double
        /// The share of the window the claim connection spent in claims (``ClaimTimings/busyShare(within:)``).
        var claimBusyShare: Double
        /// `tasks` at the end of the run: dead row versions left (`n_dead_tup`) and the
        /// autovacuums of it during the run (`autovacuum_count`).
        var tasksDeadAtEnd: Int
        var tasksAutovacuums: Int
        /// Results stored in the whole run (observations rows), and the transactions the
        /// scratch database committed per stored result (`pg_stat_database.xact_commit`).
        var stored: Int
        var commitsPerResult: Double
        /// Cores busy inside the window (CPU seconds over its seconds): the bench's own process
        /// (coordinator, fake agents, ZeroMQ), and the PostgreSQL server's processes less the
        /// bench's own connection that tops up the queue (nil when the server is not on this
        /// machine); and each as microseconds of CPU per result ACKed.
        var benchCores: Double
        var postgresCores: Double?
        var benchMicrosecondsPerResult: Double
        var postgresMicrosecondsPerResult: Double?
        /// The part of `benchCores` the fake agents' own threads used inside the window (each
        /// thread's CPU time, ``BenchAgent/Tally/coresInWindow``; ZeroMQ's threads are not in
        /// it), and per result ACKed: what the bench's process spends on its load rather than on
        /// the coordinator. Nil when an agent did not see the whole window.
        var agentsCores: Double?
        var agentsMicrosecondsPerResult: Double?
        /// The machine's speed just before the run and just after it: the fastest of three runs
        /// of a fixed CPU-bound statement on one PostgreSQL backend (``MachineYardstick``), in
        /// milliseconds. The same work in more milliseconds is a slower stretch of the machine.
        var yardstickBeforeMilliseconds: Double
        var yardstickAfterMilliseconds: Double
        /// The machine's speed inside the window (``MachineSpeedSampler``).
        var machineSpeed: MachineSpeedSampler.Figures
        /// Whether the queue ran dry before the window ended (the rate is then a lower bound).
        var queueRanDry: Bool
        var rejections: [String]

        var row: String {
            func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(1, width - text.count)) + text }
            func number(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
            return pad(observations, 6) + pad(String(agents) + "×" + String(concurrency) + (creditBatch > 1 ? "/" + String(creditBatch) : ""), 12) + pad(number(windowSeconds, 1), 8)
                + pad(String(acked), 9) + pad(number(resultsPerSecond, 1), 10) + pad(number(p50Milliseconds), 9)
                + pad(number(p99Milliseconds), 9) + pad(number(maxMilliseconds), 9) + pad(number(commitsPerResult), 10)
                + pad(number(meanTasksPerClaim, 1) + "/" + String(tasksPerClaim), 12)
                + pad(number(claimP50Milliseconds) + "/" + number(claimP99Milliseconds), 14)
                + pad(number(claimBusyShare * 100, 0) + " %", 12)
                + pad((postgresMicrosecondsPerResult.map { number($0, 0) } ?? "-") + "/" + number(benchMicrosecondsPerResult, 0)
                      + "(" + (agentsMicrosecondsPerResult.map { number($0, 0) } ?? "-") + ")", 20)
                + pad(number(yardstickBeforeMilliseconds, 0) + "/" + number(yardstickAfterMilliseconds, 0), 12)
                + pad(number(machineSpeed.computeMicroseconds, 0) + "/" + number(machineSpeed.memoryMicroseconds, 0), 12)
                + (queueRanDry ? "  queue ran dry" : "")
        }

        static let header = "   obs.      agents  window    acked  results/s  p50 ms   p99 ms   max ms  commits/r  tasks/claim  claim p50/p99  claim busy  cpu µs/r pg/bench(agents)  yard ms b/a  speed µs c/m"
    }

    let scratch: ScratchDatabase
    let agents: Int
    let concurrency: Int
    /// Free slots an agent gathers before it sends READY.
    let creditBatch: Int
    /// The coordinator's batch size (nil: its default).
    let tasksPerClaim: Int?
    let warmUp: Duration
    let window: Duration

    /// Queued tasks kept in the queue: topped up by half of it whenever fewer than half are left
    /// (until `tasks` were queued), so that the claims cost what they cost at this depth.
    let queueDepth: Int

    /// Queues tasks of the answers' kinds (`pattern` repeats: kind of task n is
    /// `pattern[n % count]`), at most `tasks` in all and about ``queueDepth`` at a time, runs a
    /// coordinator on loopback and the fake agents, and measures.
    func run(label: String, answers: CannedAnswers, pattern: [TaskKind], tasks: Int) async throws -> Figures {
        let monitor = try scratch.connect(statementTimeout: .seconds(3600))
        try monitor.execute("TRUNCATE measurements, tasks, task_links, observations, results CASCADE")
        let measurement: Int64 = try monitor.query(
            "INSERT INTO measurements (sets) VALUES ('{peil-bench-ingest}') RETURNING id").single().decode("id")
        var queued = min(tasks, queueDepth)
        try Self.queue(monitor, measurement: measurement, pattern: pattern, from: 1, count: queued)
        try monitor.execute("VACUUM ANALYZE tasks")
        let yardstickBefore = try MachineYardstick.milliseconds(on: monitor)
        let commitsBefore = try commits(monitor)

        let coordinatorKey = try CurveKeyPair.generate()
        let agentKeys = try (0..<agents).map { _ in try CurveKeyPair.generate() }
        let names = Dictionary(uniqueKeysWithValues: agentKeys.enumerated().map { ($1.publicKey, "bench-agent-\($0 + 1)") })
        var configuration = CoordinatorConfiguration(endpoints: ["tcp://127.0.0.1:*"], keyPair: coordinatorKey, allowedAgents: names)
        configuration.planConnectTasks = false
        configuration.leaseSeconds = 3600
        if let tasksPerClaim { configuration.batchSize = tasksPerClaim }
        var logger = Logger(label: "peil-bench-coordinator")
        logger.logLevel = .warning
        let bound = BoundEndpoints()
        let timings = ClaimTimings()
        let service = CoordinatorService(configuration: configuration, database: PeilStore(database: try scratch.connect()),
                                         logger: logger, metrics: CoordinatorMetrics(factory: timings), onBound: { bound.set($0) })
        let coordinator = Task { try await service.run() }
        defer { coordinator.cancel() }
        let endpoint = try await bound.wait()

        let context = try ZMQContext()
        defer { context.terminate() }
        let start = ContinuousClock.now + warmUp
        let window = start...(start + self.window)
        let fakes = agentKeys.enumerated().map { index, key in
            BenchAgent(context: context, endpoint: endpoint, serverPublicKey: coordinatorKey.publicKey, keyPair: key,
                       name: "bench-agent-\(index + 1)", concurrency: concurrency, creditBatch: creditBatch, answers: answers, window: window,
                       stopAt: window.upperBound + .milliseconds(200))
        }
        let speed = MachineSpeedSampler(window: window)
        speed.start()
        fakes.forEach { $0.start() }
        let backend = Int32(try monitor.query("SELECT pg_backend_pid() AS pid").single().decode("pid", as: Int.self))
        var cpuAtStart: CPUReading?
        while ContinuousClock.now < window.upperBound {
            let now = ContinuousClock.now
            try await Task.sleep(for: cpuAtStart == nil && now < start ? min(.milliseconds(250), start - now) : .milliseconds(250))
            if cpuAtStart == nil, ContinuousClock.now >= start { cpuAtStart = CPUReading(postgresBackend: backend) }
            // Every task an agent was sent has left the queue: counted by the agents rather than
            // by a query over the queue, which would spend the machine's CPU four times a second.
            let left = queued - fakes.map(\.tasksReceived).reduce(0, +)
            guard left < queueDepth / 2, queued < tasks else { continue }
            let count = min(tasks - queued, queueDepth / 2)
            try Self.queue(monitor, measurement: measurement, pattern: pattern, from: queued + 1, count: count)
            queued += count
        }
        let cpuInWindow = CPUReading(postgresBackend: backend).cores(since: cpuAtStart ?? CPUReading(postgresBackend: backend))
        let machineSpeed = speed.finish()
        let tasksReceived = fakes.map(\.tasksReceived).reduce(0, +)
        let tasksMessages = fakes.map(\.tasksMessages).reduce(0, +)
        let tallies = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: fakes.map { $0.result() }) }.start()
        }
        coordinator.cancel()
        _ = await coordinator.result

        let stored: Int = try monitor.query("SELECT count(*)::integer AS n FROM reports").single().decode("n")
        let open: Int = try monitor.query("SELECT count(*)::integer AS n FROM tasks WHERE state = 'queued'").single().decode("n")
        let commitsAfter = try commits(monitor)
        let tasksStatistics = try monitor.query("""
            SELECT n_dead_tup::integer AS dead, autovacuum_count::integer AS autovacuums FROM pg_stat_user_tables WHERE relname = 'tasks'
            """).single()
        let claimTimes = timings.milliseconds(endedIn: window)
        let yardstickAfter = try MachineYardstick.milliseconds(on: monitor)
        var latencies = tallies.flatMap(\.latencies)
        latencies.sort()
        let acked = tallies.map(\.acksInWindow).reduce(0, +)
        let resultsPerSecond = Double(acked) / self.window.seconds
        func perResult(_ cores: Double) -> Double { resultsPerSecond > 0 ? cores * 1_000_000 / resultsPerSecond : 0 }
        let agentsCores = tallies.contains { $0.coresInWindow == nil } ? nil : tallies.compactMap(\.coresInWindow).reduce(0, +)
        let share = Dictionary(grouping: pattern, by: \.rawValue).mapValues { Double($0.count) / Double(pattern.count) }
        return Figures(observations: label, bytesPerKind: Dictionary(uniqueKeysWithValues: answers.bytes.map { ($0.key.rawValue, $0.value) }),
                       sharePerKind: share, agents: agents, concurrency: concurrency, creditBatch: creditBatch,
                       tasksPerClaim: configuration.batchSize,
                       meanTasksPerClaim: tasksMessages == 0 ? 0 : Double(tasksReceived) / Double(tasksMessages), queued: queued, queueDepth: queueDepth, warmUpSeconds: warmUp.seconds,
                       windowSeconds: self.window.seconds, acked: acked, resultsPerSecond: resultsPerSecond,
                       p50Milliseconds: nearestRank(latencies, 0.5), p99Milliseconds: nearestRank(latencies, 0.99), maxMilliseconds: latencies.last ?? 0,
                       claims: claimTimes.count, claimP50Milliseconds: nearestRank(claimTimes, 0.5),
                       claimP99Milliseconds: nearestRank(claimTimes, 0.99), claimMaxMilliseconds: claimTimes.last ?? 0,
                       claimBusyShare: timings.busyShare(within: window),
                       tasksDeadAtEnd: try tasksStatistics.decode("dead"), tasksAutovacuums: try tasksStatistics.decode("autovacuums"),
                       stored: stored, commitsPerResult: stored == 0 ? 0 : Double(commitsAfter - commitsBefore) / Double(stored),
                       benchCores: cpuInWindow.bench, postgresCores: cpuInWindow.postgres,
                       benchMicrosecondsPerResult: perResult(cpuInWindow.bench), postgresMicrosecondsPerResult: cpuInWindow.postgres.map(perResult),
                       agentsCores: agentsCores, agentsMicrosecondsPerResult: agentsCores.map(perResult),
                       yardstickBeforeMilliseconds: yardstickBefore, yardstickAfterMilliseconds: yardstickAfter, machineSpeed: machineSpeed,
                       queueRanDry: open == 0,
                       rejections: tallies.flatMap(\.rejected) + tallies.filter { !$0.welcomed }.map { _ in "an agent was never welcomed" })
    }

    /// Queues tasks `from` … `from + count - 1` of the measurement: resolve tasks on a domain
    /// each, connect tasks on the lab range's 131,072 addresses (198.18.0.0/15) in turn, so no
    /// two tasks closer than that in the queue share one and the per-address cap never holds a
    /// result back. No agent of the bench dials them.
    static func queue(_ database: Database, measurement: Int64, pattern: [TaskKind], from: Int, count: Int) throws {
        try database.execute("""
            WITH synthetic AS (
                SELECT n, 'b' || n || '.test' AS host,
                       (\(array: pattern.map(\.rawValue))::text[])[1 + n % \(pattern.count)::integer] AS kind,
                       '198.' || (18 + (n >> 16) % 2) || '.' || (n >> 8) % 256 || '.' || n % 256 AS address
                FROM generate_series(\(from)::integer, \(from + count - 1)::integer) AS n
            ), resolved AS (
                INSERT INTO domains (name) SELECT host FROM synthetic WHERE kind = 'resolve'
                ON CONFLICT (name) DO UPDATE SET name = excluded.name
                RETURNING id, name
            )
            INSERT INTO tasks (measurement_id, kind, domain_id, domain, web_host, family, address, endpoint_key, target)
            SELECT \(measurement)::bigint, s.kind, d.id, s.host, s.host,
                   CASE WHEN s.kind = 'resolve' THEN NULL ELSE 'ipv4' END,
                   CASE WHEN s.kind = 'resolve' THEN NULL ELSE s.address END,
                   CASE WHEN s.kind = 'resolve' THEN NULL ELSE s.address || '#' || s.n END,
                   CASE WHEN s.kind = 'resolve' THEN NULL
                        ELSE jsonb_build_object('address', s.address, 'family', 'ipv4', 'host', s.host) END
            FROM synthetic s LEFT JOIN resolved d ON d.name = s.host
            ORDER BY s.n
            """)
    }

    private func commits(_ database: Database) throws -> Int64 {
        try database.execute("SELECT pg_stat_force_next_flush()")
        try database.execute("SELECT pg_stat_clear_snapshot()")
        return try database.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").single().decode("xact_commit")
    }
}

/// CPU seconds so far of the bench's process and of the PostgreSQL server (less the bench's
/// connection `postgresBackend`, which tops up the queue), and when they were read.
private struct CPUReading {
    let at = ContinuousClock.now
    let bench = ProcessCPU.ownSeconds()
    let postgres: Double?

    init(postgresBackend: Int32) {
        postgres = ProcessCPU.postgresSeconds(backend: postgresBackend, excluding: [postgresBackend])
    }

    /// Cores busy from `earlier` to this reading: the bench's, and the server's when both were read.
    func cores(since earlier: CPUReading) -> (bench: Double, postgres: Double?) {
        let seconds = max((at - earlier.at).seconds, 0.001)
        let postgres = self.postgres.flatMap { now in earlier.postgres.map { (now - $0) / seconds } }
        return ((bench - earlier.bench) / seconds, postgres)
    }
}

/// The endpoint the bench's coordinator bound, handed from its thread to the bench.
private final class BoundEndpoints: @unchecked Sendable {
    private let lock = NSLock()
    private var endpoints: [String]?

    func set(_ endpoints: [String]) { lock.withLock { self.endpoints = endpoints } }

    /// The first bound endpoint, once there is one (10 s at most).
    func wait() async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let first = lock.withLock({ endpoints?.first }) { return first }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("the bench's coordinator did not bind within 10 s")
    }
}
