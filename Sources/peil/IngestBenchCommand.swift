import ArgumentParser
import Foundation
import PeilModel
import Store

/// `peil bench ingest`: how many results a coordinator commits per second, and how long an
/// agent waits for each result's ACK (docs/SCALE.md).
///
/// A coordinator runs in this process on `tcp://127.0.0.1:*` against a scratch database of
/// its own on the server of `--database` (dropped afterwards; PostgreSQL's settings as they are,
/// so fsync and synchronous commit as the server has them). Fake agents, each a thread with its
/// own CURVE DEALER, speak the real protocol and answer every task at once with a canned
/// observation: `twin`, each kind's median-sized completed observation from the measurements
/// in `--observations-from` (the twin's), with the kinds mixed as measured there; `tiny`, reach
/// tasks with an empty observation, the cost of a message itself. Each agent grants a credit
/// again once a result is ACKed, so `--agents × --concurrency` results are in flight. After
/// `--warm-up`, ACKs are counted for `--duration` seconds; then the agents say BYE and stop.
/// Beside each row, the machine's speed at the time (``MachineYardstick`` before and after,
/// ``MachineSpeedSampler`` through the window), so that a slow stretch of a shared host is told
/// apart from a slower build.
struct IngestBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Results committed per second by a coordinator on loopback, and RESULT→ACK latency at fake agents (a scratch database of its own)."
    )

    @Option(name: .customLong("database"), help: "The PostgreSQL server (libpq connection string of a role that may CREATE DATABASE; default: $PEIL_DATABASE_URL). The bench makes a database of its own there and drops it.")
    var server: String?

    @Option(name: .customLong("observations-from"), help: "Database whose stored observations give the twin row's sizes and mix (default: the --database one).")
    var observationsFrom: String?

    @Option(help: "Which rows: twin, tiny or both, comma-separated.")
    var rows = "twin,tiny"

    @Option(help: "Seconds during which ACKs are counted, per row.")
    var duration = 60.0

    @Option(name: .customLong("warm-up"), help: "Seconds of work before the counting starts.")
    var warmUp = 2.0

    @Option(help: "Fake agents (threads).")
    var agents = 4

    @Option(help: "Results each fake agent keeps in flight.")
    var concurrency = 64

    @Option(name: .customLong("credit-batch"), help: "Free slots a fake agent gathers before it sends READY (1: one READY per ACK read, as a real agent; each READY with new credit is a claim).")
    var creditBatch = 1

    @Option(name: .customLong("tasks-per-claim"), help: "At most this many tasks in one claim and one TASKS message (the coordinator's batch size; default: the coordinator's).")
    var tasksPerClaim: Int?

    @Option(help: "Tasks queued at most per row (default: 20,000 per second of warm-up and duration, the issue's target rate).")
    var tasks: Int?

    @Option(name: .customLong("queue-depth"), help: "Queued tasks kept in the queue (topped up by half when half are left).")
    var queueDepth = 20_000

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    var parsedRows: [String] { rows.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        guard !parsedRows.isEmpty, parsedRows.allSatisfy({ ["twin", "tiny"].contains($0) }) else {
            throw ValidationError("--rows takes twin, tiny or both")
        }
        guard duration > 0, duration <= 3600, warmUp >= 0, warmUp <= 600 else {
            throw ValidationError("--duration must be in (0, 3600] seconds and --warm-up in [0, 600]")
        }
        guard (1...256).contains(agents), (1...4096).contains(concurrency), creditBatch >= 1 else {
            throw ValidationError("--agents must be 1…256, --concurrency 1…4096 and --credit-batch at least 1")
        }
        if let tasksPerClaim, !(1...4096).contains(tasksPerClaim) { throw ValidationError("--tasks-per-claim must be 1…4096") }
        if let tasks, !(1...50_000_000).contains(tasks) { throw ValidationError("--tasks must be 1…50000000") }
        guard (2...10_000_000).contains(queueDepth) else { throw ValidationError("--queue-depth must be 2…10000000") }
    }

    func run() async throws {
        let twin = parsedRows.contains("twin") ? try TwinObservations.load(from: observationsFrom ?? server) : nil
        let scratch = try ScratchDatabase(server: server)
        defer { scratch.drop() }
        let bench = IngestBench(scratch: scratch, agents: agents, concurrency: concurrency, creditBatch: creditBatch,
                                tasksPerClaim: tasksPerClaim, warmUp: .milliseconds(Int64(warmUp * 1000)), window: .milliseconds(Int64(duration * 1000)),
                                queueDepth: queueDepth)
        let queued = tasks ?? max(1_000, Int((warmUp + duration) * 20_000))
        func show(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        show(IngestBench.Figures.header)
        var figures: [IngestBench.Figures] = []
        for row in parsedRows {
            let result: IngestBench.Figures
            if row == "twin", let twin {
                result = try await bench.run(label: row, answers: twin.answers, pattern: twin.pattern, tasks: queued)
            } else {
                let tiny = try CannedAnswers(resolution: nil, connect: [.reach: ConnectObservation(reach: ReachObservation(ports: []))])
                result = try await bench.run(label: row, answers: tiny, pattern: [.reach], tasks: queued)
            }
            figures.append(result)
            show(result.row)
            if !result.rejections.isEmpty { show("   (\(result.rejections.prefix(4).joined(separator: "; ")))") }
        }
        if let twin {
            show("twin observation bytes: " + twin.answers.bytes.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
        try writeBenchFigures(figures, to: json)
    }
}

/// The twin row's canned observations: per task kind, the completed observation of median
/// size among those stored, and the kinds in the proportion they were measured.
struct TwinObservations {
    let answers: CannedAnswers
    /// Kinds in their measured proportion, at most 100 entries (task n is `pattern[n % count]`).
    let pattern: [TaskKind]

    static func load(from connectionString: String?) throws -> TwinObservations {
        let database = try Database(connectionString: connectionString)
        var resolution: ResolutionObservation?
        var connect: [TaskKind: ConnectObservation] = [:]
        var counts: [TaskKind: Int] = [:]
        for kind in TaskKind.allCases {
            let row = try database.query("""
                WITH sized AS (
                    SELECT r.observation::text AS json, octet_length(r.observation::text) AS bytes, r.task_id AS id
                    FROM results r JOIN tasks t ON t.id = r.task_id
                    WHERE t.kind = \(kind.rawValue)
                )
                SELECT (SELECT count(*)::integer FROM sized) AS n,
                       (SELECT json FROM sized ORDER BY bytes, id OFFSET (SELECT count(*) / 2 FROM sized) LIMIT 1) AS json
                """).single()
            guard let json = try row.decode("json", as: String?.self) else { continue }
            counts[kind] = try row.decode("n")
            let data = Data(json.utf8)
            do {
                if kind == .resolve {
                    resolution = try StoredJSON.decoder().decode(ResolutionObservation.self, from: data)
                } else {
                    connect[kind] = try StoredJSON.decoder().decode(ConnectObservation.self, from: data)
                }
            } catch {
                throw BenchError("the stored \(kind.rawValue) observation does not decode with this build: \(error)")
            }
        }
        let total = counts.values.reduce(0, +)
        guard total > 0 else {
            throw BenchError("\(database.target) holds no completed observations: give --observations-from a database with a measured twin (or --rows tiny)")
        }
        var pattern: [TaskKind] = []
        for kind in TaskKind.allCases {
            let share = Int((Double(counts[kind, default: 0]) * 100 / Double(total)).rounded())
            pattern += Array(repeating: kind, count: counts[kind, default: 0] > 0 ? max(1, share) : 0)
        }
        // Interleaved, so every stretch of the queue has the mix.
        let interleaved = pattern.enumerated().sorted { lhs, rhs in
            let l = Double(lhs.offset - (pattern.firstIndex(of: lhs.element) ?? 0)) / Double(pattern.filter { $0 == lhs.element }.count)
            let r = Double(rhs.offset - (pattern.firstIndex(of: rhs.element) ?? 0)) / Double(pattern.filter { $0 == rhs.element }.count)
            return l == r ? lhs.offset < rhs.offset : l < r
        }.map(\.element)
        return TwinObservations(answers: try CannedAnswers(resolution: resolution, connect: connect), pattern: interleaved)
    }
}
